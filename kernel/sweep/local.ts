/**
 * The local executor: runs a sweep's points on this machine, up to `jobs` at once, each as its
 * own worker process (kernel/sweep/point.ts) with the cores split between them through
 * `LENSES_THREADS`. Each worker's progress lines are passed on, and an overall bar follows every
 * point that ends.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { repoPath } from "../../lib/io/paths.ts";
import { seconds } from "../progress.ts";

/** How one point's worker ended. */
export interface WorkerEnd {
  /** The point's index in the plan. */
  index: number;
  /** Whether the worker reported the point complete (exit status 0). */
  ok: boolean;
  /** Why it did not, in words (exit status or scheduler state, and the last lines it printed). */
  detail: string;
}

/** Options for {@link runLocal}. */
export interface LocalOptions {
  /** Points run at once (default 1). */
  jobs?: number;
  /** Threads per point (default: the cores divided by `jobs`, at least 1). */
  threads?: number;
  /** Where progress lines go (default: none). */
  write?: (line: string) => void;
}

const TAIL_LINES = 12;
const workers = new Set<Deno.ChildProcess>();

/**
 * The command that runs point `index` of the sweep in `dir`, for this machine or a batch script.
 *
 * @example
 * ```ts
 * workerCommand("/scratch/sweep", "7"); // [".../deno", "run", "-A", "--config", ".../deno.json", ".../point.ts", "/scratch/sweep", "7"]
 * ```
 */
export function workerCommand(dir: string, index: string, deno = Deno.execPath()): string[] {
  return [
    deno,
    "run",
    "-A",
    "--config",
    repoPath("deno.json"),
    fileURLToPath(new URL("./point.ts", import.meta.url)),
    dir,
    index,
  ];
}

/**
 * A progress bar as text.
 *
 * @example
 * ```ts
 * progressBar(3, 6, 1); // "[sweep] ██████████░░░░░░░░░░ 3/6 points done (1 failed)"
 * ```
 */
export function progressBar(done: number, total: number, failed: number): string {
  const width = 20;
  const full = total === 0 ? width : Math.round((done / total) * width);
  return `[sweep] ${"█".repeat(full)}${"░".repeat(width - full)} ${done}/${total} points done` +
    (failed > 0 ? ` (${failed} failed)` : "");
}

/** Reads `stream` line by line, keeping the last lines and passing each to `onLine`. */
async function lines(
  stream: ReadableStream<Uint8Array>,
  tail: string[],
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    const parts = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      onLine(line);
    }
  }
  if (rest !== "") {
    tail.push(rest);
    onLine(rest);
  }
}

async function runWorker(
  dir: string,
  index: number,
  label: string,
  threads: number,
  write: (line: string) => void,
): Promise<WorkerEnd> {
  const [cmd, ...args] = workerCommand(dir, String(index));
  const child = new Deno.Command(cmd, {
    args,
    cwd: repoPath(),
    env: { LENSES_THREADS: String(threads) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  workers.add(child);
  const tail: string[] = [];
  const prefix = `[${label}]`;
  const show = (line: string) => write(line.startsWith(prefix) ? line : `${prefix} ${line}`);
  try {
    const [status] = await Promise.all([
      child.status,
      lines(child.stdout, tail, show),
      lines(child.stderr, tail, show),
    ]);
    if (status.success) return { index, ok: true, detail: "" };
    const how = status.signal ? `killed by ${status.signal}` : `exit status ${status.code}`;
    return { index, ok: false, detail: `worker ${how}; last output:\n${tail.join("\n")}` };
  } finally {
    workers.delete(child);
  }
}

/**
 * Runs the points `indices` of the sweep in `dir` (its plan.json written) and reports how
 * each worker ended, in the order of `indices`.
 *
 * @example
 * ```ts
 * const ends = await runLocal(dir, [0, 1, 2], ["a/seed-0", "a/seed-1", "a/seed-2"], { jobs: 2 });
 * ends.filter((e) => !e.ok).length;
 * ```
 */
export async function runLocal(
  dir: string,
  indices: readonly number[],
  labels: readonly string[],
  options: LocalOptions = {},
): Promise<WorkerEnd[]> {
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new Error(`--jobs ${jobs}: give a positive whole number of runs at once`);
  }
  const threads = options.threads ??
    Math.max(1, Math.floor(navigator.hardwareConcurrency / jobs));
  const write = options.write ?? (() => {});
  const ends: WorkerEnd[] = new Array(indices.length);
  let next = 0, done = 0, failed = 0;
  const lane = async () => {
    while (next < indices.length) {
      const k = next++;
      const t0 = performance.now();
      const end = await runWorker(dir, indices[k], labels[k], threads, write);
      ends[k] = end;
      done++;
      if (!end.ok) failed++;
      write(
        `[${labels[k]}] ${end.ok ? "complete" : "failed"} after ${
          seconds(performance.now() - t0)
        }` +
          (end.ok ? "" : `: ${end.detail.split("\n")[0]}`),
      );
      write(progressBar(done, indices.length, failed));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, indices.length) }, lane));
  return ends;
}

/**
 * Stops every worker this process started (SIGTERM: each kills its kernel and writes nothing),
 * for Ctrl-C on the sweep.
 *
 * @example
 * ```ts
 * Deno.addSignalListener("SIGINT", () => { stopLocalWorkers(); Deno.exit(130); });
 * ```
 */
export function stopLocalWorkers(): void {
  for (const child of workers) {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
  }
}
