/**
 * Files and bytes: atomic writes (a reader never sees half a file), hex encoding, and paths
 * inside the repository.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./mod.ts";
 * await writeFileAtomic("out.json", new TextEncoder().encode("{}"));
 * ```
 *
 * @module
 */

export {
  discardDir,
  exists,
  processAlive,
  publishDir,
  removeStaleTemps,
  replaceDirAtomic,
  type StaleTempOptions,
  tempOwner,
  tempSibling,
  writeFileAtomic,
} from "./fs.ts";
export { concatBytes, sha256Hex, toHex } from "./bytes.ts";
export { repoPath } from "./paths.ts";
