/**
 * Tables: arrays of records shown as an HTML table and as an aligned plain-text table.
 *
 * @module
 */

import { escapeHtml, formatValue } from "./format.ts";
import { display, type MimeBundle, type Output } from "./output.ts";

/** One column of a table. */
export interface Column<R = Record<string, unknown>> {
  /** Property of the row shown in this column. */
  key: string;
  /** Header text; defaults to the key. */
  label?: string;
  /** Cell text; defaults to {@link formatValue} with the table's `digits`. */
  format?: (value: unknown, row: R) => string;
  /** Alignment; defaults to right for columns whose values are all numbers. */
  align?: "left" | "right";
  /** Inline CSS for a cell (e.g. a verdict colour); HTML only. */
  style?: (value: unknown, row: R) => string | undefined;
}

/** Options of {@link tableBundle} and {@link showTable}. */
export interface TableOptions<R = Record<string, unknown>> {
  /** Columns to show, by key or in full; defaults to every key, in order of appearance. */
  columns?: Array<string | Column<R>>;
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  /** Caption shown above the table. */
  caption?: string;
}

interface Laid {
  labels: string[];
  cells: string[][];
  styles: (string | undefined)[][];
  align: ("left" | "right")[];
}

const get = (row: object, key: string) => (row as Record<string, unknown>)[key];

function layOut<R extends object>(
  rows: readonly R[],
  options: TableOptions<R>,
): Laid {
  if (!Array.isArray(rows)) {
    throw new Error(
      "table: rows must be an array of records, e.g. [{ eps: 0.1, accuracy: 0.93 }].",
    );
  }
  const keys = options.columns ??
    [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const columns: Column<R>[] = keys.map((c) => typeof c === "string" ? { key: c } : c);
  const digits = options.digits ?? 4;
  const cells = rows.map((row) =>
    columns.map((c) => c.format ? c.format(row[c.key], row) : formatValue(row[c.key], digits))
  );
  const styles = rows.map((row) => columns.map((c) => c.style?.(row[c.key], row)));
  const align = columns.map((c) => {
    if (c.align) return c.align;
    const values = rows.map((row) => get(row, c.key)).filter((v) => v !== undefined && v !== null);
    return values.length > 0 && values.every((v) => typeof v === "number") ? "right" : "left";
  });
  return { labels: columns.map((c) => c.label ?? c.key), cells, styles, align };
}

function pad(text: string, width: number, align: "left" | "right"): string {
  return align === "right" ? text.padStart(width) : text.padEnd(width);
}

function plainText(laid: Laid, caption?: string): string {
  const { labels, cells, align } = laid;
  const widths = labels.map((label, j) =>
    Math.max(label.length, ...cells.map((row) => row[j].length))
  );
  const line = (row: string[]) =>
    row.map((cell, j) => pad(cell, widths[j], align[j])).join("  ").trimEnd();
  const lines = [
    line(labels),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map(line),
  ];
  if (cells.length === 0) lines.push("(no rows)");
  return (caption ? [caption, ...lines] : lines).join("\n");
}

function html(laid: Laid, caption?: string): string {
  const { labels, cells, styles, align } = laid;
  const cellStyle = (j: number, extra?: string) => {
    const parts = [`text-align:${align[j]}`, "padding:2px 8px"];
    if (extra) parts.push(extra);
    return ` style="${escapeHtml(parts.join(";"))}"`;
  };
  const head = labels.map((label, j) => `<th${cellStyle(j)}>${escapeHtml(label)}</th>`)
    .join("");
  const body = cells.map((row, i) =>
    `<tr>${
      row.map((cell, j) => `<td${cellStyle(j, styles[i][j])}>${escapeHtml(cell)}</td>`)
        .join("")
    }</tr>`
  ).join("\n");
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  return `<table class="lenses-table" style="border-collapse:collapse;font-variant-numeric:tabular-nums">${cap}\n` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/**
 * The MIME bundle of a table: `text/html` (cells escaped, numbers right-aligned) and an
 * aligned `text/plain` table.
 *
 * @example
 * ```ts
 * const bundle = tableBundle([
 *   { eps: 0, accuracy: 0.991 },
 *   { eps: 0.1, accuracy: 0.42 },
 * ], { caption: "PGD accuracy" });
 * console.log(bundle["text/plain"]);
 * ```
 */
export function tableBundle<R extends object>(
  rows: readonly R[],
  options: TableOptions<R> = {},
): MimeBundle {
  const laid = layOut(rows, options);
  return {
    "text/plain": plainText(laid, options.caption),
    "text/html": html(laid, options.caption),
  };
}

/**
 * Shows a table of records and returns the output.
 *
 * @example
 * ```ts
 * await showTable(results, { columns: ["model", { key: "acc", label: "accuracy" }] });
 * ```
 */
export function showTable<R extends object>(
  rows: readonly R[],
  options: TableOptions<R> & { metadata?: Record<string, unknown> } = {},
): Promise<Output> {
  return display(tableBundle(rows, options), { metadata: options.metadata });
}
