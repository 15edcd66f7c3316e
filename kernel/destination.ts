/**
 * Where results go: a destination is checked before anything runs (an hour of training must not
 * end in "permission denied"), and if the final write still fails (the disk filled up, the folder
 * went away) the results are written somewhere else and the error says where.
 *
 * @module
 */

import { basename, dirname, resolve } from "node:path";
import { tempSibling, writeFileAtomic } from "../lib/io/fs.ts";

/**
 * A destination that cannot be written; the message names the path and the reason.
 *
 * @example
 * ```ts
 * try { await checkDestination("/proc/x.ipynb"); } catch (e) { if (e instanceof DestinationError) console.error(e.message); }
 * ```
 */
export class DestinationError extends Error {
  override name = "DestinationError";
}

/**
 * Checks that `file` can be written: not a directory, its folder exists or can be made, and a
 * file can be created there. Nothing is left behind.
 *
 * @throws {DestinationError} naming `file` and what is wrong.
 * @example
 * ```ts
 * await checkDestination("reports/ilyas.ipynb");
 * ```
 */
export async function checkDestination(file: string): Promise<void> {
  const path = resolve(file);
  try {
    if ((await Deno.stat(path)).isDirectory) {
      throw new DestinationError(`cannot write ${path}: it is a directory`);
    }
  } catch (err) {
    if (err instanceof DestinationError) throw err;
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new DestinationError(`cannot write ${path}: ${reason(err)}`);
    }
  }
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw new DestinationError(`cannot write ${path}: its folder cannot be made (${reason(err)})`);
  }
  const probe = tempSibling(path);
  try {
    (await Deno.open(probe, { write: true, createNew: true })).close();
    await Deno.remove(probe);
  } catch (err) {
    throw new DestinationError(`cannot write ${path}: ${reason(err)}`);
  }
}

/** Where a write ended up, and why not where asked if it did not. */
export interface Written {
  /** The file that holds the data: the path asked for, or the fallback. */
  path: string;
  /** One line naming the path asked for, the reason and the fallback; absent on success. */
  error?: string;
}

/**
 * Writes `data` to `path` atomically; if that fails, into a new temporary folder instead, and
 * says so. Throws only when both fail.
 *
 * @example
 * ```ts
 * const written = await writeOrKeep("reports/a.ipynb", text);
 * if (written.error) console.error(written.error);
 * ```
 */
export async function writeOrKeep(path: string, data: string | Uint8Array): Promise<Written> {
  try {
    await writeFileAtomic(path, data);
    return { path };
  } catch (err) {
    const kept = `${await Deno.makeTempDir({ prefix: "lenses-kept-" })}/${basename(path)}`;
    await writeFileAtomic(kept, data);
    return {
      path: kept,
      error: `could not write ${resolve(path)}: ${reason(err)}; the results are kept in ${kept}`,
    };
  }
}

/** An OS error's message without the path Deno appends (the caller names the path). */
function reason(err: unknown): string {
  return (err as Error).message.replace(/: (open|mkdir|rename|stat|remove) '.*'$/, "");
}
