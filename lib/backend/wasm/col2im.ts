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
 * From `cols` [n·oh·ow, kh·kw·ci] and the forward conv's `info`: the image [n, h, w, ci] with
 * image[m, y·sh + a − top, x·sw + b − left, c] += cols[(m·oh + y)·ow + x, (a·kw + b)·ci + c]
 * (terms that fall in the padding are dropped).
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
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } =
    info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const { out, views: [image, src] } = heapOutput(backend, [n, h, w, ci], [
    cols,
  ]);
  image.fill(0);
  const rowLength = kh * kw * ci;
  let p = 0;
  for (let m = 0; m < n; m++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++, p += rowLength) {
        for (let a = 0; a < kh; a++) {
          const r = y * sh + a - top;
          if (r < 0 || r >= h) continue;
          for (let b = 0; b < kw; b++) {
            const c = x * sw + b - left;
            if (c < 0 || c >= w) continue;
            const dst = ((m * h + r) * w + c) * ci;
            const from = p + (a * kw + b) * ci;
            for (let d = 0; d < ci; d++) image[dst + d] += src[from + d];
          }
        }
      }
    }
  }
  return out;
}
