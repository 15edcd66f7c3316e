/**
 * A minimal reader for (uncompressed) tar archives held in memory: POSIX ustar and GNU tar
 * headers, regular files only, GNU long names. It is what the CIFAR-10 archive needs; it checks
 * each header's checksum so a damaged archive fails with a clear message instead of garbage.
 *
 * @module
 */

const BLOCK = 512;

/** One regular file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, e.g. "cifar-10-batches-bin/data_batch_1.bin". */
  name: string;
  /** The file's bytes (a view into the archive). */
  data: Uint8Array;
}

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function octal(bytes: Uint8Array, field: string, source: string): number {
  const s = text(bytes).trim();
  if (!/^[0-7]+$/.test(s)) {
    throw new Error(
      `${source}: not a valid tar archive (header field ${field} is "${s}")`,
    );
  }
  return parseInt(s, 8);
}

/** Sum of the header bytes with the checksum field counted as spaces, as tar defines it. */
function headerChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    sum += i >= 148 && i < 156 ? 0x20 : header[i];
  }
  return sum;
}

/**
 * Lists the regular files of the tar archive `bytes`. `source` names the archive in errors.
 *
 * @example
 * ```ts
 * for (const { name, data } of readTar(tarBytes, "cifar-10-binary.tar")) console.log(name, data.length);
 * ```
 */
export function readTar(bytes: Uint8Array, source: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries; // end-of-archive marker
    const stored = octal(header.subarray(148, 156), "chksum", source);
    if (stored !== headerChecksum(header)) {
      throw new Error(
        `${source}: damaged tar archive (header checksum mismatch at byte ${offset}). ` +
          `Delete it and download it again.`,
      );
    }
    const size = octal(header.subarray(124, 136), "size", source);
    const type = String.fromCharCode(header[156]);
    const start = offset + BLOCK;
    if (start + size > bytes.length) {
      throw new Error(
        `${source}: truncated tar archive: an entry declares ${size} bytes at byte ${start} ` +
          `but the archive ends at byte ${bytes.length}. Delete it and download it again.`,
      );
    }
    const data = bytes.subarray(start, start + size);
    if (type === "L") {
      longName = text(data);
    } else {
      if (type === "0" || type === "\0") {
        // Only POSIX ustar ("ustar\0") has a name prefix there; old GNU headers keep times.
        const posix = header[262] === 0 &&
          text(header.subarray(257, 262)) === "ustar";
        const prefix = posix ? text(header.subarray(345, 500)) : "";
        const short = text(header.subarray(0, 100));
        const name = longName ?? (prefix ? `${prefix}/${short}` : short);
        entries.push({ name, data });
      }
      longName = undefined;
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (offset !== bytes.length) {
    throw new Error(
      `${source}: truncated tar archive: ${bytes.length - offset} stray bytes at the end ` +
        `where a 512-byte header should be. Delete it and download it again.`,
    );
  }
  return entries;
}
