/**
 * Notebook parameters, papermill's convention: the cell tagged `parameters` holds defaults,
 * and an injected cell tagged `injected-parameters` right after it overrides them.
 *
 * @module
 */

import { type Cell, newCellId, type Notebook } from "./nbformat.ts";

/** Parameter values as given on the command line, parsed. */
export type Params = Record<string, unknown>;

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
      throw new Error(
        `--param ${arg}: "${key}" is not a valid TypeScript identifier`,
      );
    }
    const raw = arg.slice(eq + 1);
    try {
      params[key] = JSON.parse(raw);
    } catch {
      params[key] = raw;
    }
  }
  return params;
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
