/**
 * The first cell of every notebook: choose the backend, read the scale and seed, and show the
 * run header (which the report footer reads from the `lenses.run` output metadata).
 *
 * @module
 */

import { type BackendInfo, initBackend } from "../backend/mod.ts";
import { showRunInfo } from "../display/run_info.ts";
import { Rng } from "../random/rng.ts";
import { currentScale, type Scale } from "./scale.ts";

/** What a notebook knows about its run. */
export interface NotebookRun {
  /** Notebook id, e.g. "01-non-robust-features". */
  id: string;
  scale: Scale;
  seed: number;
  backend: BackendInfo;
  /** The notebook's root generator; fork it per purpose. */
  rng: Rng;
}

/** The seed from `LENSES_SEED`, or `fallback`. */
export function seedFromEnv(fallback: number): number {
  const raw = Deno.env.get("LENSES_SEED")?.trim();
  if (!raw) return fallback;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) {
    throw new Error(
      `LENSES_SEED="${raw}" is not an integer; unset it or give e.g. LENSES_SEED=1`,
    );
  }
  return seed;
}

/**
 * Starts a notebook run: picks the backend (`LENSES_BACKEND` or automatic), reads
 * `LENSES_SCALE` and the seed (`LENSES_SEED`, else `seed`), and shows the run header.
 *
 * @example
 * ```ts
 * const run = await startNotebook({ id: "01-non-robust-features", seed: 0 });
 * const epochs = atScale({ smoke: 1, quick: 4, full: 30 }, run.scale);
 * ```
 */
export async function startNotebook(
  opts: { id: string; seed?: number },
): Promise<NotebookRun> {
  const scale = currentScale();
  const seed = seedFromEnv(opts.seed ?? 0);
  const backend = await initBackend();
  await showRunInfo({
    notebook: opts.id,
    scale,
    seed,
    backend: backend.backend,
    device: backend.device,
    ...(backend.blas ? { blas: backend.blas } : {}),
    threads: backend.threads,
    cores: backend.cores,
    tfjs: backend.tfjs,
    deno: backend.deno,
    why: backend.reason,
  });
  return { id: opts.id, scale, seed, backend, rng: new Rng(seed) };
}
