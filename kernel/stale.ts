/**
 * Leftovers of killed runs: temporary files of atomic writes (`<file>.tmp-<pid>-<n>`) and kernel
 * connection directories (`lenses-kernel-<pid>-…`) carry the id of the process that made them.
 * Once that process is gone, nothing will finish or remove them, so they are removed here.
 *
 * @module
 */

import { join } from "node:path";

/**
 * Whether a process with id `pid` exists on this machine (a zombie counts as gone). Linux reads
 * /proc; elsewhere `kill -0` answers. When neither can tell, the process is taken as alive, so
 * nothing of a live process is ever removed.
 *
 * @example
 * ```ts
 * processAlive(Deno.pid); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === Deno.pid) return true;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX] /s.test(stat);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound && hasProc()) return false;
  }
  try {
    return new Deno.Command("kill", { args: ["-0", String(pid)], stderr: "null" }).outputSync()
      .success;
  } catch {
    return true;
  }
}

function hasProc(): boolean {
  try {
    return Deno.statSync("/proc/self").isDirectory;
  } catch {
    return false;
  }
}

/**
 * Removes the entries of `dir` whose name `owner` maps to a process id that no longer exists
 * and that were not modified for `minAgeMs` (a guard for directories shared between machines,
 * where a pid says nothing). Returns the removed paths; an unreadable `dir` removes nothing.
 *
 * @example
 * ```ts
 * await removeStale("reports", atomicTempOwner);
 * ```
 */
export async function removeStale(
  dir: string,
  owner: (name: string) => number | null,
  minAgeMs = 60_000,
): Promise<string[]> {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const pid = owner(entry.name);
    if (pid === null || processAlive(pid)) continue;
    const path = join(dir, entry.name);
    try {
      const { mtime } = await Deno.lstat(path);
      if (mtime !== null && Date.now() - mtime.getTime() < minAgeMs) continue;
      await Deno.remove(path, { recursive: true });
      removed.push(path);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

/**
 * The process id in the name of an atomic write's temporary file (`x.json.tmp-123-4` → 123),
 * else null.
 *
 * @example
 * ```ts
 * atomicTempOwner("summary.json.tmp-4242-7"); // 4242
 * ```
 */
export function atomicTempOwner(name: string): number | null {
  const m = /\.tmp-(\d+)-\d+$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Prefix of kernel connection directories; the creating process's id follows. */
export const KERNEL_DIR_PREFIX = "lenses-kernel-";

/**
 * The process id in a kernel connection directory's name (`lenses-kernel-123-ab12` → 123).
 *
 * @example
 * ```ts
 * kernelDirOwner("lenses-kernel-4242-9f3c"); // 4242
 * ```
 */
export function kernelDirOwner(name: string): number | null {
  const m = new RegExp(`^${KERNEL_DIR_PREFIX}(\\d+)-`).exec(name);
  return m ? Number(m[1]) : null;
}
