/**
 * Test helpers: small notebooks written into temporary directories.
 *
 * @module
 */

import { join } from "node:path";
import { type Cell, makeNotebook, serializeNotebook } from "../../kernel/nbformat.ts";

/** A cell description for {@link writeNotebook}. */
export type CellSpec = {
  cell_type: Cell["cell_type"];
  source: string;
  metadata?: Record<string, unknown>;
};

/**
 * Writes a notebook made of `cells` as `<dir>/<name>.ipynb` and returns its path.
 *
 * @example
 * ```ts
 * const path = await writeNotebook(dir, "t", [{ cell_type: "code", source: "1" }]);
 * ```
 */
export async function writeNotebook(
  dir: string,
  name: string,
  cells: CellSpec[],
): Promise<string> {
  const path = join(dir, `${name}.ipynb`);
  await Deno.writeTextFile(path, serializeNotebook(makeNotebook(cells)));
  return path;
}

/** A code cell. */
export const code = (
  source: string,
  metadata?: Record<string, unknown>,
): CellSpec => ({
  cell_type: "code",
  source,
  metadata,
});

/** A markdown cell. */
export const md = (source: string): CellSpec => ({
  cell_type: "markdown",
  source,
});

/**
 * Runs lenses' CLI (`kernel/cli.ts`) in its own process, as `deno task` would; returns the exit
 * code and stderr as text.
 */
export async function runCli(...args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../kernel/cli.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

/**
 * Polls `probe` every 100 ms until it gives a value (not `undefined`) and returns it, or
 * `undefined` after `timeoutMs`. A liveness poll, not a timing assertion: the caller asserts.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (value !== undefined || Date.now() >= end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
