/**
 * The worker both executors start, one process per point:
 *
 *   deno run -A kernel/sweep/point.ts SWEEP_DIR INDEX
 *
 * It reads the sweep's plan.json, runs point INDEX in a fresh kernel through the runner, and
 * writes its executed notebook and HTML page into the sweep folder. A point already complete is
 * left as it is (a resubmitted Slurm task does not redo work). Exit status: 0 when the point ran
 * without error, 1 when it failed, 2 on bad usage; 130/143 when stopped by SIGINT/SIGTERM (its
 * kernel is killed and nothing is written).
 *
 * @module
 */

import { join } from "node:path";
import { killLiveKernels } from "../kernel.ts";
import { terminalProgress } from "../progress.ts";
import { failureText, runNotebookFile } from "../runner.ts";
import { pointEnv, pointFiles, pointState, readPlan, writePointPage } from "./plan.ts";

/**
 * Runs point `index` of the sweep in `dir` (skipping it when already complete) and writes its
 * notebook and HTML page. Returns null when the point is complete, else why it is not.
 *
 * @example
 * ```ts
 * const ok = await runPoint("reports/sweeps/05-subitization-quick", 2);
 * ```
 */
export async function runPoint(
  dir: string,
  index: number,
  options: { progress?: boolean } = {},
): Promise<string | null> {
  const plan = await readPlan(dir);
  const point = plan.points[index];
  if (point === undefined) {
    throw new Error(
      `${dir}/plan.json has ${plan.points.length} points; there is no point ${index}`,
    );
  }
  const files = pointFiles(point);
  const before = await pointState(dir, point, plan.scale);
  // A complete point is left alone; runSweep writes a page that is missing.
  if (before.state === "complete") return null;
  const run = await runNotebookFile(point.notebook, {
    output: join(dir, files.notebook),
    params: point.params,
    env: pointEnv(point, plan.scale),
    timeoutS: plan.timeoutS,
    onProgress: options.progress ? terminalProgress(point.id) : undefined,
  });
  if (run.notebook) await writePointPage(dir, point, run.notebook);
  return run.status === "ok" ? null : `${point.id}: ${failureText(run)}`;
}

if (import.meta.main) {
  const stop = (status: number) => () => {
    killLiveKernels();
    Deno.exit(status);
  };
  Deno.addSignalListener("SIGINT", stop(130));
  Deno.addSignalListener("SIGTERM", stop(143));
  const [dir, index] = Deno.args;
  if (dir === undefined || !/^\d+$/.test(index ?? "")) {
    console.error("usage: deno run -A kernel/sweep/point.ts SWEEP_DIR INDEX");
    Deno.exit(2);
  }
  const progress = Deno.env.get("LENSES_PROGRESS") !== "quiet";
  try {
    const error = await runPoint(dir, Number(index), { progress });
    if (error !== null) console.error(error);
    Deno.exit(error === null ? 0 : 1);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
