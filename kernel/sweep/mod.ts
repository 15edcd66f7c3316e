/**
 * Sweeps: every claim of a notebook over seeds and parameter grids, run on this machine or as a
 * Slurm job array, resumable, and aggregated into per-claim agreement across seeds (sweep.json
 * and a self-contained sweep page).
 *
 *   grid.ts       --seeds and --param into points
 *   plan.ts       the sweep folder: plan.json and each point's state
 *   point.ts      the worker that runs one point (both executors start it)
 *   local.ts      the local executor (--jobs runs at once, cores split by LENSES_THREADS)
 *   slurm.ts      the Slurm executor (sbatch --array, followed with squeue)
 *   aggregate.ts  verdict counts, mean and spread, pooled intervals, value-vs-parameter charts
 *   page.ts       the sweep page, its text form, and the reports index's links
 *   sweep.ts      all of it in order (runSweep)
 *
 * @example
 * ```ts
 * import { runSweep } from "./kernel/sweep/mod.ts";
 * const summary = await runSweep({
 *   notebooks: ["notebooks/05-subitization.ipynb"], seeds: [0, 1, 2], scale: "quick",
 *   timeoutS: 3600, executor: "local", jobs: 1,
 * });
 * ```
 *
 * @module
 */

export {
  aggregate,
  type ClaimAcrossSeeds,
  type ClaimObservation,
  claimObservations,
  countsText,
  type GroupSummary,
  observe,
  type ParamChart,
  paramCharts,
  type PointResult,
} from "./aggregate.ts";
export { expandGrid, type ParamGrid, parseParamGrid, parseSeeds, type SweepPoint } from "./grid.ts";
export { type LocalOptions, runLocal, type WorkerEnd } from "./local.ts";
export { findSweeps, renderSweepPage, type SweepLink, sweepText } from "./page.ts";
export { pointState, readPlan, type SweepPlan } from "./plan.ts";
export { runPoint } from "./point.ts";
export { batchScript, runSlurm, type SlurmOptions } from "./slurm.ts";
export {
  defaultSweepDir,
  type ExecutorName,
  refreshReportsIndex,
  runSweep,
  stopSweep,
  type SweepOptions,
  type SweepSummary,
} from "./sweep.ts";
