/**
 * The run header a notebook shows first: what runs (backend, device, threads, versions, scale,
 * seed). The object is stored in the output metadata under {@link RUN_METADATA_KEY} so the
 * report footer can state the setting every number came from.
 *
 * @module
 */

import { escapeHtml, formatValue } from "./format.ts";
import { display, type Output } from "./output.ts";

/** Output metadata key holding the run description. */
export const RUN_METADATA_KEY = "lenses.run";

/** A flat description of a run; `undefined` entries are shown as "—" and left out of metadata. */
export type RunInfo = Record<string, string | number | boolean | undefined>;

/**
 * The run header as an output, without showing it.
 *
 * @example
 * ```ts
 * const out = runInfoOutput({ backend: "wasm", scale: "quick", seed: 0 });
 * out.metadata["lenses.run"]; // { backend: "wasm", scale: "quick", seed: 0 }
 * ```
 */
export function runInfoOutput(info: RunInfo): Output {
  if (info === null || typeof info !== "object" || Array.isArray(info)) {
    throw new Error(
      'showRunInfo: pass a flat object, e.g. { backend: "wasm", scale: "quick", seed: 0 }.',
    );
  }
  const entries = Object.entries(info);
  for (const [key, value] of entries) {
    if (
      value !== undefined &&
      !["string", "number", "boolean"].includes(typeof value)
    ) {
      throw new Error(
        `showRunInfo: "${key}" is a ${typeof value}; give strings, numbers or booleans ` +
          `(e.g. String(value)) so the report can print it.`,
      );
    }
  }
  const shown = entries.map((
    [key, value],
  ) => [key, value === undefined ? "—" : formatValue(value)]);
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  const plain = [
    "Run",
    ...shown.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`),
  ]
    .join("\n");
  const cells = shown.map(([key, value]) =>
    `<span style="margin-right:1.2em;white-space:nowrap"><span style="color:#6e7781">${
      escapeHtml(key)
    }</span> <code>${escapeHtml(value)}</code></span>`
  ).join(" ");
  const html = `<div class="lenses-run" style="font-size:0.9em;line-height:1.6">${cells}</div>`;
  const metadata = Object.fromEntries(
    entries.filter(([, value]) => value !== undefined),
  );
  return {
    data: { "text/plain": plain, "text/html": html },
    metadata: { [RUN_METADATA_KEY]: metadata },
  };
}

/**
 * Shows what runs as a compact header and stores it under `lenses.run` in the metadata.
 *
 * @example
 * ```ts
 * await showRunInfo({ backend: "wasm", device: "cpu", threads: 1, tfjs: "4.22.0",
 *   deno: Deno.version.deno, scale: "quick", seed: 0 });
 * ```
 */
export function showRunInfo(info: RunInfo): Promise<Output> {
  const { data, metadata } = runInfoOutput(info);
  return display(data, { metadata });
}
