/**
 * Writers for small fixture files in the formats lib/data reads (IDX, CIFAR-10 binary records,
 * ustar tar, gzip), so the parsers are tested on real bytes without any download.
 *
 * @module
 */

import { concatBytes } from "../../lib/io/bytes.ts";

/** An IDX image file (magic 0x00000803) of `count` images of rows × cols bytes. */
export function idxImages(
  pixels: Uint8Array,
  count: number,
  rows: number,
  cols: number,
): Uint8Array {
  const out = new Uint8Array(16 + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000803, false);
  view.setUint32(4, count, false);
  view.setUint32(8, rows, false);
  view.setUint32(12, cols, false);
  out.set(pixels, 16);
  return out;
}

/** An IDX label file (magic 0x00000801). */
export function idxLabels(labels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000801, false);
  view.setUint32(4, labels.length, false);
  out.set(Array.from(labels), 8);
  return out;
}

/** Gzip-compresses `bytes` with the platform's CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The byte of channel `c` at pixel `p` of CIFAR record `r` in the fixtures. */
export function cifarPixel(r: number, c: number, p: number): number {
  return (r * 31 + c * 101 + p * 7) % 256;
}

/** CIFAR-10 binary records with the given labels: label byte, then R, G, B planes (CHW). */
export function cifarRecords(labels: number[], firstRecord = 0): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, i) => {
    const base = i * 3073;
    out[base] = label;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) {
        out[base + 1 + c * 1024 + p] = cifarPixel(firstRecord + i, c, p);
      }
    }
  });
  return out;
}

function writeField(
  header: Uint8Array,
  offset: number,
  length: number,
  value: string,
) {
  header.set(new TextEncoder().encode(value).subarray(0, length), offset);
}

/** A POSIX ustar archive of regular files (names up to 100 bytes). */
export function tar(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const { name, data } of files) {
    const header = new Uint8Array(512);
    writeField(header, 0, 100, name);
    writeField(header, 100, 8, "0000644\0");
    writeField(header, 108, 8, "0000000\0");
    writeField(header, 116, 8, "0000000\0");
    writeField(
      header,
      124,
      12,
      data.length.toString(8).padStart(11, "0") + "\0",
    );
    writeField(header, 136, 12, "00000000000\0");
    header[156] = "0".charCodeAt(0);
    writeField(header, 257, 6, "ustar\0");
    writeField(header, 263, 2, "00");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    writeField(header, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(header);
    const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
    body.set(data);
    blocks.push(body);
  }
  blocks.push(new Uint8Array(1024));
  return concatBytes(blocks);
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "lenses-data-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Names of the entries of `dir` (empty when it does not exist), sorted. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}
