/**
 * File-system helpers shared by every writer in lenses (caches, checkpoints, notebooks,
 * reports): a write either lands whole or not at all, so an interrupted run never leaves a
 * half-written file where the user's good one used to be.
 *
 * @module
 */

import { dirname } from "node:path";

let counter = 0;

/** Path of a temporary sibling of `path`, unique within this process. */
function tempSibling(path: string): string {
  counter += 1;
  return `${path}.tmp-${Deno.pid}-${counter}`;
}

/**
 * Writes `data` to `path` atomically: into a temporary file in the same directory, flushed,
 * then renamed over `path`. Parent directories are created.
 *
 * @example
 * ```ts
 * await writeFileAtomic("reports/summary.json", JSON.stringify({ ok: true }));
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  await Deno.mkdir(dirname(path) || ".", { recursive: true });
  const tmp = tempSibling(path);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const file = await Deno.open(tmp, {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Replaces directory `dir` atomically with the contents `fill` writes into a fresh temporary
 * directory. If `fill` throws, `dir` is left as it was.
 *
 * @example
 * ```ts
 * await replaceDirAtomic("checkpoints/abc", async (tmp) => {
 *   await Deno.writeTextFile(`${tmp}/config.json`, "{}");
 * });
 * ```
 */
export async function replaceDirAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  await Deno.mkdir(dirname(dir) || ".", { recursive: true });
  const tmp = tempSibling(dir);
  await Deno.mkdir(tmp);
  try {
    await fill(tmp);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  // A rename cannot replace a non-empty directory, so the old one steps aside first and is
  // removed only once the new one is in place.
  const old = tempSibling(dir);
  const hadOld = await exists(dir);
  if (hadOld) await Deno.rename(dir, old);
  try {
    await Deno.rename(tmp, dir);
  } catch (err) {
    if (hadOld) await Deno.rename(old, dir).catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  if (hadOld) await Deno.remove(old, { recursive: true });
}

/** Whether `path` exists (file or directory). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
