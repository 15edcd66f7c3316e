/**
 * Where lenses keeps things on disk, resolved from this file's location rather than the
 * working directory (notebooks run with their own folder as the working directory).
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * An absolute path inside the repository.
 *
 * @example
 * ```ts
 * repoPath("data", "manifest.json"); // "/home/me/lenses/data/manifest.json"
 * ```
 */
export function repoPath(...parts: string[]): string {
  return fileURLToPath(new URL(`../../${parts.join("/")}`, import.meta.url));
}
