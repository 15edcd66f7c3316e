/**
 * A sweep from start to end: expand the grid, write the plan, run what is not complete yet on
 * the chosen executor, read every point's notebook back, aggregate, and write sweep.json and
 * the sweep page (index.html) into the sweep folder; when that folder is under reports/, the
 * reports index is rewritten to link it.
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import { exists, writeFileAtomic } from "../../lib/io/fs.ts";
import { renderIndexPage } from "../html/index_page.ts";
import { reportsDir } from "../paths.ts";
import type { ReportSummary } from "../report.ts";
import { runnerOf } from "../run_info.ts";
import { notebookName, readNotebook } from "../nbformat.ts";
import { checkParams } from "../params.ts";
import {
  aggregate,
  claimObservations,
  type GroupSummary,
  type ParamChart,
  paramCharts,
  type PointResult,
} from "./aggregate.ts";
import { expandGrid, type ParamGrid } from "./grid.ts";
import { runLocal, stopLocalWorkers, type WorkerEnd } from "./local.ts";
import { findSweeps, renderSweepPage } from "./page.ts";
import { pointFiles, pointState, type SweepPlan, writePlan, writePointPage } from "./plan.ts";
import { cancelSlurmJob, runSlurm, type SlurmOptions } from "./slurm.ts";

/** Where the points run. */
export type ExecutorName = "local" | "slurm";

/** Options for {@link runSweep}. */
export interface SweepOptions {
  notebooks: string[];
  seeds: number[];
  /** Parameter values (`--param k=v1,v2`); none = the notebooks' defaults. */
  grid?: ParamGrid;
  /** LENSES_SCALE of every run. */
  scale: string;
  /** Per-cell limit in seconds. */
  timeoutS: number;
  /** The sweep folder; default {@link defaultSweepDir}. */
  outDir?: string;
  executor: ExecutorName;
  /** Local: points at once. Slurm: at most this many array tasks at once (unset: no limit). */
  jobs?: number;
  slurm?: Omit<SlurmOptions, "write" | "maxRunning">;
  /** Run only these points (ids such as "05-subitization/seed-2"), e.g. to retry one. */
  only?: string[];
  /** Where progress lines go (default: none). */
  write?: (line: string) => void;
}

/** The whole of sweep.json. */
export interface SweepSummary {
  generated: string;
  /** The sweep folder (absolute). */
  dir: string;
  scale: string;
  executor: ExecutorName;
  seeds: number[];
  grid: ParamGrid;
  notebooks: string[];
  /** Every point complete. */
  ok: boolean;
  counts: { points: number; complete: number; failed: number; ran: number };
  points: PointResult[];
  groups: GroupSummary[];
  charts: ParamChart[];
}

/**
 * The default sweep folder: reports/sweeps/<notebook names>-<scale>[-<parameter names>].
 *
 * @example
 * ```ts
 * defaultSweepDir(["notebooks/05-subitization.ipynb"], "quick", { width: [8, 16] });
 * // ".../reports/sweeps/05-subitization-quick-width"
 * ```
 */
export function defaultSweepDir(notebooks: string[], scale: string, grid: ParamGrid = {}): string {
  const names = [...new Set(notebooks.map(notebookName))].join("+");
  return join(reportsDir(), "sweeps", [names, scale, ...Object.keys(grid)].join("-"));
}

/**
 * Stops a sweep in progress (Ctrl-C): local workers get SIGTERM, a followed Slurm job array is
 * cancelled. Their points write nothing, so a rerun runs them again.
 *
 * @example
 * ```ts
 * Deno.addSignalListener("SIGINT", () => { stopSweep(); Deno.exit(130); });
 * ```
 */
export function stopSweep(): void {
  stopLocalWorkers();
  cancelSlurmJob();
}

/**
 * Runs (or completes) a sweep and writes sweep.json and its page.
 *
 * @example
 * ```ts
 * const summary = await runSweep({
 *   notebooks: ["notebooks/05-subitization.ipynb"], seeds: [0, 1, 2], scale: "quick",
 *   timeoutS: 3600, executor: "local", jobs: 1,
 * });
 * if (!summary.ok) Deno.exit(1);
 * ```
 */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const write = options.write ?? (() => {});
  const grid = options.grid ?? {};
  const expanded = expandGrid(options.notebooks, options.seeds, grid);
  const unknown = (options.only ?? []).filter((id) => !expanded.some((p) => p.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `--only ${unknown.join(", ")}: no such point in this sweep; its points are ${
        expanded.map((p) => p.id).join(", ")
      }`,
    );
  }
  for (const path of options.notebooks) {
    if (!await exists(path)) throw new Error(`${path}: no such notebook`);
  }
  // Parameters checked (and converted to the defaults' types) once, before any point is
  // queued: the plan then holds exactly what each run records, so a finished point reads as
  // complete, and a bad --param fails here rather than in every worker.
  const notebooks = new Map(
    await Promise.all(
      options.notebooks.map(async (p) => [resolve(p), await readNotebook(p)] as const),
    ),
  );
  const points = expanded.map((p) => ({
    ...p,
    params: checkParams(notebooks.get(p.notebook)!, p.params),
  }));
  const dir = resolve(options.outDir ?? defaultSweepDir(options.notebooks, options.scale, grid));
  const plan: SweepPlan = { scale: options.scale, timeoutS: options.timeoutS, points };
  await writePlan(dir, plan);

  const states = await Promise.all(points.map((p) => pointState(dir, p, options.scale)));
  const pending = points.map((_, i) => i).filter((i) =>
    states[i].state !== "complete" &&
    (options.only === undefined || options.only.includes(points[i].id))
  );
  const complete = states.filter((s) => s.state === "complete").length;
  write(
    `[sweep] ${dir}: ${points.length} points, ${complete} already complete, ${pending.length} to run` +
      (pending.length > 0 ? ` (${options.executor})` : ""),
  );
  const labels = pending.map((i) => points[i].id);
  let ends: WorkerEnd[] = [];
  if (pending.length > 0) {
    ends = options.executor === "local"
      ? await runLocal(dir, pending, labels, { jobs: options.jobs, write })
      : await runSlurm(dir, pending, labels, {
        ...options.slurm,
        maxRunning: options.jobs,
        write,
      });
  }
  const endOf = new Map(ends.map((e) => [e.index, e]));

  const results: PointResult[] = [];
  const ran = new Set(pending);
  for (const [i, point] of points.entries()) {
    // Points that did not run this time keep the state read before.
    const state = ran.has(i) ? await pointState(dir, point, options.scale) : states[i];
    const files = pointFiles(point);
    const result: PointResult = {
      id: point.id,
      notebook: point.name,
      seed: point.seed,
      params: point.params,
      status: "missing",
      duration_s: null,
      html: null,
      ipynb: null,
      error: null,
      claims: [],
    };
    if (state.state === "missing") {
      const end = endOf.get(i);
      result.error = end ? end.detail : "not run (excluded by --only)";
    } else {
      const runner = runnerOf(state.notebook);
      result.status = state.state === "complete" ? "ok" : state.status;
      result.duration_s = runner?.duration_s ?? null;
      result.ipynb = files.notebook;
      result.html = files.html;
      result.error = state.state === "failed" ? state.error : null;
      result.claims = claimObservations(state.notebook);
      // A worker stopped between writing its notebook and its page leaves only the notebook.
      if (!await exists(join(dir, files.html))) await writePointPage(dir, point, state.notebook);
    }
    results.push(result);
  }

  const groups = aggregate(results);
  const done = results.filter((r) => r.status === "ok").length;
  const summary: SweepSummary = {
    generated: new Date().toISOString(),
    dir,
    scale: options.scale,
    executor: options.executor,
    seeds: options.seeds,
    grid,
    notebooks: [...new Set(points.map((p) => p.name))],
    ok: done === results.length,
    counts: {
      points: results.length,
      complete: done,
      failed: results.length - done,
      ran: pending.length,
    },
    points: results,
    groups,
    charts: paramCharts(groups),
  };
  await writeFileAtomic(join(dir, "sweep.json"), JSON.stringify(summary, null, 2) + "\n");
  await writeFileAtomic(join(dir, "index.html"), renderSweepPage(summary));
  const reports = reportsDir();
  if (!relative(reports, dir).startsWith("..")) await refreshReportsIndex(reports);
  return summary;
}

/**
 * Rewrites reports/index.html from reports/summary.json (if a report was built) and the sweeps
 * found under reports/.
 *
 * @example
 * ```ts
 * await refreshReportsIndex("reports");
 * ```
 */
export async function refreshReportsIndex(root: string): Promise<void> {
  let summary: ReportSummary;
  try {
    summary = JSON.parse(await Deno.readTextFile(join(root, "summary.json")));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    summary = { generated: new Date().toISOString(), scale: "", ok: true, notebooks: [] };
  }
  await writeFileAtomic(join(root, "index.html"), renderIndexPage(summary, await findSweeps(root)));
}
