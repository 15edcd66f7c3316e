/**
 * Jupyter notebooks (nbformat 4.5) as plain values: reading with clear errors, writing in the
 * layout Jupyter writes (one-space indent, trailing newline), cell ids, and the `lenses`
 * kernelspec metadata every notebook of this project carries.
 *
 * @module
 */

import { basename, extname } from "node:path";

/** A multiline string as nbformat stores it: one string or a list of lines. */
export type MultilineString = string | string[];

/** MIME bundle of a display output. */
export type MimeBundle = Record<string, unknown>;

/** A stream output (stdout / stderr). */
export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

/** A display_data output. */
export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** An execute_result output. */
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** An error output. */
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Any code cell output. */
export type Output =
  | StreamOutput
  | DisplayDataOutput
  | ExecuteResultOutput
  | ErrorOutput;

/** A code cell. */
export interface CodeCell {
  cell_type: "code";
  id: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count: number | null;
  outputs: Output[];
}

/** A markdown or raw cell. */
export interface TextCell {
  cell_type: "markdown" | "raw";
  id: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, MimeBundle>;
}

/** Any cell. */
export type Cell = CodeCell | TextCell;

/** A notebook. */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/**
 * The kernelspec every lenses notebook names.
 *
 * @example
 * ```ts
 * nb.metadata.kernelspec = { ...LENSES_KERNELSPEC };
 * ```
 */
export const LENSES_KERNELSPEC = {
  name: "lenses",
  display_name: "Deno (lenses)",
  language: "typescript",
} as const;

/**
 * language_info matching what Deno's kernel reports.
 *
 * @example
 * ```ts
 * nb.metadata.language_info = { ...LENSES_LANGUAGE_INFO };
 * ```
 */
export const LENSES_LANGUAGE_INFO = {
  name: "typescript",
  mimetype: "text/x.typescript",
  file_extension: ".ts",
  pygments_lexer: "typescript",
  codemirror_mode: "typescript",
  nbconvert_exporter: "script",
} as const;

/**
 * A notebook that cannot be read: not JSON, not a notebook, or an unsupported version.
 *
 * @example
 * ```ts
 * try { parseNotebook("{"); } catch (e) { console.error((e as NotebookFormatError).message); }
 * ```
 */
export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
}

/**
 * Joins a multiline string.
 *
 * @example
 * ```ts
 * joinSource(["a\n", "b"]); // "a\nb"
 * ```
 */
export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/**
 * Splits text into nbformat's list of lines, each keeping its newline.
 *
 * @example
 * ```ts
 * splitLines("a\nb"); // ["a\n", "b"]
 * ```
 */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * A fresh cell id (nbformat 4.5: 1-64 chars of letters, digits, `-`, `_`).
 *
 * @example
 * ```ts
 * newCellId().length; // 8
 * ```
 */
export function newCellId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 8);
}

/**
 * Parses notebook JSON, upgrading nbformat 4.0–4.4 to 4.5 (cell ids added) and
 * normalising missing fields, so every later step sees one shape.
 *
 * @throws {NotebookFormatError} naming the problem, with `name` (a file path) in the message.
 * @example
 * ```ts
 * const nb = parseNotebook('{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[]}');
 * nb.cells.length; // 0
 * ```
 */
export function parseNotebook(text: string, name = "notebook"): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new NotebookFormatError(
      `${name} is not valid JSON (${(err as Error).message}); is it a Jupyter .ipynb file?`,
    );
  }
  if (
    typeof value !== "object" || value === null || Array.isArray(value) ||
    !("cells" in value) || !Array.isArray(value.cells)
  ) {
    throw new NotebookFormatError(
      `${name} is JSON but not a Jupyter notebook (no "cells" list)`,
    );
  }
  const raw = value as Record<string, unknown> & { cells: unknown[] };
  if (raw.nbformat !== 4) {
    throw new NotebookFormatError(
      `${name} has nbformat ${
        JSON.stringify(raw.nbformat)
      }; only nbformat 4 is supported (convert it with \`jupyter nbconvert --to notebook\`)`,
    );
  }
  const seen = new Set<string>();
  const cells = raw.cells.map((c, i): Cell => {
    if (typeof c !== "object" || c === null) {
      throw new NotebookFormatError(`${name}: cell ${i + 1} is not an object`);
    }
    const cell = { ...c } as Record<string, unknown>;
    const type = cell.cell_type;
    if (type !== "code" && type !== "markdown" && type !== "raw") {
      throw new NotebookFormatError(
        `${name}: cell ${i + 1} has unknown cell_type ${JSON.stringify(type)}`,
      );
    }
    cell.source ??= "";
    cell.metadata ??= {};
    let id = typeof cell.id === "string" ? cell.id : "";
    if (!/^[a-zA-Z0-9-_]{1,64}$/.test(id) || seen.has(id)) id = newCellId();
    seen.add(id);
    cell.id = id;
    if (type === "code") {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
    return cell as unknown as Cell;
  });
  return {
    nbformat: 4,
    nbformat_minor: Math.max(5, Number(raw.nbformat_minor) || 0),
    metadata: (raw.metadata as Record<string, unknown>) ?? {},
    cells,
  };
}

/**
 * Name of a notebook file without directory and .ipynb extension.
 *
 * @example
 * ```ts
 * notebookName("notebooks/ilyas.ipynb"); // "ilyas"
 * ```
 */
export function notebookName(path: string): string {
  return basename(path, extname(path));
}

/**
 * Reads and parses a notebook file.
 *
 * @throws {NotebookFormatError} when the file is missing or is not a notebook.
 * @example
 * ```ts
 * const nb = await readNotebook("notebooks/ilyas.ipynb");
 * ```
 */
export async function readNotebook(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new NotebookFormatError(`${path} does not exist`);
    }
    throw new NotebookFormatError(
      `${path} cannot be read: ${(err as Error).message}`,
    );
  }
  return parseNotebook(text, path);
}

/**
 * Serialises a notebook as Jupyter does: sorted keys, one-space indent, trailing newline,
 * so diffs of committed notebooks stay small.
 *
 * @example
 * ```ts
 * serializeNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] });
 * ```
 */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(splitMultiline(nb)), null, 1) + "\n";
}

/** Stores sources, stream text and textual MIME data as lists of lines, as Jupyter does. */
function splitMultiline(nb: Notebook): Notebook {
  const lines = (s: MultilineString) => splitLines(joinSource(s));
  const bundle = (data: MimeBundle): MimeBundle =>
    Object.fromEntries(
      Object.entries(data).map((
        [mime, v],
      ) => [mime, typeof v === "string" && !isJsonMime(mime) ? lines(v) : v]),
    );
  return {
    ...nb,
    cells: nb.cells.map((cell): Cell => {
      if (cell.cell_type !== "code") {
        return { ...cell, source: lines(cell.source) };
      }
      return {
        ...cell,
        source: lines(cell.source),
        outputs: cell.outputs.map((o): Output =>
          o.output_type === "stream"
            ? { ...o, text: lines(o.text) }
            : o.output_type === "error"
            ? o
            : { ...o, data: bundle(o.data) }
        ),
      };
    }),
  };
}

/**
 * Whether a MIME type carries JSON (kept as a value, never split into lines).
 *
 * @example
 * ```ts
 * isJsonMime("application/vnd.plotly.v1+json"); // true
 * ```
 */
export function isJsonMime(mime: string): boolean {
  return mime === "application/json" || mime.endsWith("+json");
}

/**
 * A notebook's metadata made to name the `lenses` kernelspec and TypeScript, keeping any
 * other metadata. Use it when creating or committing notebooks.
 *
 * @example
 * ```ts
 * const nb = withLensesMetadata({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] });
 * nb.metadata.kernelspec; // { name: "lenses", display_name: "Deno (lenses)", language: "typescript" }
 * ```
 */
export function withLensesMetadata(nb: Notebook): Notebook {
  return {
    ...nb,
    metadata: {
      ...nb.metadata,
      kernelspec: { ...LENSES_KERNELSPEC },
      language_info: { ...LENSES_LANGUAGE_INFO },
    },
  };
}

/**
 * A copy of `nb` with every code cell's outputs and execution count cleared and the runner's
 * metadata removed: the form notebooks are committed in.
 *
 * @example
 * ```ts
 * const clean = clearOutputs(nb);
 * ```
 */
export function clearOutputs(nb: Notebook): Notebook {
  const { lenses: _runner, ...metadata } = nb.metadata;
  return {
    ...nb,
    metadata,
    cells: nb.cells.map((cell) => {
      if (cell.cell_type !== "code") return cell;
      const { execution: _timing, ...cellMetadata } = cell.metadata;
      return {
        ...cell,
        metadata: cellMetadata,
        outputs: [],
        execution_count: null,
      };
    }),
  };
}

/**
 * Builds a notebook from cell sources, with lenses metadata and fresh ids: handy for tests and
 * for generating notebooks from scripts.
 *
 * @example
 * ```ts
 * const nb = makeNotebook([
 *   { cell_type: "markdown", source: "# Title" },
 *   { cell_type: "code", source: "1 + 1" },
 * ]);
 * ```
 */
export function makeNotebook(
  cells: {
    cell_type: Cell["cell_type"];
    source: string;
    metadata?: Record<string, unknown>;
  }[],
): Notebook {
  return withLensesMetadata({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((c): Cell =>
      c.cell_type === "code"
        ? {
          cell_type: "code",
          id: newCellId(),
          source: c.source,
          metadata: c.metadata ?? {},
          execution_count: null,
          outputs: [],
        }
        : {
          cell_type: c.cell_type,
          id: newCellId(),
          source: c.source,
          metadata: c.metadata ?? {},
        }
    ),
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value).sort().map((
        k,
      ) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
