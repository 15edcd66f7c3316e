/**
 * Stride-1 convolutions and their input gradients as one sgemm per kernel tap over a
 * zero-padded copy of the image, with no im2col matrix. Flattened, the padded image's rows shifted by a tap's offset line up with
 * the output rows (on a grid as wide as the padded image; the extra columns are computed and
 * dropped), so each tap is one matrix product accumulated into the output. All the arithmetic
 * runs in the BLAS (multithreaded, full vector width) instead of JavaScript copy loops, which
 * pays once both channel counts are large enough for an efficient product. (The filter
 * gradient in this form is nine thin products with a huge inner size, slower than im2col's one
 * product: measured 18 vs 16 ms on the reference CNN's second layer.)
 *
 * Layouts are NHWC; `info` is the forward convolution's (tfjs' Conv2DInfo).
 *
 * @module
 */
import type { backend_util } from "@tensorflow/tfjs-core";
import type { Blas } from "../blas.ts";
import { imagesPerChunk, scratch } from "./scratch.ts";

type Info = backend_util.Conv2DInfo;

/** Channel counts below this make per-tap products too thin to beat im2col. */
const MIN_CHANNELS = 8;

/**
 * Whether a convolution (and its gradients) can take the shifted form: stride 1, enough
 * channels, and pads no wider than the dilated kernel (so the input gradient's padded dy grid
 * holds all of dy).
 *
 * @example
 * ```ts
 * if (fitsShifted(info)) convolveShifted(blas, x, w, y, info);
 * ```
 */
export function fitsShifted(info: Info): boolean {
  const { padInfo: p, filterHeight: kh, filterWidth: kw } = info;
  const reachH = (kh - 1) * info.dilationHeight;
  const reachW = (kw - 1) * info.dilationWidth;
  return info.strideHeight === 1 && info.strideWidth === 1 &&
    Math.min(info.inChannels, info.outChannels) >= MIN_CHANNELS &&
    Math.max(p.top, p.bottom) <= reachH && Math.max(p.left, p.right) <= reachW;
}

/** A grid of `rows`×`cols` pixels per image that taps reach across by row offsets. */
interface Grid {
  rows: number;
  cols: number;
}

/**
 * Copies images [first, first + count) of `src` ([·, h, w, c]) into `dst` laid out on `grid`
 * at row `top`, column `left` (the rest of `dst` stays zero).
 */
function place(
  src: Float32Array,
  first: number,
  count: number,
  h: number,
  w: number,
  c: number,
  dst: Float32Array,
  grid: Grid,
  top: number,
  left: number,
): void {
  const rowLength = w * c;
  for (let m = 0; m < count; m++) {
    for (let r = 0; r < h; r++) {
      const from = (((first + m) * h) + r) * rowLength;
      const to = ((m * grid.rows + r + top) * grid.cols + left) * c;
      dst.set(src.subarray(from, from + rowLength), to);
    }
  }
}

/** The inverse of {@link place}: the h×w window at (0, 0) of each grid image into `dst`. */
function crop(
  src: Float32Array,
  grid: Grid,
  first: number,
  count: number,
  h: number,
  w: number,
  c: number,
  dst: Float32Array,
): void {
  const rowLength = w * c;
  for (let m = 0; m < count; m++) {
    for (let r = 0; r < h; r++) {
      const from = (m * grid.rows + r) * grid.cols * c;
      const to = ((first + m) * h + r) * rowLength;
      dst.set(src.subarray(from, from + rowLength), to);
    }
  }
}

/** Row offset on `grid` of tap (a, b). */
function tapOffset(info: Info, grid: Grid, a: number, b: number): number {
  return a * info.dilationHeight * grid.cols + b * info.dilationWidth;
}

/** Output rows of a chunk of `count` images on `grid`: every row any tap can still reach. */
function gridRows(info: Info, grid: Grid, count: number): number {
  const { filterHeight: kh, filterWidth: kw } = info;
  return count * grid.rows * grid.cols - tapOffset(info, grid, kh - 1, kw - 1);
}

/** The padded input's grid: the output grid widened by the dilated kernel's reach. */
function inputGrid(info: Info): Grid {
  const { padInfo: p } = info;
  return {
    rows: info.inHeight + p.top + p.bottom,
    cols: info.inWidth + p.left + p.right,
  };
}

/**
 * y [n, oh, ow, co] = conv(x, w) for a convolution {@link fitsShifted} accepts.
 *
 * @example
 * ```ts
 * convolveShifted(blas, xView, filterView, yView, info);
 * ```
 */
export function convolveShifted(
  blas: Blas,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  info: Info,
): void {
  const { batchSize: n, inChannels: ci, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, padInfo: p } = info;
  const grid = inputGrid(info);
  const cells = grid.rows * grid.cols;
  const step = imagesPerChunk(n, cells * (ci + co));
  for (let first = 0; first < n; first += step) {
    const count = Math.min(step, n - first);
    const padded = scratch(0, count * cells * ci, true);
    place(
      x,
      first,
      count,
      info.inHeight,
      info.inWidth,
      ci,
      padded,
      grid,
      p.top,
      p.left,
    );
    const rows = gridRows(info, grid, count);
    const out = scratch(1, count * cells * co);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const tap = a * kw + b;
        const shifted = padded.subarray(tapOffset(info, grid, a, b) * ci);
        const wTap = w.subarray(tap * ci * co, (tap + 1) * ci * co);
        blas.sgemm(
          false,
          false,
          rows,
          co,
          ci,
          shifted,
          wTap,
          out,
          tap === 0 ? 0 : 1,
        );
      }
    }
    crop(out, grid, first, count, info.outHeight, info.outWidth, co, y);
  }
}

/**
 * dx [n, h, w, ci] of a convolution {@link fitsShifted} accepts: the forward form applied to
 * dy padded by the kernel's reach minus the forward pads, with the kernel flipped and
 * transposed.
 *
 * @example
 * ```ts
 * inputGradientShifted(blas, dyView, filterView, dxView, info);
 * ```
 */
export function inputGradientShifted(
  blas: Blas,
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
  info: Info,
): void {
  const { batchSize: n, inChannels: ci, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, padInfo: p } = info;
  const reachH = (kh - 1) * info.dilationHeight;
  const reachW = (kw - 1) * info.dilationWidth;
  const grid = { rows: info.inHeight + reachH, cols: info.inWidth + reachW };
  const cells = grid.rows * grid.cols;
  const step = imagesPerChunk(n, cells * (ci + co));
  for (let first = 0; first < n; first += step) {
    const count = Math.min(step, n - first);
    const padded = scratch(0, count * cells * co, true);
    place(
      dy,
      first,
      count,
      info.outHeight,
      info.outWidth,
      co,
      padded,
      grid,
      reachH - p.top,
      reachW - p.left,
    );
    const rows = gridRows(info, grid, count);
    const out = scratch(1, count * cells * ci);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const tap = (kh - 1 - a) * kw + (kw - 1 - b);
        const shifted = padded.subarray(tapOffset(info, grid, a, b) * co);
        const wTap = w.subarray(tap * ci * co, (tap + 1) * ci * co);
        const beta = a === 0 && b === 0 ? 0 : 1;
        blas.sgemm(false, true, rows, ci, co, shifted, wTap, out, beta);
      }
    }
    crop(out, grid, first, count, info.inHeight, info.inWidth, ci, dx);
  }
}
