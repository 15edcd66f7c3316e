/**
 * Turning iopub messages into nbformat outputs, as a Jupyter front end does: streams merged
 * with carriage returns applied, display ids tracked so update_display_data rewrites every
 * output it names, clear_output honoured (including wait=true).
 *
 * @module
 */

import type { Message } from "./wire.ts";
import type { MimeBundle, Output, StreamOutput } from "./nbformat.ts";

/**
 * Appends stream text as a terminal would show it: `\r` returns to the start of the line,
 * so a progress bar's updates collapse to its last state.
 *
 * @example
 * ```ts
 * appendStreamText("10%\r", "20%\r"); // "20%\r"
 * appendStreamText("a\n", "b\n"); // "a\nb\n"
 * ```
 */
export function appendStreamText(previous: string, next: string): string {
  const text = (previous + next).replaceAll("\r\n", "\n");
  return text.split("\n").map((line) => {
    if (!line.includes("\r")) return line;
    const parts = line.split("\r");
    let last = parts.length - 1;
    while (last > 0 && parts[last] === "") last--;
    return parts[last] + (last < parts.length - 1 ? "\r" : "");
  }).join("\n");
}

/** Default cap on one stream output's text (characters); the cell's tail is kept. */
export const DEFAULT_MAX_STREAM_CHARS = 1_000_000;

/**
 * One stream output's text, bounded: complete lines are kept in a list (appending costs only
 * the new text, whatever the size so far) and, past `limit` characters, the oldest lines are
 * dropped and counted, so a cell that prints 20 MB keeps its last lines and says how much went.
 *
 * @example
 * ```ts
 * const text = new StreamText("stdout", 10);
 * text.append("aaaa\nbbbb\ncccc\n");
 * text.toString(); // "[lenses: the first 1 line (5 B) of stdout ...]\nbbbb\ncccc\n"
 * ```
 */
export class StreamText {
  private lines: string[] = [];
  private start = 0;
  private partial = "";
  private keptChars = 0;
  private droppedLines = 0;
  private droppedChars = 0;

  constructor(private readonly name: string, private readonly limit: number) {}

  /** Appends raw stream text, applying carriage returns as {@link appendStreamText} does. */
  append(text: string): void {
    // The last, unfinished line is the only one a `\r` or a split `\r\n` can still change.
    const parts = appendStreamText("", this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      this.lines.push(line + "\n");
      this.keptChars += line.length + 1;
    }
    while (this.keptChars + this.partial.length > this.limit && this.start < this.lines.length) {
      const line = this.lines[this.start++];
      this.keptChars -= line.length;
      this.droppedChars += line.length;
      this.droppedLines += 1;
    }
    if (this.partial.length > this.limit) {
      this.droppedChars += this.partial.length - this.limit;
      this.partial = this.partial.slice(-this.limit);
    }
    if (this.start > 1024 && this.start * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.start);
      this.start = 0;
    }
  }

  /** The kept text, preceded by a note saying what was dropped (if anything was). */
  toString(): string {
    const kept = this.lines.slice(this.start).join("") + this.partial;
    if (this.droppedChars === 0) return kept;
    const what = this.droppedLines > 0
      ? `the first ${plural(this.droppedLines, "line")} (${size(this.droppedChars)})`
      : `the first ${size(this.droppedChars)} of one long line`;
    return `[lenses: ${what} of ${this.name} were dropped to keep the notebook small; the last ${
      size(this.keptChars + this.partial.length)
    } follow. Write long logs to a file instead.]\n${kept}`;
  }
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

function size(chars: number): string {
  if (chars < 1000) return `${chars} B`;
  if (chars < 1e6) return `${(chars / 1e3).toFixed(1)} kB`;
  return `${(chars / 1e6).toFixed(1)} MB`;
}

/**
 * The outputs of one cell, built from its iopub messages.
 *
 * @example
 * ```ts
 * const displays = new DisplayRegistry();
 * const outputs = new CellOutputs(displays);
 * outputs.handle(message); // stream, display_data, execute_result, error, clear_output
 * outputs.list; // nbformat outputs
 * ```
 */
export class CellOutputs {
  private outputs: Output[] = [];
  private readonly streams = new Map<StreamOutput, StreamText>();
  private clearPending = false;

  /** `maxStreamChars` bounds each stream output (default {@link DEFAULT_MAX_STREAM_CHARS}). */
  constructor(
    private readonly displays: DisplayRegistry,
    private readonly maxStreamChars = DEFAULT_MAX_STREAM_CHARS,
  ) {}

  /** The cell's outputs in arrival order, stream texts brought up to date. */
  get list(): Output[] {
    for (const [output, text] of this.streams) output.text = text.toString();
    return this.outputs;
  }

  /** Appends an output made here (a timeout or dead-kernel error). */
  push(output: Output): void {
    this.outputs.push(output);
  }

  /** Applies one iopub message addressed to this cell. Returns true if it changed outputs. */
  handle(message: Message): boolean {
    const c = message.content;
    switch (message.header.msg_type) {
      case "stream": {
        this.flushClear();
        const name = c.name === "stderr" ? "stderr" : "stdout";
        const last = this.outputs.at(-1);
        let text = last?.output_type === "stream" && last.name === name
          ? this.streams.get(last)
          : undefined;
        if (text === undefined) {
          const output: StreamOutput = { output_type: "stream", name, text: "" };
          text = new StreamText(name, this.maxStreamChars);
          this.outputs.push(output);
          this.streams.set(output, text);
        }
        text.append(String(c.text ?? ""));
        return true;
      }
      case "display_data": {
        this.flushClear();
        const output: Output = {
          output_type: "display_data",
          data: bundle(c.data),
          metadata: bundle(c.metadata),
        };
        this.outputs.push(output);
        this.displays.track(displayId(c), output);
        return true;
      }
      case "update_display_data":
        return this.displays.update(displayId(c), c);
      case "execute_result": {
        this.flushClear();
        const output: Output = {
          output_type: "execute_result",
          execution_count: typeof c.execution_count === "number" ? c.execution_count : null,
          data: bundle(c.data),
          metadata: bundle(c.metadata),
        };
        this.outputs.push(output);
        this.displays.track(displayId(c), output);
        return true;
      }
      case "error":
        this.flushClear();
        this.outputs.push({
          output_type: "error",
          ename: String(c.ename ?? "Error"),
          evalue: String(c.evalue ?? ""),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        return true;
      case "clear_output":
        if (c.wait === true) this.clearPending = true;
        else this.clear();
        return true;
      default:
        return false;
    }
  }

  private clear(): void {
    this.outputs = [];
    this.streams.clear();
  }

  private flushClear(): void {
    if (this.clearPending) {
      this.clear();
      this.clearPending = false;
    }
  }
}

/**
 * Outputs by display id across the whole notebook: update_display_data rewrites every output
 * that showed that id, in whichever cell it is.
 *
 * @example
 * ```ts
 * const displays = new DisplayRegistry();
 * ```
 */
export class DisplayRegistry {
  private readonly byId = new Map<string, Output[]>();

  /** Remembers that `output` shows display `id` (no-op without an id). */
  track(id: string | undefined, output: Output): void {
    if (id === undefined) return;
    const list = this.byId.get(id) ?? [];
    list.push(output);
    this.byId.set(id, list);
  }

  /** Replaces data and metadata of every output showing `id`; false if none does. */
  update(id: string | undefined, content: Record<string, unknown>): boolean {
    const outputs = id === undefined ? undefined : this.byId.get(id);
    if (!outputs) return false;
    for (const o of outputs) {
      if (
        o.output_type === "display_data" || o.output_type === "execute_result"
      ) {
        o.data = bundle(content.data);
        o.metadata = bundle(content.metadata);
      }
    }
    return true;
  }
}

function displayId(content: Record<string, unknown>): string | undefined {
  const transient = content.transient as Record<string, unknown> | undefined;
  const id = transient?.display_id;
  return typeof id === "string" ? id : undefined;
}

function bundle(value: unknown): MimeBundle {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? { ...(value as MimeBundle) }
    : {};
}
