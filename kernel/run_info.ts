/**
 * What an executed notebook says about its run, read back from the notebook itself so reports
 * can be rebuilt from .ipynb files alone: the runner's record (metadata.lenses.runner), the
 * run description lib displays (output metadata `lenses.run`), the claims table (output
 * metadata `lenses.claims`) and per-cell durations.
 *
 * @module
 */

import { type ClaimRecord, CLAIMS_METADATA_KEY, readClaimRecord } from "../lib/display/claims.ts";
import { RUN_METADATA_KEY } from "../lib/display/run_info.ts";
import type { Cell, Notebook } from "./nbformat.ts";
import type { RunnerMetadata } from "./runner.ts";

function displayMetadata(nb: Notebook, key: string): unknown[] {
  const found: unknown[] = [];
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const o of cell.outputs) {
      if (
        (o.output_type === "display_data" ||
          o.output_type === "execute_result") && key in o.metadata
      ) found.push(o.metadata[key]);
    }
  }
  return found;
}

/**
 * The claims tables of `nb`, merged (a later row with the same id replaces an earlier one).
 * Rows with an unknown verdict are kept with verdict "not run" so nothing is silently lost;
 * rows written before intervals (no criterion, no estimate) read as they are.
 *
 * @example
 * ```ts
 * const claims = claimsOf(executed);
 * claims.filter((c) => c.verdict === "holds").length;
 * ```
 */
export function claimsOf(nb: Notebook): ClaimRecord[] {
  const byId = new Map<string, ClaimRecord>();
  for (const table of displayMetadata(nb, CLAIMS_METADATA_KEY)) {
    if (!Array.isArray(table)) continue;
    for (const row of table) {
      const claim = readClaimRecord(row, String(byId.size + 1));
      if (claim !== undefined) byId.set(claim.id, claim);
    }
  }
  return [...byId.values()];
}

/**
 * The last `lenses.run` description displayed by the notebook (backend, device, scale, seed,
 * versions), or null.
 *
 * @example
 * ```ts
 * runInfoOf(executed)?.backend; // "wasm"
 * ```
 */
export function runInfoOf(nb: Notebook): Record<string, unknown> | null {
  const all = displayMetadata(nb, RUN_METADATA_KEY).filter((v) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
  );
  return (all.at(-1) as Record<string, unknown> | undefined) ?? null;
}

/**
 * The runner's record of the run, or null for a notebook not executed by lenses.
 *
 * @example
 * ```ts
 * runnerOf(executed)?.status; // "ok"
 * ```
 */
export function runnerOf(nb: Notebook): RunnerMetadata | null {
  const lenses = nb.metadata.lenses as Record<string, unknown> | undefined;
  const runner = lenses?.runner;
  return typeof runner === "object" && runner !== null ? runner as RunnerMetadata : null;
}

/**
 * Seconds a code cell took: the runner's measurement, else Jupyter's timing metadata
 * (busy to idle), else null.
 *
 * @example
 * ```ts
 * cellDurationS(executed, executed.cells[1]); // 0.153
 * ```
 */
export function cellDurationS(nb: Notebook, cell: Cell): number | null {
  const measured = runnerOf(nb)?.cell_durations_s?.[cell.id];
  if (typeof measured === "number") return measured;
  const timing = cell.metadata.execution as Record<string, string> | undefined;
  const start = Date.parse(
    timing?.["iopub.status.busy"] ?? timing?.["iopub.execute_input"] ?? "",
  );
  const end = Date.parse(
    timing?.["iopub.status.idle"] ?? timing?.["shell.execute_reply"] ?? "",
  );
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, (end - start) / 1000) : null;
}
