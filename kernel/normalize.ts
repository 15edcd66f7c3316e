/**
 * Puts notebook files in the form they are committed in: `lenses` kernelspec and TypeScript
 * language metadata, outputs and run records cleared, cell ids present, Jupyter's layout.
 *
 * CLI-free use: `deno eval 'import { normalizeNotebookFile } from "./kernel/normalize.ts";
 * await normalizeNotebookFile("notebooks/x.ipynb")'`.
 *
 * @module
 */

import { writeFileAtomic } from "../lib/io/fs.ts";
import { clearOutputs, readNotebook, serializeNotebook, withLensesMetadata } from "./nbformat.ts";

/**
 * Rewrites the notebook at `path` in committed form (atomically); returns whether it changed.
 *
 * @example
 * ```ts
 * await normalizeNotebookFile("notebooks/ilyas.ipynb"); // true the first time, then false
 * ```
 */
export async function normalizeNotebookFile(path: string): Promise<boolean> {
  const before = await Deno.readTextFile(path);
  const after = serializeNotebook(
    clearOutputs(withLensesMetadata(await readNotebook(path))),
  );
  if (after === before) return false;
  await writeFileAtomic(path, after);
  return true;
}
