/**
 * The transposed im2col matrix of a convolution's input, written by a JavaScript loop straight
 * into the wasm heap from the channels-first input, so that both reads and writes run along
 * contiguous rows (wasm's Slice + Concat took 50 ms for what this does in a few).
 *
 * @module
 */
import type { KernelBackend, TensorInfo } from "@tensorflow/tfjs-core";
import type { tf } from "../../tf.ts";
import { heapOutput } from "./heap.ts";

/**
 * From `input` [ci, n, h, w] (channels first) and the forward conv's `info`:
 * cols[(a·kw + b)·ci + c, (m·oh + y)·ow + x] = input[c, m, y·sh + a − top, x·sw + b − left],
 * zero outside the input. cols [kh·kw·ci, n·oh·ow] · dy [n·oh·ow, co] is the filter gradient.
 *
 * @example
 * ```ts
 * const cols = im2colTransposed(backend, xChannelsFirst, convInfo); // [9·ci, n·oh·ow]
 * ```
 */
export function im2colTransposed(
  backend: KernelBackend,
  input: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } =
    info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const { out, views: [cols, x] } = heapOutput(backend, [
    kh * kw * ci,
    n * oh * ow,
  ], [input]);
  // Output columns xx whose source column lies inside the image: [xStart, xEnd).
  let o = 0;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const xStart = Math.min(ow, Math.max(0, Math.ceil((left - b) / sw)));
      const xEnd = Math.max(
        xStart,
        Math.min(ow, Math.ceil((w + left - b) / sw)),
      );
      for (let plane = 0; plane < ci * n; plane++) {
        const image = plane * h * w;
        for (let y = 0; y < oh; y++) {
          const r = y * sh + a - top;
          if (r < 0 || r >= h) {
            cols.fill(0, o, o + ow);
            o += ow;
            continue;
          }
          let xx = 0;
          for (; xx < xStart; xx++) cols[o++] = 0;
          let src = image + r * w + xStart * sw + b - left;
          for (; xx < xEnd; xx++, src += sw) cols[o++] = x[src];
          for (; xx < ow; xx++) cols[o++] = 0;
        }
      }
    }
  }
  return out;
}
