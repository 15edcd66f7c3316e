/**
 * Progress of long loops (training, attacks): one output updated in place in a notebook, a
 * one-line bar on a terminal, nothing in tests and CI.
 *
 * @module
 */

import { escapeHtml, formatNumber } from "./format.ts";
import { jupyterApi, type MimeBundle, newDisplayId } from "./output.ts";

/** Where progress goes: `auto` picks jupyter, terminal or quiet from the environment. */
export type ProgressMode = "auto" | "jupyter" | "terminal" | "quiet";

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Number of steps (batches, epochs, examples) that make 100%. */
  total: number;
  /** What is progressing, e.g. "epoch 3" or "PGD-20". */
  label?: string;
  /** Default `auto`; the environment variable LENSES_PROGRESS overrides it. */
  mode?: ProgressMode;
  /**
   * Milliseconds on a monotonic clock (default `performance.now`), which paces redraws and
   * times the loop; tests pass their own so that throttling does not depend on machine load.
   */
  clock?: () => number;
}

/** A progress display. */
export interface Progress {
  /** The mode in use after resolving `auto` and LENSES_PROGRESS. */
  readonly mode: Exclude<ProgressMode, "auto">;
  /** Reports `done` steps and optional metrics (numbers, e.g. { loss: 0.31 }). */
  update(done: number, metrics?: Record<string, number>): void;
  /** Shows the final state; call once at the end. */
  finish(metrics?: Record<string, number>): void;
}

const MODES: readonly ProgressMode[] = ["auto", "jupyter", "terminal", "quiet"];
/** Minimum time between two redraws, in ms: notebooks re-render each update. */
const INTERVAL_MS: Record<"jupyter" | "terminal", number> = {
  jupyter: 250,
  terminal: 100,
};

function envMode(): string | undefined {
  try {
    return Deno.env.get("LENSES_PROGRESS") || undefined;
  } catch {
    // Without --allow-env the variable cannot be read; fall back to the requested mode.
    return undefined;
  }
}

function resolveMode(requested: ProgressMode): Exclude<ProgressMode, "auto"> {
  const forced = envMode();
  if (
    forced !== undefined &&
    (!MODES.includes(forced as ProgressMode) || forced === "auto")
  ) {
    throw new Error(
      `LENSES_PROGRESS=${forced} is not a progress mode; use quiet, terminal or jupyter (or unset it).`,
    );
  }
  const mode = (forced as ProgressMode | undefined) ?? requested;
  if (!MODES.includes(mode)) {
    throw new Error(
      `createProgress: unknown mode ${JSON.stringify(mode)}; use auto, jupyter, terminal or quiet.`,
    );
  }
  if (mode === "jupyter" && !jupyterApi()) {
    throw new Error(
      "createProgress: mode jupyter needs Deno's Jupyter kernel (deno jupyter); " +
        "use auto, terminal or quiet in scripts.",
    );
  }
  if (mode !== "auto") return mode;
  if (jupyterApi()) return "jupyter";
  return Deno.stderr.isTerminal() ? "terminal" : "quiet";
}

/**
 * Formats a duration in seconds compactly: "42s", "3m05s", "1h02m".
 *
 * @example
 * ```ts
 * formatDuration(185); // "3m05s"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) {
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  }
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function checkMetrics(metrics: Record<string, number> | undefined): void {
  for (const [key, value] of Object.entries(metrics ?? {})) {
    if (typeof value !== "number") {
      throw new Error(
        `progress: metric "${key}" is a ${typeof value}; pass a number ` +
          `(for a tensor: (await loss.data())[0]).`,
      );
    }
  }
}

/** The state a progress display shows. */
export interface ProgressState {
  /** What is progressing. */
  label?: string;
  /** Steps done. */
  done: number;
  /** Steps that make 100%. */
  total: number;
  /** Seconds since the start. */
  elapsed: number;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
  /** Whether finish() was called. */
  finished: boolean;
}

function parts(state: ProgressState): string[] {
  const { done, total, elapsed, finished } = state;
  const rate = elapsed > 0 ? done / elapsed : 0;
  const out = [`${done}/${total}`];
  if (rate > 0) {
    out.push(
      rate >= 1 ? `${formatNumber(rate, 3)} it/s` : `${formatNumber(1 / rate, 3)} s/it`,
    );
  }
  out.push(
    finished
      ? `done in ${formatDuration(elapsed)}`
      : rate > 0
      ? `eta ${formatDuration((total - done) / rate)}`
      : `${formatDuration(elapsed)}`,
  );
  for (const [key, value] of Object.entries(state.metrics)) {
    out.push(`${key}=${formatNumber(value)}`);
  }
  return out;
}

/**
 * The text line of a progress state (what the terminal shows and `text/plain` holds).
 *
 * @example
 * ```ts
 * progressLine({ label: "train", done: 5, total: 10, elapsed: 2, metrics: { loss: 0.5 }, finished: false });
 * // "train [##########----------]  50%  5/10  2.50 it/s  eta 2s  loss=0.5000"
 * ```
 */
export function progressLine(state: ProgressState, barWidth = 20): string {
  const fraction = Math.min(1, Math.max(0, state.done / state.total));
  const filled = Math.round(fraction * barWidth);
  const bar = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  return [state.label ? `${state.label} ${bar}` : bar, pct, ...parts(state)]
    .join("  ");
}

/**
 * The MIME bundle of a progress state: an HTML progress bar and the text line.
 *
 * @example
 * ```ts
 * progressBundle({ done: 1, total: 4, elapsed: 1, metrics: {}, finished: false })["text/html"];
 * ```
 */
export function progressBundle(state: ProgressState): MimeBundle {
  const fraction = Math.min(1, Math.max(0, state.done / state.total));
  const label = state.label ? `<b style="margin-right:0.6em">${escapeHtml(state.label)}</b>` : "";
  const html = `<div class="lenses-progress" style="font-family:monospace;font-size:0.9em">` +
    `${label}<progress value="${fraction}" max="1" style="width:16em;vertical-align:middle"></progress>` +
    ` ${Math.floor(fraction * 100)}% · ${escapeHtml(parts(state).join(" · "))}</div>`;
  return { "text/plain": progressLine(state), "text/html": html };
}

/**
 * Creates a progress display for a loop of `total` steps.
 *
 * In Deno's Jupyter kernel it is one output updated in place (update_display_data under a
 * display id, at most 4 updates a second); on a terminal a one-line bar on stderr (at most 10
 * redraws a second); otherwise it prints nothing. LENSES_PROGRESS=quiet|terminal|jupyter forces
 * a mode.
 *
 * @example
 * ```ts
 * const progress = createProgress({ total: batches, label: "epoch 1" });
 * for (let i = 0; i < batches; i++) {
 *   const loss = trainStep();
 *   progress.update(i + 1, { loss });
 * }
 * progress.finish({ accuracy });
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const { total, label } = options ?? {};
  if (typeof total !== "number" || !Number.isFinite(total) || total <= 0) {
    throw new Error(
      `createProgress: total must be a positive number of steps (got ${JSON.stringify(total)}).`,
    );
  }
  const mode = resolveMode(options.mode ?? "auto");
  const clock = options.clock ?? (() => performance.now());
  const start = clock();
  const state: ProgressState = {
    label,
    done: 0,
    total,
    elapsed: 0,
    metrics: {},
    finished: false,
  };
  let lastDraw = -Infinity;
  const draw = mode === "jupyter"
    ? jupyterDrawer()
    : mode === "terminal"
    ? terminalDrawer()
    : () => {};

  const advance = (
    done: number | undefined,
    metrics: Record<string, number> | undefined,
  ) => {
    if (state.finished) {
      throw new Error(
        "progress: this progress display is finished; create a new one for another loop.",
      );
    }
    if (
      done !== undefined &&
      (typeof done !== "number" || !Number.isFinite(done) || done < 0)
    ) {
      throw new Error(
        `progress: done must be a finite number ≥ 0 (got ${JSON.stringify(done)}).`,
      );
    }
    checkMetrics(metrics);
    if (done !== undefined) state.done = done;
    if (metrics) state.metrics = { ...state.metrics, ...metrics };
    state.elapsed = (clock() - start) / 1000;
  };

  if (mode !== "quiet") {
    draw(state);
    lastDraw = clock();
  }
  return {
    mode,
    update(done, metrics) {
      advance(done, metrics);
      if (mode === "quiet") return;
      const now = clock();
      if (now - lastDraw < INTERVAL_MS[mode]) return;
      lastDraw = now;
      draw(state);
    },
    finish(metrics) {
      advance(undefined, metrics);
      state.finished = true;
      draw(state);
    },
  };
}

/** Draws into one Jupyter output, created on the first draw and updated in place after. */
function jupyterDrawer(): (state: ProgressState) => void {
  const api = jupyterApi()!;
  const displayId = newDisplayId("progress");
  let queue: Promise<void> = Promise.resolve();
  let created = false;
  let failed = false;
  return (state) => {
    const data = progressBundle(state);
    const type = created ? "update_display_data" : "display_data";
    created = true;
    // Broadcasts are chained so updates arrive in order even though update() is synchronous.
    queue = queue.then(() =>
      api.broadcast(type, {
        data,
        metadata: {},
        transient: { display_id: displayId },
      })
    ).catch((err) => {
      if (!failed) {
        console.error(`progress: could not update the notebook output: ${err}`);
      }
      failed = true;
    });
  };
}

/** Redraws one line on stderr with a carriage return; a newline when finished. */
function terminalDrawer(): (state: ProgressState) => void {
  const encoder = new TextEncoder();
  let previous = 0;
  return (state) => {
    let columns = 100;
    try {
      columns = Deno.consoleSize().columns;
    } catch {
      // Not a console after all (e.g. forced terminal mode into a pipe): keep the default.
    }
    let line = progressLine(state);
    if (line.length >= columns) line = line.slice(0, columns - 1);
    const padded = line.padEnd(previous);
    previous = line.length;
    Deno.stderr.writeSync(
      encoder.encode(`\r${padded}${state.finished ? "\n" : ""}`),
    );
  };
}
