/**
 * The data cache: dataset files listed in data/manifest.json (name, canonical URLs, size,
 * SHA-256) live in one directory, `LENSES_DATA` or, by default, `data/cache/` in the
 * repository (found from this module's location, so notebooks running in notebooks/ use the
 * same one). A missing file is downloaded when a network is there and written only after its
 * size and SHA-256 match, so the cache never holds a half-written or wrong file. Offline, or on
 * a mismatch, the error names the file, where it is expected, and how to provide it.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { sha256Hex } from "../io/bytes.ts";
import { exists, writeFileAtomic } from "../io/fs.ts";
import { repoPath } from "../io/paths.ts";
import manifestJson from "../../data/manifest.json" with { type: "json" };

/** One downloadable file, as listed in data/manifest.json. */
export interface ManifestEntry {
  /** File name in the cache directory. */
  readonly name: string;
  /** What it holds, for messages. */
  readonly dataset: string;
  /** Canonical download URLs, tried in order. */
  readonly urls: readonly string[];
  /** Size in bytes. */
  readonly size: number;
  /** Lower-case hex SHA-256 of the file. */
  readonly sha256: string;
  /** Published MD5, for cross-checking by hand (not verified here). */
  readonly md5?: string;
}

/** Every file lenses knows how to fetch. */
export const MANIFEST: readonly ManifestEntry[] = manifestJson.files;

/** Options of {@link ensureFile} and {@link ensureBytes}. */
export interface EnsureFileOptions {
  /** Cache directory; default {@link dataDir}(). */
  dir?: string;
  /** The fetch to download with; default the global `fetch` (tests inject their own). */
  fetch?: typeof fetch;
  /** Whether a missing file may be downloaded; default true unless `LENSES_OFFLINE=1`. */
  download?: boolean;
  /** File list to look `name` up in; default {@link MANIFEST}. */
  manifest?: readonly ManifestEntry[];
  /** Where progress lines go; default console.log. */
  log?: (line: string) => void;
}

/**
 * The data cache directory: `LENSES_DATA` (resolved against the working directory) when set,
 * else `data/cache/` in the repository.
 *
 * @example
 * ```ts
 * console.log(dataDir()); // /home/me/lenses/data/cache
 * ```
 */
export function dataDir(): string {
  const env = Deno.env.get("LENSES_DATA");
  if (env) return resolve(env);
  return repoPath("data", "cache");
}

/** What is wrong with `bytes` as `entry`, or undefined when they match. */
async function mismatch(
  bytes: Uint8Array,
  entry: ManifestEntry,
): Promise<string | undefined> {
  if (bytes.length !== entry.size) {
    return `it has ${bytes.length} bytes, the manifest says ${entry.size}`;
  }
  const sha = await sha256Hex(bytes);
  if (sha !== entry.sha256) {
    return `its SHA-256 is ${sha}, the manifest says ${entry.sha256}`;
  }
  return undefined;
}

function howToProvide(entry: ManifestEntry, path: string): string {
  return `To provide it, download ${entry.urls[0]} by hand and save it as ${path} ` +
    `(${entry.size} bytes, SHA-256 ${entry.sha256}), or set LENSES_DATA to a directory ` +
    `that already holds ${entry.name}.`;
}

async function download(
  entry: ManifestEntry,
  url: string,
  fetchFn: typeof fetch,
): Promise<Uint8Array> {
  const response = await fetchFn(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const problem = await mismatch(bytes, entry);
  if (problem) throw new Error(`checksum mismatch: ${problem}`);
  return bytes;
}

/**
 * Returns the local path of the manifest file `name`, downloading it into the cache first when
 * it is missing. A file already there is used only when its size and SHA-256 match the
 * manifest; a download is written (atomically) only when it matches. Use {@link ensureBytes}
 * when you need the contents too: it reads the file once.
 *
 * @example
 * ```ts
 * const path = await ensureFile("t10k-labels-idx1-ubyte.gz");
 * ```
 */
export async function ensureFile(
  name: string,
  opts: EnsureFileOptions = {},
): Promise<string> {
  return (await ensureBytes(name, opts)).path;
}

/**
 * Like {@link ensureFile}, but also returns the file's verified bytes, so a loader need not
 * read the file again after the cache has read it to check its SHA-256.
 *
 * @example
 * ```ts
 * const { path, bytes } = await ensureBytes("t10k-labels-idx1-ubyte.gz");
 * console.log(`${path}: ${bytes.length} bytes`);
 * ```
 */
export async function ensureBytes(
  name: string,
  opts: EnsureFileOptions = {},
): Promise<{ path: string; bytes: Uint8Array }> {
  const manifest = opts.manifest ?? MANIFEST;
  const entry = manifest.find((e) => e.name === name);
  if (!entry) {
    throw new Error(
      `"${name}" is not in the data manifest (data/manifest.json); known files: ` +
        manifest.map((e) => e.name).join(", "),
    );
  }
  const dir = opts.dir ?? dataDir();
  const path = join(dir, name);
  const log = opts.log ?? console.log;

  if (await exists(path)) {
    const bytes = await Deno.readFile(path);
    const problem = await mismatch(bytes, entry);
    if (problem) {
      throw new Error(
        `Data file ${path} (${entry.dataset}) does not match the manifest: ${problem}. ` +
          `It is damaged or a different version. Delete it to download it again, or ` +
          `replace it. ${howToProvide(entry, path)}`,
      );
    }
    return { path, bytes };
  }

  const allowed = opts.download ?? Deno.env.get("LENSES_OFFLINE") !== "1";
  if (!allowed) {
    throw new Error(
      `Data file ${name} (${entry.dataset}) is not in ${dir}, and downloads are off ` +
        `(LENSES_OFFLINE=1 or download: false). ${howToProvide(entry, path)}`,
    );
  }

  const fetchFn = opts.fetch ?? fetch;
  const failures: string[] = [];
  for (const url of entry.urls) {
    log(
      `Downloading ${name} (${(entry.size / 2 ** 20).toFixed(1)} MiB) from ${url} ...`,
    );
    try {
      const bytes = await download(entry, url, fetchFn);
      await writeFileAtomic(path, bytes);
      log(`Saved ${path} (SHA-256 verified).`);
      return { path, bytes };
    } catch (err) {
      failures.push(`  ${url}: ${(err as Error).message}`);
    }
  }
  throw new Error(
    `Data file ${name} (${entry.dataset}) is not in ${dir} and could not be downloaded:\n` +
      `${failures.join("\n")}\nNothing was written to the cache. ${howToProvide(entry, path)}`,
  );
}
