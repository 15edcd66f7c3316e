/**
 * Reused JavaScript scratch memory for the BLAS convolution kernels (im2col matrices, padded
 * images), and how many images of a batch fit in it at once. Kept outside the wasm heap so
 * that a kernel call allocates only its output there.
 *
 * @module
 */

/**
 * Floats of scratch per buffer and chunk of images (16 MiB): big enough that sgemm runs at
 * full speed, small enough that a prediction over thousands of images never needs gigabytes.
 */
const CHUNK_FLOATS = 1 << 22;

const buffers = [new Float32Array(0), new Float32Array(0)];

/**
 * A scratch array of `length` floats in buffer `slot` (0 or 1), zeroed when asked. Valid until
 * the next call for the same slot; kernels do not nest, so each may use both slots.
 *
 * @example
 * ```ts
 * const cols = scratch(0, rows * taps);
 * const padded = scratch(1, images * cells * channels, true);
 * ```
 */
export function scratch(
  slot: 0 | 1,
  length: number,
  zeroed = false,
): Float32Array {
  if (buffers[slot].length < length) buffers[slot] = new Float32Array(length);
  const view = buffers[slot].subarray(0, length);
  if (zeroed) view.fill(0);
  return view;
}

/**
 * Images per chunk of a batch of `n` when each needs `floatsPerImage` floats of one buffer
 * (at least 1, at most `n`).
 *
 * @example
 * ```ts
 * const step = imagesPerChunk(128, 196 * 288); // 74
 * ```
 */
export function imagesPerChunk(n: number, floatsPerImage: number): number {
  return Math.max(1, Math.min(n, Math.floor(CHUNK_FLOATS / floatsPerImage)));
}
