/**
 * im2col: a convolution's input unrolled into one row of kernel taps per output pixel, so that
 * the convolution (and its filter gradient) is a single matrix product. Written by JavaScript
 * loops along contiguous rows (wasm's Slice + Concat took 50 ms for what these do in a few).
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
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
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

/**
 * The im2col rows of images [first, first + count) of `x` (NHWC, as described by the forward
 * conv's `info`, dilations included) into `cols` [count·oh·ow, kh·kw·ci]:
 * cols[(m·oh + y)·ow + x, (a·kw + b)·ci + c] = x[first + m, y·sh + a·dh − top, x·sw + b·dw − left, c],
 * zero outside the input. cols · W [kh·kw·ci, co] is the convolution of those images.
 *
 * @example
 * ```ts
 * im2colRows(xView, info, 0, info.batchSize, cols); // cols.length ≥ n·oh·ow·kh·kw·ci
 * ```
 */
export function im2colRows(
  x: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  first: number,
  count: number,
  cols: Float32Array,
): void {
  const { inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const imageSize = h * w * ci;
  const span = kw * ci;
  let o = 0;
  for (let m = first; m < first + count; m++) {
    const image = m * imageSize;
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const c0 = xx * sw - left;
        // With no dilation and the window inside the row, a tap row is one contiguous span.
        const whole = dw === 1 && c0 >= 0 && c0 + kw <= w;
        for (let a = 0; a < kh; a++) {
          const r = y * sh + a * dh - top;
          if (r < 0 || r >= h) {
            cols.fill(0, o, o + span);
            o += span;
            continue;
          }
          const row = image + r * w * ci;
          if (whole) {
            let src = row + c0 * ci;
            const end = o + span;
            while (o < end) cols[o++] = x[src++];
            continue;
          }
          for (let b = 0; b < kw; b++) {
            const c = c0 + b * dw;
            if (c < 0 || c >= w) {
              cols.fill(0, o, o + ci);
              o += ci;
              continue;
            }
            let src = row + c * ci;
            for (let d = 0; d < ci; d++) cols[o++] = x[src++];
          }
        }
      }
    }
  }
}
