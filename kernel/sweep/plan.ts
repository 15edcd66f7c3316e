/**
 * A sweep's folder: plan.json (the points and how to run them, which every executor's worker
 * reads), and per point `<notebook>/<slug>.ipynb` and `.html`. A point is complete only when its
 * executed notebook is there, ran without error, and was run for this point's seed, parameters
 * and scale; the runner writes the notebook atomically at the end, so a killed point leaves
 * nothing a rerun could mistake for complete.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/io/fs.ts";
import { notebookToHtml } from "../export.ts";
import { type Notebook, parseNotebook } from "../nbformat.ts";
import type { RunOutcome } from "../runner.ts";
import { runnerOf } from "../run_info.ts";
import type { SweepPoint } from "./grid.ts";

/** What every worker needs to run any point of the sweep (plan.json). */
export interface SweepPlan {
  /** LENSES_SCALE of every run. */
  scale: string;
  /** Per-cell limit in seconds. */
  timeoutS: number;
  points: SweepPoint[];
}

/** Where a point's results stand. */
export type PointState =
  | { state: "complete"; notebook: Notebook }
  | { state: "failed"; notebook: Notebook; status: RunOutcome; error: string }
  | { state: "missing" };

/**
 * The plan file of the sweep in `dir`.
 *
 * @example
 * ```ts
 * planPath("reports/sweeps/05-subitization-quick"); // ".../plan.json"
 * ```
 */
export function planPath(dir: string): string {
  return join(dir, "plan.json");
}

/**
 * Writes the plan atomically (a worker starting meanwhile reads the old or the new one whole).
 *
 * @example
 * ```ts
 * await writePlan(dir, { scale: "smoke", timeoutS: 600, points });
 * ```
 */
export async function writePlan(dir: string, plan: SweepPlan): Promise<void> {
  await writeFileAtomic(planPath(dir), JSON.stringify(plan, null, 2) + "\n");
}

/**
 * Reads the plan of the sweep in `dir`.
 *
 * @throws {Error} when there is no plan.json there.
 * @example
 * ```ts
 * const plan = await readPlan(dir);
 * ```
 */
export async function readPlan(dir: string): Promise<SweepPlan> {
  try {
    return JSON.parse(await Deno.readTextFile(planPath(dir))) as SweepPlan;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`${planPath(dir)} is missing: is ${dir} a sweep folder?`);
    }
    throw err;
  }
}

/**
 * The files of a point, relative to the sweep folder.
 *
 * @example
 * ```ts
 * pointFiles({ id: "05-subitization/seed-1", ... }); // { notebook: "05-subitization/seed-1.ipynb", html: "05-subitization/seed-1.html" }
 * ```
 */
export function pointFiles(point: SweepPoint): { notebook: string; html: string } {
  return { notebook: `${point.id}.ipynb`, html: `${point.id}.html` };
}

/**
 * The environment a point's kernel runs with: scale and seed.
 *
 * @example
 * ```ts
 * pointEnv(point, "quick"); // { LENSES_SCALE: "quick", LENSES_SEED: "2" }
 * ```
 */
export function pointEnv(point: SweepPoint, scale: string): Record<string, string> {
  return { LENSES_SCALE: scale, LENSES_SEED: String(point.seed) };
}

/**
 * Writes the HTML page of a point's executed notebook into the sweep folder `dir`.
 *
 * @example
 * ```ts
 * await writePointPage(dir, plan.points[0], executed);
 * ```
 */
export async function writePointPage(dir: string, point: SweepPoint, nb: Notebook): Promise<void> {
  await writeFileAtomic(join(dir, pointFiles(point).html), notebookToHtml(nb, { title: point.id }));
}

/**
 * Where the point stands in the sweep folder `dir`: complete, failed (with the runner's error),
 * or missing (never run, killed, or run for another seed, parameters or scale).
 *
 * @example
 * ```ts
 * const { state } = await pointState(dir, plan.points[0], plan.scale);
 * ```
 */
export async function pointState(
  dir: string,
  point: SweepPoint,
  scale: string,
): Promise<PointState> {
  const path = join(dir, pointFiles(point).notebook);
  let notebook: Notebook;
  try {
    notebook = parseNotebook(await Deno.readTextFile(path), path);
  } catch {
    return { state: "missing" };
  }
  const runner = runnerOf(notebook);
  const env = pointEnv(point, scale);
  const same = runner !== null && isDeepStrictEqual(runner.params ?? {}, point.params) &&
    Object.entries(env).every(([k, v]) => runner.env?.[k] === v);
  if (!same) return { state: "missing" };
  if (runner.status === "ok") return { state: "complete", notebook };
  const e = runner.error;
  const cell = e && e.cellIndex !== null ? `cell ${e.cellIndex + 1}: ` : "";
  return {
    state: "failed",
    notebook,
    status: runner.status,
    error: e ? `${cell}${e.ename}: ${e.evalue}` : runner.status,
  };
}
