/**
 * Notebook parameters, papermill's convention: the cell tagged `parameters` holds defaults,
 * and an injected cell tagged `injected-parameters` right after it overrides them.
 *
 * @module
 */

import { type Cell, joinSource, newCellId, type Notebook } from "./nbformat.ts";

/** Parameter values as given on the command line, parsed. */
export type Params = Record<string, unknown>;

/**
 * A parameter that cannot be used: a bad name or value, a name the notebook does not define, a
 * notebook without a parameters cell. The message names the problem and the fix.
 *
 * @example
 * ```ts
 * try { checkParams(nb, { epoch: 3 }); } catch (e) { if (e instanceof ParamError) console.error(e.message); }
 * ```
 */
export class ParamError extends Error {
  override name = "ParamError";
}

/** Words a `let` cannot declare (reserved in strict mode) or that must not be shadowed. */
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if import in instanceof new null return super switch this throw " +
    "true try typeof var void while with yield let static implements interface package private " +
    "protected public await undefined NaN Infinity eval arguments").split(" "),
);

/**
 * Parses `key=value` arguments. A value that is JSON (number, boolean, null, quoted string,
 * array, object) is taken as such; anything else is a string.
 *
 * @throws {Error} when an argument has no `=` or its key is not a TypeScript identifier.
 * @example
 * ```ts
 * parseParams(["epochs=3", "name=mnist", "rate=0.1"]); // { epochs: 3, name: "mnist", rate: 0.1 }
 * ```
 */
export function parseParams(args: string[]): Params {
  const params: Params = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq < 1) {
      throw new Error(
        `--param ${arg}: expected key=value, e.g. --param epochs=3`,
      );
    }
    const key = arg.slice(0, eq);
    if (!/^[A-Za-z_$][\w$]*$/.test(key)) {
      throw new ParamError(
        `--param ${arg}: "${key}" is not a valid TypeScript identifier`,
      );
    }
    if (RESERVED.has(key)) {
      throw new ParamError(`--param ${arg}: "${key}" is a reserved word, not a parameter name`);
    }
    const raw = arg.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    if (!allFinite(value)) {
      throw new ParamError(
        `--param ${arg}: ${raw} is not a finite number (it would become null); give a finite value`,
      );
    }
    params[key] = value;
  }
  return params;
}

function allFinite(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (typeof value === "object" && value !== null) return Object.values(value).every(allFinite);
  return true;
}

/** The type of a parameter's default, as far as its source shows it (null: not known). */
export type ParamType = "number" | "string" | "boolean" | "array" | "object" | "null";

/** A parameter the notebook declares in its `parameters` cell. */
export interface NotebookParameter {
  name: string;
  /** The default's expression as written. */
  source: string;
  type: ParamType | null;
}

/**
 * The parameters a notebook declares (`let|const|var name = default` at the top level of the
 * cell tagged `parameters`), or null when it has no such cell.
 *
 * @example
 * ```ts
 * notebookParameters(nb); // [{ name: "epochs", source: "3", type: "number" }, ...]
 * ```
 */
export function notebookParameters(nb: Notebook): NotebookParameter[] | null {
  const cell = nb.cells.find((c) => hasTag(c, "parameters"));
  if (cell === undefined) return null;
  const text = joinSource(cell.source);
  return statements(text).flatMap((statement) => {
    const m =
      /^(?:export\s+)?(?:let|const|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*([^]*)$/
        .exec(statement);
    if (m === null) return [];
    const [, name, annotation, source] = m;
    return [{ name, source: source.trim(), type: annotated(annotation) ?? typeOfSource(source) }];
  });
}

/**
 * Checks `params` against the notebook's `parameters` cell and returns them ready to inject:
 * every name must be one it declares and every value of its default's type (a string default
 * takes any text as a string).
 *
 * @throws {ParamError} for a notebook without a parameters cell, an unknown name (listing the
 * notebook's parameters) or a value of another type than the default.
 * @example
 * ```ts
 * checkParams(nb, { trainSteps: 100 }); // { trainSteps: 100 }
 * ```
 */
export function checkParams(nb: Notebook, params: Params): Params {
  const names = Object.keys(params);
  if (names.length === 0) return params;
  const declared = notebookParameters(nb);
  if (declared === null) {
    throw new ParamError(
      `--param ${names.join(", ")}: this notebook has no cell tagged "parameters", so nothing ` +
        `would read the value; tag the cell that sets its defaults "parameters" (papermill's ` +
        `convention) or drop --param`,
    );
  }
  const byName = new Map(declared.map((p) => [p.name, p]));
  const list = declared.map((p) => `${p.name} = ${p.source.replace(/\s+/g, " ")}`).join("; ");
  const checked: Params = {};
  for (const name of names) {
    const param = byName.get(name);
    if (param === undefined) {
      throw new ParamError(
        `--param ${name}: the notebook has no parameter "${name}"; its parameters are: ${
          list || "(none)"
        }`,
      );
    }
    const value = params[name];
    const got = typeOfValue(value);
    if (param.type === "string" && got !== "string") {
      checked[name] = typeof value === "object" ? JSON.stringify(value) : String(value);
    } else if (param.type !== null && got !== param.type) {
      throw new ParamError(
        `--param ${name}=${JSON.stringify(value)}: the notebook's default is ${
          article(param.type)
        } (${name} = ${param.source.replace(/\s+/g, " ")}), this is ${article(got)}`,
      );
    } else {
      checked[name] = value;
    }
  }
  return checked;
}

function article(type: ParamType): string {
  return type === "null" ? "null" : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function typeOfValue(value: unknown): ParamType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as ParamType;
}

function annotated(annotation: string | undefined): ParamType | null {
  const t = annotation?.trim();
  if (t === "number" || t === "string" || t === "boolean") return t;
  if (t !== undefined && /\[\]$|^Array</.test(t)) return "array";
  return null;
}

/** The type of a default written as a literal, or as `atScale({ smoke: literal, ... }, …)`. */
function typeOfSource(source: string): ParamType | null {
  const s = source.trim();
  if (/^-?(\d[\d_]*\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return "number";
  if (/^(true|false)$/.test(s)) return "boolean";
  if (s === "null") return "null";
  if (/^["'`]/.test(s)) return "string";
  if (s.startsWith("[")) return "array";
  const scaled = /^atScale\(\s*\{\s*\w+\s*:\s*([^]*)$/.exec(s);
  if (scaled) return typeOfSource(firstItem(scaled[1]));
  return null;
}

/** `text` up to its first comma or closing bracket at depth 0. */
function firstItem(text: string): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) {
      if (depth === 0) return text.slice(0, i);
      depth--;
    } else if (ch === "," && depth === 0) return text.slice(0, i);
  }
  return text;
}

/**
 * Top-level statements of `code`, split at `;` and at line ends outside brackets and strings,
 * with comments removed: enough to read a parameters cell, which holds declarations.
 */
function statements(code: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === "/" && code[i + 1] === "/") {
      while (i < code.length && code[i] !== "\n") i++;
      i--;
      continue;
    }
    if (ch === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      i = end < 0 ? code.length : end + 1;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      while (j < code.length && code[j] !== ch) j += code[j] === "\\" ? 2 : 1;
      current += code.slice(i, j + 1);
      i = j;
      continue;
    }
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (depth === 0 && (ch === ";" || ch === "\n")) {
      if (current.trim() !== "") out.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

/**
 * A copy of `nb` with a cell assigning `params` inserted after the cell tagged `parameters`
 * (at the top when there is none). Any earlier injected cell is replaced. Declarations use
 * `let`, which Deno's kernel allows to redeclare names from earlier cells.
 *
 * @example
 * ```ts
 * const withParams = injectParameters(nb, { epochs: 3 });
 * ```
 */
export function injectParameters(nb: Notebook, params: Params): Notebook {
  const keys = Object.keys(params);
  if (keys.length === 0) return nb;
  const cells = nb.cells.filter((c) => !hasTag(c, "injected-parameters"));
  const source = [
    "// Parameters injected by lenses (--param)",
    ...keys.map((k) => `let ${k} = ${JSON.stringify(params[k])};`),
  ].join("\n");
  const injected: Cell = {
    cell_type: "code",
    id: newCellId(),
    source,
    metadata: { tags: ["injected-parameters"] },
    execution_count: null,
    outputs: [],
  };
  const at = cells.findIndex((c) => hasTag(c, "parameters"));
  cells.splice(at + 1, 0, injected);
  return { ...nb, cells };
}

/**
 * Whether `cell` carries `tag` in metadata.tags.
 *
 * @example
 * ```ts
 * hasTag({ cell_type: "code", id: "a", source: "", metadata: { tags: ["parameters"] }, execution_count: null, outputs: [] }, "parameters"); // true
 * ```
 */
export function hasTag(cell: Cell, tag: string): boolean {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) && tags.includes(tag);
}
