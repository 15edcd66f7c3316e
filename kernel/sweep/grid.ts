/**
 * Grid expansion: `--seeds` and `--param k=v1,v2` into the sweep's points (seeds × parameter
 * values, per notebook), each with a stable id that names its files.
 *
 * @module
 */

import { resolve } from "node:path";
import { notebookName } from "../nbformat.ts";
import { type Params, parseParams } from "../params.ts";

/** A parameter's values, in the order given. */
export type ParamGrid = Record<string, unknown[]>;

/** One headless run of a sweep: a notebook at one seed and one parameter combination. */
export interface SweepPoint {
  /** `<notebook name>/<slug>`, e.g. "05-subitization/width-8_seed-2"; names the point's files. */
  id: string;
  /** The notebook's absolute path. */
  notebook: string;
  /** The notebook's name (file name without .ipynb). */
  name: string;
  seed: number;
  /** Injected after the notebook's `parameters` cell; empty without `--param`. */
  params: Params;
}

/**
 * Parses `--seeds`: a range `0-4` (inclusive), a list `0,3,7`, or a mix `0-2,10`.
 *
 * @throws {Error} naming the bad part when the text is not ranges and integers, or repeats a seed.
 * @example
 * ```ts
 * parseSeeds("0-2,7"); // [0, 1, 2, 7]
 * ```
 */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const range = /^(-?\d+)-(-?\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from) {
        throw new Error(`--seeds ${text}: the range ${part} runs backwards; write ${to}-${from}`);
      }
      for (let s = from; s <= to; s++) seeds.push(s);
    } else if (/^-?\d+$/.test(part)) {
      seeds.push(Number(part));
    } else {
      throw new Error(
        `--seeds ${text}: "${part}" is not an integer or a range; use e.g. --seeds 0-4 or --seeds 0,3,7`,
      );
    }
  }
  const repeated = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (repeated !== undefined) {
    throw new Error(`--seeds ${text}: seed ${repeated} is listed twice`);
  }
  return seeds;
}

/** Splits at commas outside brackets, braces and quotes, so `k=[1,2],[3,4]` is two values. */
function splitValues(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, quoted = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== "\\") quoted = !quoted;
    else if (!quoted && (c === "[" || c === "{")) depth++;
    else if (!quoted && (c === "]" || c === "}")) depth--;
    else if (!quoted && depth === 0 && c === ",") {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Parses `--param k=v1,v2,...` arguments into each parameter's values. Each value is read as
 * `deno task run --param` reads one (JSON when it parses, else a string).
 *
 * @throws {Error} on a missing `=`, a bad name, an empty value, or a parameter given twice.
 * @example
 * ```ts
 * parseParamGrid(["eps=0.1,0.3", "norm=l2"]); // { eps: [0.1, 0.3], norm: ["l2"] }
 * ```
 */
export function parseParamGrid(args: readonly string[]): ParamGrid {
  const grid: ParamGrid = {};
  for (const arg of args) {
    // The whole argument first, so a missing "=", a bad name or a reserved word names it.
    const key = Object.keys(parseParams([arg]))[0];
    if (key in grid) {
      throw new Error(
        `--param ${arg}: ${key} is given twice; list its values once, e.g. --param ${key}=1,2`,
      );
    }
    const raw = splitValues(arg.slice(key.length + 1));
    if (raw.some((v) => v.trim() === "")) {
      throw new Error(`--param ${arg}: an empty value; separate values with single commas`);
    }
    grid[key] = raw.map((v) => parseParams([`${key}=${v}`])[key]);
  }
  return grid;
}

/** A value as it appears in a file name: letters, digits, ".", "+" and "-" only. */
function slugValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replace(/[^A-Za-z0-9.+-]+/g, "~").replace(/^~|~$/g, "") || "~";
}

/**
 * Every point of the sweep: for each notebook, every combination of parameter values (in the
 * order given, the first parameter varying slowest), each at every seed.
 *
 * @throws {Error} when there is no notebook or seed, or two values would name the same files.
 * @example
 * ```ts
 * expandGrid(["notebooks/05-subitization.ipynb"], [0, 1], { width: [8, 16] }).map((p) => p.id);
 * // ["05-subitization/width-8_seed-0", "05-subitization/width-8_seed-1",
 * //  "05-subitization/width-16_seed-0", "05-subitization/width-16_seed-1"]
 * ```
 */
export function expandGrid(
  notebooks: readonly string[],
  seeds: readonly number[],
  grid: ParamGrid = {},
): SweepPoint[] {
  if (notebooks.length === 0) throw new Error("sweep: name at least one notebook");
  if (seeds.length === 0) throw new Error("sweep: give at least one seed, e.g. --seeds 0-4");
  let combos: Params[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const points: SweepPoint[] = [];
  const seen = new Map<string, string>();
  for (const path of notebooks) {
    const name = notebookName(path);
    for (const params of combos) {
      for (const seed of seeds) {
        const slug = [
          ...Object.entries(params).map(([k, v]) => `${k}-${slugValue(v)}`),
          `seed-${seed}`,
        ].join("_");
        const id = `${name}/${slug}`;
        const what = JSON.stringify({ notebook: resolve(path), params, seed });
        const earlier = seen.get(id);
        if (earlier !== undefined && earlier !== what) {
          throw new Error(
            `sweep: ${earlier} and ${what} would both be written as ${id}; ` +
              "use parameter values that differ in letters or digits",
          );
        }
        if (earlier !== undefined) continue;
        seen.set(id, what);
        points.push({ id, notebook: resolve(path), name, seed, params });
      }
    }
  }
  return points;
}
