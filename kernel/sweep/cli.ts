/**
 * `deno task sweep`: the command line of sweeps (kernel/cli.ts dispatches to it).
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseParamGrid, parseSeeds } from "./grid.ts";
import { sweepText } from "./page.ts";
import { type ExecutorName, runSweep } from "./sweep.ts";
import { log, quiet, scaleOf, timeoutOf, UsageError } from "../cli_options.ts";

/**
 * Usage lines of the sweep command.
 *
 * @example
 * ```ts
 * console.log(SWEEP_USAGE);
 * ```
 */
export const SWEEP_USAGE =
  `  deno task sweep NOTEBOOK... [--seeds 0-4 | --seeds 0,3,7] [--param k=v1,v2,...]... [--scale S]
                  [--executor local|slurm] [--jobs N] [--timeout S] [-o DIR] [--only POINT]... [--quiet]
                  slurm: [--partition P] [--cpus-per-task N] [--mem 8G] [--time 01:00:00]
                         [--gpus N] [--sbatch ARG]... [--deno PATH]`;

function positiveInt(name: string, value: string | undefined) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--${name} ${value}: expected a positive integer`);
  }
  return n;
}

/**
 * Runs `deno task sweep ARGS` and returns the exit status: 0 when every point is complete, 1
 * when some are not.
 *
 * @example
 * ```ts
 * await sweepCommand(["notebooks/05-subitization.ipynb", "--seeds", "0-2"]);
 * ```
 */
export async function sweepCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seeds: { type: "string", default: "0-4" },
      param: { type: "string", short: "p", multiple: true },
      scale: { type: "string" },
      executor: { type: "string", default: "local" },
      jobs: { type: "string", short: "j" },
      timeout: { type: "string" },
      output: { type: "string", short: "o" },
      only: { type: "string", multiple: true },
      quiet: { type: "boolean", short: "q" },
      partition: { type: "string" },
      "cpus-per-task": { type: "string" },
      mem: { type: "string" },
      time: { type: "string" },
      gpus: { type: "string" },
      sbatch: { type: "string", multiple: true },
      deno: { type: "string" },
    },
  });
  if (positionals.length === 0) throw new UsageError("sweep: name a notebook");
  const executor = values.executor as ExecutorName;
  if (executor !== "local" && executor !== "slurm") {
    throw new UsageError(`--executor ${values.executor}: use local or slurm`);
  }
  let seeds, grid;
  try {
    seeds = parseSeeds(values.seeds);
    grid = parseParamGrid(values.param ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const write = quiet(values.quiet) ? undefined : log;
  let summary;
  try {
    summary = await runSweep({
      notebooks: positionals,
      seeds,
      grid,
      scale: scaleOf(values.scale),
      timeoutS: timeoutOf(values.timeout),
      outDir: values.output,
      executor,
      jobs: positiveInt("jobs", values.jobs),
      only: values.only,
      slurm: {
        partition: values.partition,
        cpusPerTask: positiveInt("cpus-per-task", values["cpus-per-task"]),
        mem: values.mem,
        time: values.time,
        gpus: values.gpus,
        sbatchArgs: values.sbatch,
        deno: values.deno,
      },
      write,
    });
  } catch (err) {
    // Bad points (--only), an unusable sweep folder, sbatch refusing the job: one line, no trace.
    log(`error: ${(err as Error).message}`);
    return 2;
  }
  for (const line of sweepText(summary)) log(line);
  log(`wrote ${join(summary.dir, "index.html")} and ${join(summary.dir, "sweep.json")}`);
  return summary.ok ? 0 : 1;
}
