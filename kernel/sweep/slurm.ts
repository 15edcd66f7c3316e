/**
 * The Slurm executor: one job array for the points still to run (array index = the point's
 * index in plan.json), submitted with `sbatch`, followed with `squeue` until every task has
 * ended, each task's end read back with `scontrol`. Tasks run the same worker as the local
 * executor and write into the sweep folder, so the folder must be on a file system the compute
 * nodes share; the cluster needs nothing but Deno and this checkout.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../../lib/io/fs.ts";
import { repoPath } from "../../lib/io/paths.ts";
import { workerCommand, type WorkerEnd } from "./local.ts";

/** What the job array asks the cluster for. */
export interface SlurmOptions {
  /** Partition (`--partition`); default: the cluster's default partition. */
  partition?: string;
  /** Cores per point (`--cpus-per-task`, also the point's LENSES_THREADS); default 2. */
  cpusPerTask?: number;
  /** Memory per point (`--mem`, e.g. "8G"). */
  mem?: string;
  /** Time limit per point (`--time`, e.g. "01:00:00"). */
  time?: string;
  /** GPUs per point (`--gres=gpu:N`, or a typed request such as "a100:1"). */
  gpus?: string;
  /** At most this many points at once (`--array=...%N`). */
  maxRunning?: number;
  /** Further `sbatch` options, each as one argument (e.g. "--account=lab"). */
  sbatchArgs?: string[];
  /** The deno binary on the compute nodes; default the one running this (a shared path). */
  deno?: string;
  /** Seconds between `squeue` polls (default 5). */
  pollS?: number;
  /** Where progress lines go (default: none). */
  write?: (line: string) => void;
}

let activeJob: string | null = null;

/** Quotes `text` for bash. */
function shellQuote(text: string): string {
  return /^[\w./:=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The batch script for the points `indices` of the sweep in `dir`.
 *
 * @example
 * ```ts
 * const script = batchScript("/shared/sweep", [0, 2], { cpusPerTask: 4, gpus: "1" });
 * // #SBATCH --array=0,2 ... #SBATCH --gres=gpu:1 ... exec deno run ... "$SLURM_ARRAY_TASK_ID"
 * ```
 */
export function batchScript(
  dir: string,
  indices: readonly number[],
  options: SlurmOptions = {},
): string {
  if (indices.length === 0) throw new Error("batchScript: no points to run");
  const cpus = options.cpusPerTask ?? 2;
  if (!Number.isInteger(cpus) || cpus < 1) {
    throw new Error(`--cpus-per-task ${cpus}: give a positive whole number of cores`);
  }
  const limit = options.maxRunning === undefined ? "" : `%${options.maxRunning}`;
  const directives = [
    `--job-name=lenses-sweep`,
    `--array=${indices.join(",")}${limit}`,
    `--cpus-per-task=${cpus}`,
    `--ntasks=1`,
    `--output=${join(dir, "slurm", "%A_%a.log")}`,
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(options.gpus ? [`--gres=gpu:${options.gpus}`] : []),
    ...(options.sbatchArgs ?? []),
  ];
  const command = workerCommand(dir, "__INDEX__", options.deno).map(shellQuote).join(" ")
    .replace("__INDEX__", '"$SLURM_ARRAY_TASK_ID"');
  return [
    "#!/bin/bash",
    "# Written by `deno task sweep --executor slurm`: one array task per point of the sweep.",
    ...directives.map((d) => `#SBATCH ${d}`),
    "set -euo pipefail",
    `cd ${shellQuote(repoPath())}`,
    // The point's BLAS uses exactly the cores Slurm gave it.
    "export LENSES_THREADS=${SLURM_CPUS_PER_TASK:-1}",
    `exec ${command}`,
    "",
  ].join("\n");
}

async function command(
  cmd: string,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(cmd, { args, stdin: "null" }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        `${cmd} not found: the slurm executor needs Slurm's commands (sbatch, squeue, scontrol) ` +
          "on PATH; run the sweep on a login node, or use --executor local",
      );
    }
    throw err;
  }
  const decode = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return { ok: output.success, out: decode(output.stdout), err: decode(output.stderr) };
}

/** Each array task's final state and exit code, from `scontrol show job`. */
async function taskEnds(jobId: string): Promise<Map<number, { state: string; exit: string }>> {
  const ends = new Map<number, { state: string; exit: string }>();
  const { out } = await command("scontrol", ["-o", "show", "job", jobId]);
  for (const line of out.split("\n")) {
    const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S+)`).exec(line)?.[1];
    const task = field("ArrayTaskId");
    if (task !== undefined && /^\d+$/.test(task)) {
      ends.set(Number(task), { state: field("JobState") ?? "?", exit: field("ExitCode") ?? "?" });
    }
  }
  return ends;
}

async function logTail(dir: string, jobId: string, index: number): Promise<string> {
  try {
    const text = await Deno.readTextFile(join(dir, "slurm", `${jobId}_${index}.log`));
    return text.trimEnd().split("\n").slice(-12).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Submits the points `indices` of the sweep in `dir` as one job array, follows it until every
 * task has ended, and reports how each ended (in the order of `indices`).
 *
 * @example
 * ```ts
 * const ends = await runSlurm(dir, [0, 1, 2], ["a/seed-0", "a/seed-1", "a/seed-2"],
 *   { partition: "gpu", gpus: "1", time: "02:00:00" });
 * ```
 */
export async function runSlurm(
  dir: string,
  indices: readonly number[],
  labels: readonly string[],
  options: SlurmOptions = {},
): Promise<WorkerEnd[]> {
  const write = options.write ?? (() => {});
  const script = join(dir, "slurm", `sweep-${Date.now()}.sbatch`);
  await writeFileAtomic(script, batchScript(dir, indices, options));
  const submitted = await command("sbatch", ["--parsable", script]);
  if (!submitted.ok) {
    throw new Error(`sbatch refused the job array (${script}): ${submitted.err || submitted.out}`);
  }
  const jobId = submitted.out.split(";")[0].trim();
  activeJob = jobId;
  write(`[slurm] submitted job array ${jobId} (${indices.length} points): ${script}`);
  const label = new Map(indices.map((i, k) => [i, labels[k]]));
  const seen = new Map<number, string>();
  let failures = 0;
  try {
    while (true) {
      const queue = await command("squeue", ["-h", "-r", "-j", jobId, "-o", "%K %T"]);
      // Once the job has left the queue, squeue prints nothing or calls the id invalid; any other
      // failure (a busy controller) is retried before giving up on following the job.
      if (!queue.ok && !/invalid job id/i.test(queue.err)) {
        if (++failures > 5) {
          throw new Error(
            `squeue keeps failing while following job ${jobId} (${queue.err}); the job may ` +
              "still be running: rerun the sweep once it ends to gather its results",
          );
        }
        await new Promise((r) => setTimeout(r, (options.pollS ?? 5) * 1000));
        continue;
      }
      failures = 0;
      const rows = queue.ok ? queue.out.split("\n").filter((l) => l.trim() !== "") : [];
      for (const row of rows) {
        const [task, state] = row.trim().split(/\s+/);
        const index = Number(task);
        if (Number.isInteger(index) && seen.get(index) !== state) {
          seen.set(index, state);
          write(`[slurm] ${jobId}_${index} ${label.get(index) ?? ""}: ${state.toLowerCase()}`);
        }
      }
      if (rows.length === 0) break;
      await new Promise((r) => setTimeout(r, (options.pollS ?? 5) * 1000));
    }
  } finally {
    activeJob = null;
  }
  const ends = await taskEnds(jobId);
  return Promise.all(indices.map(async (index) => {
    const end = ends.get(index);
    if (end?.state === "COMPLETED") return { index, ok: true, detail: "" };
    const how = end
      ? `Slurm task ${jobId}_${index} ${end.state} (exit ${end.exit})`
      : `Slurm task ${jobId}_${index} ended`;
    return { index, ok: false, detail: `${how}; log tail:\n${await logTail(dir, jobId, index)}` };
  }));
}

/**
 * Cancels the job array being followed (for Ctrl-C on the sweep), so no point goes on running
 * unattended; each task's worker gets SIGTERM, kills its kernel and writes nothing.
 *
 * @example
 * ```ts
 * Deno.addSignalListener("SIGINT", () => { cancelSlurmJob(); Deno.exit(130); });
 * ```
 */
export function cancelSlurmJob(): void {
  if (activeJob === null) return;
  try {
    new Deno.Command("scancel", { args: [activeJob], stdout: "null", stderr: "null" }).outputSync();
  } catch {
    // scancel missing or failing: nothing more can be done from here.
  }
}
