/**
 * Turning iopub messages into nbformat outputs, as a Jupyter front end does: streams merged
 * with carriage returns applied, display ids tracked so update_display_data rewrites every
 * output it names, clear_output honoured (including wait=true).
 *
 * @module
 */

import type { Message } from "./wire.ts";
import { joinSource, type MimeBundle, type Output, type StreamOutput } from "./nbformat.ts";

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
  /** The cell's outputs in arrival order. */
  list: Output[] = [];
  private clearPending = false;

  constructor(private readonly displays: DisplayRegistry) {}

  /** Applies one iopub message addressed to this cell. Returns true if it changed outputs. */
  handle(message: Message): boolean {
    const c = message.content;
    switch (message.header.msg_type) {
      case "stream": {
        this.flushClear();
        const name = c.name === "stderr" ? "stderr" : "stdout";
        const text = String(c.text ?? "");
        const last = this.list.at(-1);
        if (last?.output_type === "stream" && last.name === name) {
          last.text = appendStreamText(joinSource(last.text), text);
        } else {
          this.list.push(
            {
              output_type: "stream",
              name,
              text: appendStreamText("", text),
            } satisfies StreamOutput,
          );
        }
        return true;
      }
      case "display_data": {
        this.flushClear();
        const output: Output = {
          output_type: "display_data",
          data: bundle(c.data),
          metadata: bundle(c.metadata),
        };
        this.list.push(output);
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
        this.list.push(output);
        this.displays.track(displayId(c), output);
        return true;
      }
      case "error":
        this.flushClear();
        this.list.push({
          output_type: "error",
          ename: String(c.ename ?? "Error"),
          evalue: String(c.evalue ?? ""),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        return true;
      case "clear_output":
        if (c.wait === true) this.clearPending = true;
        else this.list = [];
        return true;
      default:
        return false;
    }
  }

  private flushClear(): void {
    if (this.clearPending) {
      this.list = [];
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
