/**
 * File-system helpers shared by every writer in lenses (caches, checkpoints, notebooks,
 * reports): a write either lands whole or not at all, so an interrupted run never leaves a
 * half-written file where the user's good one used to be.
 *
 * @module
 */

import { dirname, join } from "node:path";

let counter = 0;

/**
 * Path of a temporary sibling of `path`, unique within this process and named so that
 * {@link removeStaleTemps} can tell its owner (`<path>.tmp-<pid>-<n>`).
 *
 * @example
 * ```ts
 * const probe = tempSibling("reports/a.html"); // "reports/a.html.tmp-4242-1"
 * ```
 */
export function tempSibling(path: string): string {
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

/**
 * Publishes directory `dir` once: `fill` writes into a fresh temporary directory, which is then
 * renamed into place. When `dir` already exists (another process published it first, possibly
 * while `fill` ran), the existing directory is kept and the temporary one removed: for content
 * addressed by a key, such as a cache entry, both writers made the same thing, so losing the race
 * is success. Returns whether this call's directory was the one published.
 *
 * Unlike {@link replaceDirAtomic} this never moves an existing directory aside, so any number of
 * processes may publish the same `dir` at once and every reader sees a whole directory.
 *
 * @example
 * ```ts
 * const mine = await publishDir("cache/models/abc", async (tmp) => {
 *   await Deno.writeTextFile(`${tmp}/model.json`, "{}");
 * });
 * ```
 */
export async function publishDir(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<boolean> {
  await Deno.mkdir(dirname(dir) || ".", { recursive: true });
  if (await exists(dir)) return false;
  const tmp = tempSibling(dir);
  await Deno.mkdir(tmp);
  try {
    await fill(tmp);
    for (let attempt = 1;; attempt++) {
      try {
        await Deno.rename(tmp, dir);
        return true;
      } catch (err) {
        // rename(2) onto a non-empty directory fails (ENOTEMPTY or EEXIST, by platform):
        // another process won. If `dir` is absent again, a third process removed it between
        // the two calls, and we try again; a failure that persists is a real error.
        if (await exists(dir)) return false;
        if (attempt === 5) throw err;
      }
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * Removes directory `dir` so that no reader ever sees it half-deleted: it is first renamed to a
 * temporary name, then deleted. A `dir` that is already gone (another process removed it) is
 * not an error. Returns whether there was one to remove.
 *
 * @example
 * ```ts
 * await discardDir("cache/models/abc"); // a damaged cache entry
 * ```
 */
export async function discardDir(dir: string): Promise<boolean> {
  const aside = tempSibling(dir);
  try {
    await Deno.rename(dir, aside);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  await Deno.remove(aside, { recursive: true });
  return true;
}

/** The pid in a temporary name made by this module (`<name>.tmp-<pid>-<n>`), else undefined. */
export function tempOwner(name: string): number | undefined {
  const m = /\.tmp-(\d+)-\d+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether a process with this pid exists on this machine. Where that cannot be told (neither
 * `/proc` nor `kill -0` is there, as on Windows), every process counts as alive, so nothing of
 * a running process is ever taken for garbage.
 *
 * @example
 * ```ts
 * await processAlive(Deno.pid); // true
 * ```
 */
export async function processAlive(pid: number): Promise<boolean> {
  if (pid === Deno.pid) return true;
  if (Deno.build.os === "linux") return await exists(`/proc/${pid}`);
  try {
    const { code } = await new Deno.Command("kill", {
      args: ["-0", String(pid)],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return true;
  }
}

/** Options of {@link removeStaleTemps}. */
export interface StaleTempOptions {
  /**
   * Leave temporaries younger than this (milliseconds; default 5 minutes) alone whatever their
   * pid says: a directory shared between machines or containers may hold one whose pid names a
   * live process elsewhere.
   */
  minAgeMs?: number;
  /** How to tell a live process; default {@link processAlive}. */
  isAlive?: (pid: number) => Promise<boolean>;
}

/**
 * Removes the temporary files and directories (`*.tmp-<pid>-<n>`, as this module names them)
 * in `dir` whose process no longer exists: what a killed run left behind. Returns the paths
 * removed. A missing `dir` has nothing to clean.
 *
 * @example
 * ```ts
 * const removed = await removeStaleTemps(".lenses/cache/models");
 * ```
 */
export async function removeStaleTemps(
  dir: string,
  opts: StaleTempOptions = {},
): Promise<string[]> {
  const minAgeMs = opts.minAgeMs ?? 5 * 60_000;
  const isAlive = opts.isAlive ?? processAlive;
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return removed;
    throw err;
  }
  for (const entry of entries) {
    const pid = tempOwner(entry.name);
    if (pid === undefined || await isAlive(pid)) continue;
    const path = join(dir, entry.name);
    try {
      const { mtime } = await Deno.lstat(path);
      if (mtime && Date.now() - mtime.getTime() < minAgeMs) continue;
      await Deno.remove(path, { recursive: true });
      removed.push(path);
    } catch (err) {
      // Another cleaner got there first.
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return removed;
}
