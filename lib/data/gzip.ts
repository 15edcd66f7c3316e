/**
 * Gzip decompression for data files, through the platform's DecompressionStream (no native
 * addon, works in Deno and browsers). A truncated or damaged file fails its gzip checksum and
 * becomes an error that names the file and the fix.
 *
 * @module
 */

/**
 * Whether `bytes` start with the gzip magic number (1f 8b).
 *
 * @example
 * ```ts
 * isGzip(await Deno.readFile("data/cache/t10k-labels-idx1-ubyte.gz")); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip `bytes` in memory. `source` (a file name) is used in the error message.
 *
 * @example
 * ```ts
 * const raw = await gunzip(await Deno.readFile(path), path);
 * ```
 */
export async function gunzip(
  bytes: Uint8Array,
  source: string,
): Promise<Uint8Array> {
  if (!isGzip(bytes)) {
    throw new Error(
      `${source}: not gzip data (it does not start with the bytes 1f 8b)`,
    );
  }
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new Error(
      `${source}: the gzip data is truncated or corrupt (${
        (err as Error).message
      }). Delete the file and download it again.`,
    );
  }
}
