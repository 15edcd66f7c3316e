/**
 * col2im: the scatter-add that turns per-pixel kernel-tap contributions back into an image,
 * as a JavaScript loop over the wasm heap. With a MatMul in front it is a convolution's input
 * gradient, which XNNPACK's convolution computes slowly when the image has few channels.
 *
 * @module
 */
import type { KernelBackend, TensorInfo } from "@tensorflow/tfjs-core";
import type { tf } from "../../tf.ts";
import { heapOutput } from "./heap.ts";

/**
 * Adds the tap contributions `cols` [count·oh·ow, kh·kw·ci] of images [first, first + count)
 * into `image` (NHWC [n, h, w, ci], laid out by the forward conv's `info`):
 * image[first + m, y·sh + a·dh − top, x·sw + b·dw − left, c] += cols[(m·oh + y)·ow + x, (a·kw + b)·ci + c]
 * (terms that fall in the padding are dropped). The caller zeroes `image` first.
 *
 * @example
 * ```ts
 * dx.fill(0);
 * col2imAdd(cols, info, 0, info.batchSize, dx);
 * ```
 */
export function col2imAdd(
  cols: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  first: number,
  count: number,
  image: Float32Array,
): void {
  const { inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const span = kw * ci;
  let p = 0;
  for (let m = first; m < first + count; m++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const c0 = x * sw - left;
        // With no dilation and the window inside the row, a tap row is one contiguous span.
        const whole = dw === 1 && c0 >= 0 && c0 + kw <= w;
        for (let a = 0; a < kh; a++, p += span) {
          const r = y * sh + a * dh - top;
          if (r < 0 || r >= h) continue;
          const row = (m * h + r) * w;
          if (whole) {
            let dst = (row + c0) * ci;
            for (let from = p; from < p + span; from++) {
              image[dst++] += cols[from];
            }
            continue;
          }
          for (let b = 0; b < kw; b++) {
            const c = c0 + b * dw;
            if (c < 0 || c >= w) continue;
            let dst = (row + c) * ci;
            const start = p + b * ci;
            for (let from = start; from < start + ci; from++) {
              image[dst++] += cols[from];
            }
          }
        }
      }
    }
  }
}

/**
 * From `cols` [n·oh·ow, kh·kw·ci] in the wasm heap: the image [n, h, w, ci] they add up to
 * (see {@link col2imAdd}).
 *
 * @example
 * ```ts
 * const dx = col2im(backend, cols, convInfo); // [n, h, w, ci]
 * ```
 */
export function col2im(
  backend: KernelBackend,
  cols: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { out, views: [image, src] } = heapOutput(backend, [n, h, w, ci], [
    cols,
  ]);
  image.fill(0);
  col2imAdd(src, info, 0, n, image);
  return out;
}
