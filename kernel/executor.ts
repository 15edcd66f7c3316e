/**
 * Executes a notebook's code cells, in order, on a kernel it is handed, collecting outputs and
 * timings into a copy of the notebook. It does no file I/O and does not start or stop kernels
 * (nbclient's split): the runner owns both.
 *
 * @module
 */

import type { Kernel } from "./kernel.ts";
import {
  type Cell,
  type CodeCell,
  type ErrorOutput,
  joinSource,
  type Notebook,
} from "./nbformat.ts";
import { CellOutputs, DisplayRegistry } from "./outputs.ts";
import type { Message } from "./wire.ts";

/** Options for {@link executeNotebook}. */
export interface ExecuteOptions {
  /** Per-cell time limit in milliseconds; none when omitted. */
  timeoutMs?: number;
  /** Go on after a cell raises (timeouts and kernel deaths still stop the run). */
  allowErrors?: boolean;
  /** Quiet time that ends a cell's iopub drain after idle (late broadcasts). Default 150 ms. */
  drainMs?: number;
  /** How long an interrupted cell gets to stop before the kernel is killed. Default 5 s. */
  interruptGraceMs?: number;
  /**
   * Longest wait, after a cell, for its late output (the fence): past it the run goes on and the
   * cell says that some of its output may be missing. Default 60 s.
   */
  fenceDeadlineMs?: number;
  /**
   * Heartbeat period while a cell runs. Deno's kernel answers heartbeats even while a cell
   * computes, so two missed in a row mean a hung or stopped kernel. Default 5 s.
   */
  heartbeatMs?: number;
  /**
   * Most characters kept of one stream output; beyond it the oldest lines are dropped, with a
   * note saying how much. Default: `DEFAULT_MAX_STREAM_CHARS` of kernel/outputs.ts (1 MB).
   */
  maxStreamChars?: number;
  /** Called when a code cell starts and ends. */
  onProgress?: (event: ProgressEvent) => void;
}

/** A code cell starting or finishing. */
export interface ProgressEvent {
  phase: "start" | "end";
  /** 1-based position among the code cells that run. */
  n: number;
  /** Number of code cells that run. */
  total: number;
  /** Index of the cell in the notebook (0-based). */
  cellIndex: number;
  /** Milliseconds since the notebook started. */
  elapsedMs: number;
  /** Cell duration (end only). */
  durationMs?: number;
  /** How the cell ended (end only). */
  status?: CellStatus;
}

/** How one cell ended. */
export type CellStatus = "ok" | "error" | "timeout" | "dead";

/** How the whole run ended: the first non-ok cell decides. */
export type RunStatus = CellStatus;

/** What went wrong, for reports. */
export interface RunError {
  /** 0-based index of the cell in the notebook. */
  cellIndex: number;
  ename: string;
  evalue: string;
}

/** Result of {@link executeNotebook}. */
export interface ExecutionResult {
  /** The executed copy of the notebook (the input is not modified). */
  notebook: Notebook;
  status: RunStatus;
  error?: RunError;
  /** Measured duration of every code cell that ran, by notebook index. */
  cellDurationsMs: Record<number, number>;
  durationMs: number;
}

/**
 * Runs every non-empty code cell of `nb` on `kernel`.
 *
 * @example
 * ```ts
 * const kernel = await startKernel();
 * try {
 *   const result = await executeNotebook(nb, kernel, { timeoutMs: 60_000 });
 *   console.log(result.status);
 * } finally {
 *   await kernel.shutdown();
 * }
 * ```
 */
export async function executeNotebook(
  nb: Notebook,
  kernel: Kernel,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const drainMs = options.drainMs ?? 150;
  const notebook: Notebook = structuredClone(nb);
  const displays = new DisplayRegistry();
  const router = new IopubRouter(kernel, displays, options.maxStreamChars);
  const runnable = notebook.cells
    .map((cell, index) => ({ cell, index }))
    .filter((c): c is { cell: CodeCell; index: number } =>
      isCode(c.cell) && joinSource(c.cell.source).trim() !== ""
    );
  for (const { cell } of runnable) {
    cell.outputs = [];
    cell.execution_count = null;
    delete cell.metadata.execution;
  }
  const started = performance.now();
  const cellDurationsMs: Record<number, number> = {};
  let status: RunStatus = "ok";
  let error: RunError | undefined;
  for (const [i, { cell, index }] of runnable.entries()) {
    const n = i + 1;
    const cellStart = performance.now();
    options.onProgress?.({
      phase: "start",
      n,
      total: runnable.length,
      cellIndex: index,
      elapsedMs: cellStart - started,
    });
    const { status: cellStatus, durationMs } = await runCell(
      cell,
      kernel,
      router,
      { ...options, drainMs },
    );
    cellDurationsMs[index] = durationMs;
    options.onProgress?.({
      phase: "end",
      n,
      total: runnable.length,
      cellIndex: index,
      elapsedMs: performance.now() - started,
      durationMs,
      status: cellStatus,
    });
    if (cellStatus === "ok") continue;
    if (status === "ok") {
      const last = cell.outputs.findLast((o) => o.output_type === "error") as
        | ErrorOutput
        | undefined;
      status = cellStatus;
      error = {
        cellIndex: index,
        ename: last?.ename ?? "Error",
        evalue: last?.evalue ?? "the cell failed",
      };
    }
    if (cellStatus !== "error" || !options.allowErrors) break;
  }
  // Late messages (a final broadcast, a result after idle) still land in their cells.
  await router.drain(drainMs);
  router.flush();
  return {
    notebook,
    status,
    error,
    cellDurationsMs,
    durationMs: performance.now() - started,
  };
}

function isCode(cell: Cell): cell is CodeCell {
  return cell.cell_type === "code";
}

/**
 * Routes iopub messages to the cell whose request they answer, by parent msg_id. Deno's kernel
 * stamps stdout with the request running when the text is *sent*, which can be long after the
 * cell went idle (a cell printing 20 MB is idle with most of it still queued): a fence request
 * after each cell takes that backlog, and the router gives it back to the cell it came from.
 */
class IopubRouter {
  private readonly cells = new Map<string, CellState>();
  private readonly fences = new Map<string, Fence>();
  private readonly dirty = new Set<CellState>();

  constructor(
    private readonly kernel: Kernel,
    private readonly displays: DisplayRegistry,
    private readonly maxStreamChars: number | undefined,
  ) {}

  register(msgId: string, cell: CodeCell): CellState {
    const state: CellState = {
      cell,
      outputs: new CellOutputs(this.displays, this.maxStreamChars),
      idle: false,
    };
    this.cells.set(msgId, state);
    return state;
  }

  /**
   * Sends a silent request that prints a unique marker on stdout and stderr and applies
   * messages until both markers are back: every line the cell printed before is then here,
   * and lines stamped with the fence's id go to `state`. Gives up when the kernel dies, sends
   * nothing for `quietMs`, or the markers are not back by `deadlineMs`; says whether they came.
   */
  async fence(state: CellState, quietMs: number, deadlineMs: number): Promise<boolean> {
    const marker = `lenses-fence-${crypto.randomUUID()}`;
    let msgId: string;
    try {
      msgId = await this.kernel.client.send("shell", "execute_request", {
        code: `console.log(${JSON.stringify(marker)}); console.error(${JSON.stringify(marker)});`,
        silent: true,
        store_history: false,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: false,
      });
    } catch {
      return true; // the kernel is gone; the caller finds out
    }
    const fence: Fence = { state, marker, pending: new Set(["stdout", "stderr"]) };
    this.fences.set(msgId, fence);
    const end = performance.now() + deadlineMs;
    while (fence.pending.size > 0 && this.kernel.process.exitStatus === null) {
      const left = end - performance.now();
      if (left <= 0 || await this.step(Math.min(quietMs, left)) === null) break;
    }
    // Its reply is not needed, but taken so the client does not keep it (it has come by now
    // unless the kernel is wedged, hence the short wait).
    if (this.kernel.process.exitStatus === null) await this.kernel.client.reply(msgId, 1000);
    return fence.pending.size === 0 || this.kernel.process.exitStatus !== null;
  }

  /** Reads one iopub message (waiting at most `timeoutMs`) and applies it. */
  async step(timeoutMs: number): Promise<Message | null> {
    const m = await this.kernel.client.nextIopub(timeoutMs);
    if (m === null) return null;
    const parent = m.parent_header.msg_id ?? "";
    const type = m.header.msg_type;
    const fence = this.fences.get(parent);
    if (fence !== undefined) {
      if (type === "stream") this.fenced(fence, m);
      return m;
    }
    const state = this.cells.get(parent);
    if (state === undefined) {
      // An update for a display shown earlier can come from any request.
      if (type === "update_display_data") {
        this.displays.update(displayOf(m), m.content);
      }
      return m;
    }
    const now = new Date().toISOString();
    const timing = (state.cell.metadata.execution ??= {}) as Record<
      string,
      string
    >;
    if (type === "status") {
      if (m.content.execution_state === "busy") {
        timing["iopub.status.busy"] ??= now;
      }
      if (m.content.execution_state === "idle") {
        timing["iopub.status.idle"] = now;
        state.idle = true;
      }
    } else if (type === "execute_input") {
      timing["iopub.execute_input"] = now;
      if (typeof m.content.execution_count === "number") {
        state.cell.execution_count = m.content.execution_count;
      }
    } else if (state.outputs.handle(m)) {
      this.dirty.add(state);
    }
    return m;
  }

  /** A stream message stamped with a fence: the cell's backlog, less the marker. */
  private fenced(fence: Fence, m: Message): void {
    const name = m.content.name === "stderr" ? "stderr" : "stdout";
    const text = String(m.content.text ?? "");
    const at = text.indexOf(fence.marker);
    let rest = text;
    if (at >= 0) {
      fence.pending.delete(name);
      rest = text.slice(0, at) + text.slice(at + fence.marker.length).replace(/^\r?\n/, "");
    }
    if (rest === "") return;
    fence.state.outputs.handle({ ...m, content: { ...m.content, text: rest } });
    this.dirty.add(fence.state);
  }

  /** Writes the outputs of every cell changed since the last flush into its notebook cell. */
  flush(): void {
    for (const state of this.dirty) state.cell.outputs = state.outputs.list;
    this.dirty.clear();
  }

  /** Applies messages until none has come for `quietMs` (bounded to 2 s in all). */
  async drain(quietMs: number): Promise<void> {
    const end = Date.now() + 2000;
    while (Date.now() < end && (await this.step(quietMs)) !== null) {
      // keep applying
    }
  }
}

interface CellState {
  cell: CodeCell;
  outputs: CellOutputs;
  idle: boolean;
}

interface Fence {
  state: CellState;
  marker: string;
  /** Streams whose marker has not come back yet. */
  pending: Set<"stdout" | "stderr">;
}

function displayOf(m: Message): string | undefined {
  const id = (m.content.transient as Record<string, unknown> | undefined)
    ?.display_id;
  return typeof id === "string" ? id : undefined;
}

/**
 * Runs one cell to its end: reply and idle seen, then a short drain for late messages (later
 * ones still reach the cell: the router matches them by parent id).
 */
async function runCell(
  cell: CodeCell,
  kernel: Kernel,
  router: IopubRouter,
  options: ExecuteOptions & { drainMs: number },
): Promise<{ status: CellStatus; durationMs: number }> {
  const client = kernel.client;
  let msgId: string;
  try {
    msgId = await client.send("shell", "execute_request", {
      code: joinSource(cell.source),
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: !options.allowErrors,
    });
  } catch {
    // The connection is gone: the kernel died between cells.
    cell.outputs = [deadKernelError(kernel, "the kernel could not be reached")];
    return { status: "dead", durationMs: 0 };
  }
  const started = performance.now();
  const state = router.register(msgId, cell);
  const done = (status: CellStatus, error?: ErrorOutput) => {
    if (error) state.outputs.push(error);
    cell.outputs = state.outputs.list;
    return { status, durationMs: performance.now() - started };
  };
  let reply: Message | null = null;
  const limit = options.timeoutMs ?? Infinity;
  let interruptedAt: number | null = null;
  const grace = options.interruptGraceMs ?? 5000;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  let lastBeat = started;
  let beating: Promise<void> | null = null;
  let missedBeats = 0;
  while (!(state.idle && reply !== null)) {
    if (kernel.process.exitStatus !== null) {
      // What the kernel sent before it died still belongs above the error.
      await router.drain(options.drainMs);
      return done("dead", deadKernelError(kernel, "the kernel died"));
    }
    const now = performance.now();
    if (missedBeats >= 2) {
      await kernel.process.kill();
      return done(
        "dead",
        deadKernelError(kernel, "the kernel stopped answering heartbeats"),
      );
    }
    if (beating === null && now - lastBeat > heartbeatMs) {
      beating = client.heartbeat(heartbeatMs).then((ok) => {
        missedBeats = ok ? 0 : missedBeats + 1;
        lastBeat = performance.now();
        beating = null;
      });
    }
    if (interruptedAt === null && now - started > limit) {
      interruptedAt = now;
      await kernel.interrupt().catch(() => {});
    } else if (interruptedAt !== null && now - interruptedAt > grace) {
      await kernel.process.kill();
      return done("timeout", timeoutError(limit, true));
    }
    await router.step(100);
    reply ??= takeReply(client, msgId, cell);
  }
  const result = interruptedAt !== null
    ? done("timeout", timeoutError(limit, false))
    : done((reply as Message).content.status === "ok" ? "ok" : "error");
  await router.drain(Math.min(options.drainMs, 50));
  const deadline = options.fenceDeadlineMs ?? 60_000;
  if (kernel.process.exitStatus === null && !await router.fence(state, FENCE_QUIET_MS, deadline)) {
    state.outputs.push({
      output_type: "stream",
      name: "stderr",
      text: `[lenses: the kernel had not sent all of this cell's output ${
        deadline / 1000
      } s after it ended; the run went on, so some may be missing or under a later cell]\n`,
    });
  }
  router.flush();
  return result;
}

/** How long the kernel may send nothing before a fence is given up (a wedged event loop). */
const FENCE_QUIET_MS = 10_000;

/** The cell's execute_reply if it has come, recording its time and execution count. */
function takeReply(
  client: Kernel["client"],
  msgId: string,
  cell: CodeCell,
): Message | null {
  const reply = client.takeReply(msgId);
  if (reply === null) return null;
  const timing = (cell.metadata.execution ??= {}) as Record<string, string>;
  timing["shell.execute_reply"] = new Date().toISOString();
  if (typeof reply.content.execution_count === "number") {
    cell.execution_count = reply.content.execution_count;
  }
  return reply;
}

function timeoutError(limitMs: number, killed: boolean): ErrorOutput {
  const evalue = `the cell did not finish within ${limitMs / 1000} s; ${
    killed ? "it ignored the interrupt, so the kernel was killed" : "it was interrupted"
  } (raise --timeout to give it longer)`;
  return {
    output_type: "error",
    ename: "CellTimeoutError",
    evalue,
    traceback: [`CellTimeoutError: ${evalue}`],
  };
}

function deadKernelError(kernel: Kernel, what: string): ErrorOutput {
  const exit = kernel.process.exitStatus;
  const how = exit === null
    ? "the process is still there"
    : exit.signal
    ? `signal ${exit.signal}`
    : `exit code ${exit.code}`;
  const evalue = `${what} while running this cell (${how})`;
  const log = kernel.process.log.split("\n")
    .filter((line) => !line.includes('"deno jupyter" is unstable'))
    .join("\n").trim();
  return {
    output_type: "error",
    ename: "DeadKernelError",
    evalue,
    traceback: [
      `DeadKernelError: ${evalue}`,
      ...(log ? ["kernel log:", ...log.split("\n").slice(-20)] : []),
    ],
  };
}
