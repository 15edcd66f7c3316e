/**
 * Where the project's directories are, independent of the caller's working directory.
 *
 * @module
 */

import { repoPath } from "../lib/io/paths.ts";

/**
 * Default directory for executed notebooks and HTML reports.
 *
 * @example
 * ```ts
 * reportsDir(); // "/path/to/lenses/reports"
 * ```
 */
export function reportsDir(): string {
  return repoPath("reports");
}

/**
 * Directory of the project's notebooks.
 *
 * @example
 * ```ts
 * notebooksDir(); // "/path/to/lenses/notebooks"
 * ```
 */
export function notebooksDir(): string {
  return repoPath("notebooks");
}
