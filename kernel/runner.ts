/**
 * The headless runner: notebook file in, executed notebook file out. It reads the notebook,
 * injects parameters, starts a fresh kernel in the notebook's directory, hands both to the
 * executor, records the run in the notebook's metadata, validates against nbformat 4.5 and
 * writes atomically. The source file is never touched unless the output path is the source.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { checkDestination, DestinationError, writeOrKeep } from "./destination.ts";
import { executeNotebook, type ProgressEvent, type RunError, type RunStatus } from "./executor.ts";
import { type Kernel, startKernel } from "./kernel.ts";
import {
  joinSource,
  type Notebook,
  NotebookFormatError,
  notebookName,
  readNotebook,
  serializeNotebook,
} from "./nbformat.ts";
import { checkParams, injectParameters, ParamError, type Params } from "./params.ts";
import { reportsDir } from "./paths.ts";
import { removeStaleTemps } from "../lib/io/fs.ts";
import { validateNotebook } from "./validate.ts";

/** Options for {@link runNotebookFile}. */
export interface RunOptions {
  /** Where to write the executed notebook; default reports/<name>.ipynb. */
  output?: string;
  /** Per-cell limit in seconds. */
  timeoutS?: number;
  allowErrors?: boolean;
  params?: Params;
  /** Extra kernel environment (LENSES_SCALE etc.). */
  env?: Record<string, string>;
  /** Most characters kept of one stream output (the tail is kept); see executeNotebook. */
  maxStreamChars?: number;
  onProgress?: (event: ProgressEvent) => void;
}

/** How a notebook run ended; "invalid" means the file could not be read as a notebook. */
export type RunOutcome = RunStatus | "invalid";

/** What one run produced, for the CLI and the report index. */
export interface RunSummary {
  /** Notebook name (file name without .ipynb). */
  name: string;
  source: string;
  /**
   * The executed notebook; absent when the input was not a notebook. When it could not be
   * written where asked, the fallback file (see `writeError`).
   */
  output?: string;
  /** Why the executed notebook is not at the path asked for, and where it is instead. */
  writeError?: string;
  status: RunOutcome;
  durationMs: number;
  /** Failing cell (0-based notebook index) and message. */
  error?: RunError | { cellIndex: null; ename: string; evalue: string };
  /** The executed notebook as written to `output`; absent when the input was not a notebook. */
  notebook?: Notebook;
  /** nbformat schema problems of the written notebook (a runner bug if any). */
  schemaProblems: string[];
}

/**
 * How a run that did not end "ok" ended, in one line: its status, the failing cell (1-based)
 * and the error.
 *
 * @example
 * ```ts
 * failureText({ status: "error", error: { cellIndex: 2, ename: "TypeError", evalue: "x" } });
 * // "error at cell 3: TypeError: x"
 * ```
 */
export function failureText(run: Pick<RunSummary, "status" | "error">): string {
  const e = run.error;
  const cell = e && e.cellIndex !== null ? ` at cell ${e.cellIndex + 1}` : "";
  return `${run.status}${cell}${e ? `: ${e.ename}: ${e.evalue}` : ""}`;
}

/** Notebook-level metadata the runner writes under metadata.lenses.runner. */
export interface RunnerMetadata {
  status: RunStatus;
  started: string;
  finished: string;
  duration_s: number;
  env: Record<string, string>;
  params: Params;
  error?: RunSummary["error"];
  /** Measured seconds per code cell, keyed by cell id. */
  cell_durations_s: Record<string, number>;
}

/**
 * Executes the notebook at `path` in a fresh kernel and writes the result.
 *
 * @example
 * ```ts
 * const summary = await runNotebookFile("notebooks/ilyas.ipynb", {
 *   env: { LENSES_SCALE: "smoke" },
 *   timeoutS: 600,
 * });
 * if (summary.status !== "ok") Deno.exit(1);
 * ```
 */
export async function runNotebookFile(
  path: string,
  options: RunOptions = {},
): Promise<RunSummary> {
  const name = notebookName(path);
  const output = resolve(
    options.output ?? join(reportsDir(), `${name}.ipynb`),
  );
  const invalid = (err: Error): RunSummary => ({
    name,
    source: path,
    status: "invalid",
    durationMs: 0,
    error: { cellIndex: null, ename: err.name, evalue: err.message },
    schemaProblems: [],
  });
  let source: Notebook;
  try {
    source = await readNotebook(path);
  } catch (err) {
    if (!(err instanceof NotebookFormatError)) throw err;
    return invalid(err);
  }
  let params: Params;
  try {
    params = checkParams(source, options.params ?? {});
    await checkDestination(output);
  } catch (err) {
    if (err instanceof ParamError || err instanceof DestinationError) return invalid(err);
    throw err;
  }
  await removeStaleTemps(dirname(output));
  const notebook = injectParameters(source, params);
  const started = new Date();
  const t0 = performance.now();
  const { executed, status, error, cellDurations } = await execute(
    notebook,
    path,
    options,
  );
  const durationMs = performance.now() - t0;
  const runner: RunnerMetadata = {
    status,
    started: started.toISOString(),
    finished: new Date().toISOString(),
    duration_s: round(durationMs / 1000),
    env: options.env ?? {},
    params,
    ...(error ? { error } : {}),
    cell_durations_s: Object.fromEntries(
      Object.entries(cellDurations).map((
        [i, ms],
      ) => [executed.cells[Number(i)].id, round(ms / 1000)]),
    ),
  };
  const lenses = (executed.metadata.lenses ?? {}) as Record<string, unknown>;
  executed.metadata = { ...executed.metadata, lenses: { ...lenses, runner } };
  const schemaProblems = validateNotebook(executed);
  const written = await writeOrKeep(output, serializeNotebook(executed));
  return {
    name,
    source: path,
    output: written.path,
    ...(written.error ? { writeError: written.error } : {}),
    status,
    durationMs,
    error,
    notebook: executed,
    schemaProblems,
  };
}

interface Execution {
  executed: Notebook;
  status: RunStatus;
  error?: RunSummary["error"];
  cellDurations: Record<number, number>;
}

/** Starts a kernel in the notebook's directory (unless there is no code) and executes. */
async function execute(
  notebook: Notebook,
  path: string,
  options: RunOptions,
): Promise<Execution> {
  const hasCode = notebook.cells.some((c) =>
    c.cell_type === "code" && joinSource(c.source).trim() !== ""
  );
  if (!hasCode) {
    return {
      executed: structuredClone(notebook),
      status: "ok",
      cellDurations: {},
    };
  }
  let kernel: Kernel;
  try {
    kernel = await startKernel({
      cwd: dirname(resolve(path)),
      env: options.env,
    });
  } catch (err) {
    // The notebook is still written, unexecuted, with the reason.
    return {
      executed: structuredClone(notebook),
      status: "dead",
      error: {
        cellIndex: null,
        ename: "KernelStartError",
        evalue: (err as Error).message,
      },
      cellDurations: {},
    };
  }
  try {
    const result = await executeNotebook(notebook, kernel, {
      timeoutMs: options.timeoutS === undefined ? undefined : options.timeoutS * 1000,
      allowErrors: options.allowErrors,
      maxStreamChars: options.maxStreamChars,
      onProgress: options.onProgress,
    });
    return {
      executed: result.notebook,
      status: result.status,
      error: result.error,
      cellDurations: result.cellDurationsMs,
    };
  } finally {
    await kernel.shutdown();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
