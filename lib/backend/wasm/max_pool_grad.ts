/**
 * MaxPoolGrad for the wasm backend as a JavaScript loop over the heap: each output cell sends
 * its gradient to the first maximum of its window (scan order, strict `>`), exactly as the cpu
 * backend does. In a reference-CNN train step (batch 128) wasm's own kernel took 75 ms, this
 * about 20 ms.
 *
 * @module
 */
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import { heapOutput } from "./heap.ts";
import { type KernelArgs, wasmKernel } from "./kernel_scope.ts";

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function maxPoolGrad(
  { inputs: { dy, input }, backend, attrs }: KernelArgs<
    MaxPoolGradAttrs,
    "dy" | "input"
  >,
): TensorInfo {
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
  } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const { out, views: [dx, dyv, x] } = heapOutput(backend, input.shape, [
    dy,
    input,
  ]);
  dx.fill(0);
  const rowStride = inWidth * channels, imageStride = inHeight * rowStride;
  const twoByTwo = filterHeight === 2 && filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 && top === 0 && left === 0 && 2 * outHeight <= inHeight &&
    2 * outWidth <= inWidth;
  if (twoByTwo) {
    pool2x2Grad(
      dx,
      dyv,
      x,
      batchSize,
      outHeight,
      outWidth,
      channels,
      rowStride,
      imageStride,
    );
    return out;
  }
  // Channels innermost: every window row is read contiguously, once; `best`/`at` start at
  // the window's first pixel so that later pixels win only when strictly greater.
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * imageStride;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = Math.max(0, yr * strideHeight - top);
      const r1 = Math.min(inHeight, yr * strideHeight - top + filterHeight);
      for (let yc = 0; yc < outWidth; yc++, o += channels) {
        const c0 = Math.max(0, yc * strideWidth - left);
        const c1 = Math.min(inWidth, yc * strideWidth - left + filterWidth);
        if (r0 >= r1 || c0 >= c1) continue;
        const first = image + r0 * rowStride + c0 * channels;
        for (let d = 0; d < channels; d++) {
          // As in the cpu backend's search from -Infinity with `>`: NaN and -Infinity never win.
          const v = x[first + d];
          const wins = v > -Infinity;
          best[d] = wins ? v : -Infinity;
          at[d] = wins ? first + d : -1;
        }
        for (let r = r0; r < r1; r++) {
          for (let c = r === r0 ? c0 + 1 : c0; c < c1; c++) {
            const base = image + r * rowStride + c * channels;
            for (let d = 0; d < channels; d++) {
              const v = x[base + d];
              if (v > best[d]) {
                best[d] = v;
                at[d] = base + d;
              }
            }
          }
        }
        for (let d = 0; d < channels; d++) {
          if (at[d] >= 0) dx[at[d]] += dyv[o + d];
        }
      }
    }
  }
  return out;
}

/**
 * The common case — 2×2 windows, stride 2, no padding, all inside the image — unrolled: the
 * same first-strict-maximum rule over the four pixels in scan order, 2–3× faster.
 */
function pool2x2Grad(
  dx: Float32Array,
  dy: Float32Array,
  x: Float32Array,
  batchSize: number,
  outHeight: number,
  outWidth: number,
  channels: number,
  rowStride: number,
  imageStride: number,
): void {
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      for (let yc = 0; yc < outWidth; yc++, o += channels) {
        const p00 = b * imageStride + 2 * yr * rowStride + 2 * yc * channels;
        const p01 = p00 + channels, p10 = p00 + rowStride, p11 = p10 + channels;
        for (let d = 0; d < channels; d++) {
          let best = -Infinity, at = -1;
          let v = x[p00 + d];
          if (v > best) best = v, at = p00 + d;
          v = x[p01 + d];
          if (v > best) best = v, at = p01 + d;
          v = x[p10 + d];
          if (v > best) best = v, at = p10 + d;
          v = x[p11 + d];
          if (v > best) at = p11 + d;
          if (at >= 0) dx[at] = dy[o + d];
        }
      }
    }
  }
}

/**
 * The kernel config lenses registers for `MaxPoolGrad` on 'wasm'.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * tf.registerKernel(maxPoolGradConfig);
 * ```
 */
export const maxPoolGradConfig: KernelConfig = wasmKernel(
  "MaxPoolGrad",
  maxPoolGrad,
);
