/**
 * The IDX file format of MNIST (LeCun et al.): a 4-byte magic number (two zero bytes, a type
 * code, the number of dimensions), one big-endian uint32 per dimension, then the values. MNIST
 * uses unsigned bytes (type code 0x08): images are 0x00000803 (count × rows × cols) and labels
 * 0x00000801 (count). Files may be gzip-compressed, as they are distributed.
 *
 * @module
 */

import { makeDataset } from "./dataset.ts";
import type { Dataset } from "./dataset.ts";
import { gunzip, isGzip } from "./gzip.ts";

/** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** Images read from an IDX file: `pixels` holds count × rows × cols bytes, row-major. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/** Checks the magic number and size of an IDX file; returns its dimensions and its values. */
function parseIdx(
  bytes: Uint8Array,
  magic: number,
  kind: string,
  source: string,
): { dims: number[]; values: Uint8Array } {
  const ndims = magic & 0xff;
  const headerLength = 4 + 4 * ndims;
  const truncatedHeader = () =>
    new Error(
      `${source}: truncated IDX ${kind} file: ${bytes.length} bytes, shorter than its ` +
        `${headerLength}-byte header. Delete it and download it again.`,
    );
  if (bytes.length < 4) throw truncatedHeader();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    const hint = isGzip(bytes)
      ? " The data is still gzip-compressed: decompress it first (readIdx does this)."
      : "";
    throw new Error(
      `${source}: not an IDX ${kind} file: magic number ${hex32(found)}, ` +
        `expected ${hex32(magic)}.${hint}`,
    );
  }
  if (bytes.length < headerLength) throw truncatedHeader();
  const dims = Array.from(
    { length: ndims },
    (_, i) => view.getUint32(4 + 4 * i, false),
  );
  const expected = dims.reduce((a, b) => a * b, 1);
  const payload = bytes.length - headerLength;
  if (payload < expected) {
    throw new Error(
      `${source}: truncated IDX ${kind} file: its header says ${dims.join(" × ")} = ` +
        `${expected} values but only ${payload} bytes follow. Delete it and download it again.`,
    );
  }
  if (payload > expected) {
    throw new Error(
      `${source}: IDX ${kind} file has ${payload - expected} bytes after the ` +
        `${dims.join(" × ")} values its header declares; it is not a well-formed IDX file.`,
    );
  }
  return { dims, values: bytes.subarray(headerLength) };
}

/**
 * Parses (uncompressed) IDX image bytes. `source` names the file in error messages.
 *
 * @example
 * ```ts
 * const { count, rows, cols, pixels } = parseIdxImages(await readIdx(path), path);
 * ```
 */
export function parseIdxImages(bytes: Uint8Array, source: string): IdxImages {
  const { dims, values } = parseIdx(bytes, IDX_IMAGES_MAGIC, "image", source);
  return { count: dims[0], rows: dims[1], cols: dims[2], pixels: values };
}

/**
 * Parses (uncompressed) IDX label bytes: one unsigned byte per example.
 *
 * @example
 * ```ts
 * const labels = parseIdxLabels(await readIdx(path), path);
 * ```
 */
export function parseIdxLabels(bytes: Uint8Array, source: string): Uint8Array {
  return parseIdx(bytes, IDX_LABELS_MAGIC, "label", source).values;
}

/**
 * Reads an IDX file's bytes, decompressing it when it is gzip data (as the distributed
 * `*.gz` files are).
 *
 * @example
 * ```ts
 * const bytes = await readIdx("data/cache/t10k-labels-idx1-ubyte.gz");
 * ```
 */
export async function readIdx(path: string): Promise<Uint8Array> {
  return await decompressIdx(await Deno.readFile(path), path);
}

/**
 * An IDX file's contents decompressed when they are gzip data, else as they are: the step of
 * {@link readIdx} after reading, for bytes already in memory. `source` names them in errors.
 *
 * @example
 * ```ts
 * const { path, bytes } = await ensureBytes("t10k-labels-idx1-ubyte.gz");
 * const labels = parseIdxLabels(await decompressIdx(bytes, path), path);
 * ```
 */
export async function decompressIdx(
  bytes: Uint8Array,
  source: string,
): Promise<Uint8Array> {
  return isGzip(bytes) ? await gunzip(bytes, source) : bytes;
}

/**
 * Builds a grayscale data set [N, rows, cols, 1] in [0, 1] from IDX images and labels,
 * checking that they describe the same number of examples. Classes are named "0", "1", ….
 *
 * @example
 * ```ts
 * const test = idxDataset("mnist-test", parseIdxImages(imgs, "imgs"), parseIdxLabels(lbls, "lbls"));
 * ```
 */
export function idxDataset(
  name: string,
  images: IdxImages,
  labels: Uint8Array,
  numClasses = 10,
): Dataset {
  if (images.count !== labels.length) {
    throw new Error(
      `${name}: the image file holds ${images.count} images but the label file holds ` +
        `${labels.length} labels; the two files must come from the same split.`,
    );
  }
  const x = new Float32Array(images.pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = images.pixels[i] / 255;
  return makeDataset({
    name,
    shape: [images.rows, images.cols, 1],
    x,
    labels: Int32Array.from(labels),
    numClasses,
    // The same names as the embedded MNIST subset, so both kinds of data set read alike.
    classNames: Array.from({ length: numClasses }, (_, i) => String(i)),
  });
}
