/**
 * MaxPoolGrad for the wasm backend, working on the heap: each output cell sends its gradient
 * to the first maximum of its window (scan order, strict `>`), exactly as the cpu backend
 * does. 2×2 stride-2 pools take lenses' SIMD kernel (or a branch-free JavaScript loop), the
 * rest a general loop. In a reference-CNN train step (batch 128) wasm's own kernel took
 * 75 ms, the JavaScript loops ~20 ms, the SIMD kernel 4 ms.
 *
 * @module
 */
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import { heapOutput } from "./heap.ts";
import { simdKernels } from "./simd.ts";
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
  const rowStride = inWidth * channels, imageStride = inHeight * rowStride;
  const twoByTwo = filterHeight === 2 && filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 && top === 0 && left === 0 && 2 * outHeight <= inHeight &&
    2 * outWidth <= inWidth;
  if (twoByTwo) {
    const grid: PoolGrid = {
      n: batchSize,
      h: inHeight,
      w: inWidth,
      c: channels,
      oh: outHeight,
      ow: outWidth,
    };
    if (pool2x2Grad(dx, dyv, x, grid)) {
      zeroOutsideWindows(dx, grid);
      return out;
    }
  }
  dx.fill(0);
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

/** The geometry of a 2×2, stride-2 pool: images n×h×w×c, outputs oh×ow. */
interface PoolGrid {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
}

/**
 * dx inside the 2·oh × 2·ow window grid of a 2×2, stride-2, unpadded pool, or false when
 * neither fast path applies: lenses' SIMD kernel (channels a multiple of 4), else a JavaScript
 * loop for finite dy.
 */
function pool2x2Grad(
  dx: Float32Array,
  dy: Float32Array,
  x: Float32Array,
  grid: PoolGrid,
): boolean {
  const simd = simdKernels();
  if (simd && grid.c % 4 === 0) {
    const { n, h, w, c, oh, ow } = grid;
    simd.maxPoolGrad2x2(
      x.byteOffset,
      dy.byteOffset,
      dx.byteOffset,
      n,
      h,
      w,
      c,
      oh,
      ow,
    );
    return true;
  }
  if (!allFinite(dy)) return false;
  pool2x2Loop(dx, dy, x, grid);
  return true;
}

/**
 * The 2×2 windows without data-dependent branches, which mispredict on ReLU outputs (ties)
 * and random data alike and cost most of the time: six pairwise comparisons, as 0/1 numbers,
 * pick the first maximum; every dx element is written once, `g · wins + 0`: `0 + dy` at the
 * winner and +0 elsewhere, as the cpu backend writes — for finite dy only (`∞ · 0` is NaN).
 */
function pool2x2Loop(
  dx: Float32Array,
  dy: Float32Array,
  x: Float32Array,
  { n, h, w, c: channels, oh, ow }: PoolGrid,
): void {
  const rowStride = w * channels, imageStride = h * rowStride;
  const pairWidth = 2 * ow * channels;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const image = b * imageStride;
    for (let yr = 0; yr < oh; yr++) {
      const top = image + 2 * yr * rowStride;
      for (let p = top; p < top + pairWidth; p += 2 * channels) {
        for (let p00 = p, end = p + channels; p00 < end; p00++, o++) {
          const p01 = p00 + channels, p10 = p00 + rowStride;
          const p11 = p10 + channels;
          const v00 = x[p00], v01 = x[p01], v10 = x[p10], v11 = x[p11];
          // Unary plus turns a comparison into 0/1 without a branch; `? :` would branch.
          const a01 = +(v01 > v00), a02 = +(v10 > v00), a03 = +(v11 > v00);
          const a12 = +(v10 > v01), a13 = +(v11 > v01), a23 = +(v11 > v10);
          const w00 = +(v00 > -Infinity) & ~(a01 | a02 | a03);
          const w01 = a01 & ~(a12 | a13);
          const w10 = a02 & a12 & ~a23;
          const w11 = a03 & a13 & a23;
          const g = dy[o];
          // A pixel that wins here is the cpu's winner too; no winner means a NaN (compared
          // false against everything) or an all -Infinity window: done exactly.
          if ((w00 | w01 | w10 | w11) === 0) {
            windowGrad(dx, x, g, p00, p01, p10, p11);
            continue;
          }
          dx[p00] = g * w00 + 0;
          dx[p01] = g * w01 + 0;
          dx[p10] = g * w10 + 0;
          dx[p11] = g * w11 + 0;
        }
      }
    }
  }
}

/** Zeroes the pixels that 'valid' 2×2 windows leave out: the last column and row of odd sizes. */
function zeroOutsideWindows(
  dx: Float32Array,
  { n, h, w, c, oh, ow }: PoolGrid,
): void {
  const rowStride = w * c, imageStride = h * rowStride;
  for (let m = 0; m < n; m++) {
    const image = m * imageStride;
    if (2 * ow < w) {
      for (let r = 0; r < 2 * oh; r++) {
        const row = image + r * rowStride;
        dx.fill(0, row + 2 * ow * c, row + rowStride);
      }
    }
    dx.fill(0, image + 2 * oh * rowStride, image + imageStride);
  }
}

/** Whether no element is NaN or ±Infinity (`v - v` is 0 exactly for finite v). */
function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (values[i] - values[i] !== 0) return false;
  }
  return true;
}

/** One 2×2 window the cpu's way: first pixel strictly above the running maximum (from -∞). */
function windowGrad(
  dx: Float32Array,
  x: Float32Array,
  g: number,
  ...pixels: number[]
): void {
  let best = -Infinity, at = -1;
  for (const p of pixels) {
    if (x[p] > best) best = x[p], at = p;
  }
  for (const p of pixels) dx[p] = g * +(p === at) + 0;
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
