/**
 * Static checks of the notebooks, which neither Deno's kernel nor `deno fmt --check` give
 * reliably: every code cell formatted as `deno fmt` formats TypeScript, and every notebook's
 * code cells type-checked together, in order, as one module (the kernel runs cells without
 * checking types, so `const s: number = "x"` would run).
 *
 *   deno run -A kernel/check_notebooks.ts [--fix] [NOTEBOOK...]     (default: notebooks/*.ipynb)
 *
 * `deno fmt --check` cannot be trusted with notebooks: with an empty formatter cache it reports
 * every .ipynb as unformatted while `deno fmt` leaves it byte-identical, so a fresh clone fails.
 * deno.json therefore excludes notebooks/ from `deno fmt`, and this script formats their cells
 * itself (each as a temporary file, one `deno fmt` run per notebook). Type errors are reported against the notebook's cells.
 *
 * Exit status: 0 when clean, 1 when a notebook is unformatted or does not type-check, 2 on
 * bad usage.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../lib/io/fs.ts";
import { repoPath } from "../lib/io/paths.ts";
import { joinSource, splitLines } from "./nbformat.ts";

interface Cell {
  cell_type: string;
  source: string | string[];
}

interface Notebook {
  cells: Cell[];
}

/**
 * The cells formatted as `deno fmt` formats TypeScript (code) and Markdown (markdown), with the
 * repository's settings: one `deno fmt` run over a temporary file per cell, not one per cell.
 */
async function formatCells(cells: { source: string; ext: "ts" | "md" }[]): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "lenses-fmt-" });
  try {
    const files = cells.map((c, i) => join(dir, `cell-${i}.${c.ext}`));
    await Promise.all(files.map((f, i) => Deno.writeTextFile(f, cells[i].source)));
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "--config", repoPath("deno.json"), ...files],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(new TextDecoder().decode(stderr).trim());
    // A cell's source has no final newline; the formatter adds one.
    return await Promise.all(
      files.map(async (f) => (await Deno.readTextFile(f)).replace(/\n$/, "")),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Formats every code cell (as TypeScript) and markdown cell; returns the 1-based numbers of
 * the cells that changed, and rewrites the notebook (atomically) when `write` is set.
 */
export async function formatNotebook(path: string, write: boolean): Promise<number[]> {
  const text = await Deno.readTextFile(path);
  const nb = JSON.parse(text) as Notebook;
  const cells = nb.cells
    .map((cell, index) => ({ cell, index, source: joinSource(cell.source) }))
    .filter(({ cell }) => cell.cell_type === "code" || cell.cell_type === "markdown");
  let formatted: string[];
  try {
    formatted = await formatCells(
      cells.map(({ cell, source }) => ({ source, ext: cell.cell_type === "code" ? "ts" : "md" })),
    );
  } catch (err) {
    throw new Error(`${path}: cells cannot be formatted: ${(err as Error).message}`);
  }
  const changed: number[] = [];
  cells.forEach(({ cell, index, source }, k) => {
    if (formatted[k] === source) return;
    changed.push(index + 1);
    cell.source = splitLines(formatted[k]);
  });
  if (write && changed.length > 0) {
    const indent = text.match(/\n( +)"/)?.[1].length ?? 1;
    await writeFileAtomic(
      path,
      new TextEncoder().encode(JSON.stringify(nb, null, indent) + "\n"),
    );
  }
  return changed;
}

/** A module of the notebook's code cells, and which module line starts each cell. */
function asModule(nb: Notebook): { text: string; starts: { cell: number; line: number }[] } {
  const starts: { cell: number; line: number }[] = [];
  const parts: string[] = [];
  let line = 1;
  for (const [i, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    const source = joinSource(cell.source);
    parts.push(`// cell ${i + 1}\n${source}\n`);
    starts.push({ cell: i + 1, line: line + 1 });
    line += source.split("\n").length + 1;
  }
  // `export {}` keeps the file a module (top-level await) even without imports.
  return { text: parts.join("") + "export {};\n", starts };
}

/**
 * Type-checks the notebook's code cells as one module, beside the notebook so its relative
 * imports resolve. Returns the type errors with module positions rewritten as
 * `NOTEBOOK cell N, line L`.
 */
export async function typeCheckNotebook(path: string): Promise<string | undefined> {
  const nb = JSON.parse(await Deno.readTextFile(path)) as Notebook;
  const { text, starts } = asModule(nb);
  const module = join(dirname(path), `.${basename(path, ".ipynb")}.tmp-${Deno.pid}-check.ts`);
  await Deno.writeTextFile(module, text);
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", module],
      cwd: repoPath(),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code === 0) return undefined;
    const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    const escaped = module.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return output.replace(
      new RegExp(`(?:file://)?${escaped}:(\\d+):(\\d+)`, "g"),
      (_, l: string, c: string) => {
        const n = Number(l);
        const start = starts.findLast((s) => s.line <= n) ?? starts[0];
        return `${basename(path)} cell ${start.cell}, line ${n - start.line + 1}:${c}`;
      },
    );
  } finally {
    await Deno.remove(module).catch(() => {});
  }
}

async function notebooksIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".ipynb")) found.push(join(dir, entry.name));
  }
  return found.sort();
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { fix: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: false,
  });
  const unknown = args.filter((a) => a.startsWith("-") && !["--fix", "--help", "-h"].includes(a));
  if (values.help || unknown.length) {
    console.error(
      `${unknown.length ? `unknown option ${unknown[0]}\n` : ""}` +
        "usage: deno run -A kernel/check_notebooks.ts [--fix] [NOTEBOOK...]",
    );
    return values.help ? 0 : 2;
  }
  const paths = positionals.length
    ? positionals.map((p) => resolve(String(p)))
    : await notebooksIn(repoPath("notebooks"));
  if (paths.length === 0) {
    console.error("check_notebooks: no notebooks found in notebooks/");
    return 1;
  }
  let failed = 0;
  for (const path of paths) {
    const name = basename(path);
    const changed = await formatNotebook(path, values.fix === true);
    if (changed.length && !values.fix) {
      console.error(`${name}: cells ${changed.join(", ")} are not formatted (run deno task fmt)`);
      failed++;
    } else if (changed.length) {
      console.error(`${name}: formatted cells ${changed.join(", ")}`);
    }
    const errors = await typeCheckNotebook(path);
    if (errors) {
      console.error(`${name}: type errors\n${errors}`);
      failed++;
    }
  }
  console.error(
    `Checked ${paths.length} notebook(s): ${failed ? `${failed} problem(s)` : "clean"}`,
  );
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
