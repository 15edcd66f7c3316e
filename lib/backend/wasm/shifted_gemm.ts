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

/** Image dimensions: height, width, channels. */
type Dims = [number, number, number];

/** A grid of `rows`×`cols` pixels per image that taps reach across by row offsets. */
interface Grid {
  rows: number;
  cols: number;
}

/**
 * Where windows of images sit in a buffer: images of `rows`×`cols` pixels counted from image
 * `first`, each window's corner at (`top`, `left`).
 */
interface Frame extends Grid {
  first: number;
  top: number;
  left: number;
}

/** Images from `first` on, exactly as large as their windows (plain NHWC). */
function dense(rows: number, cols: number, first: number): Frame {
  return { rows, cols, first, top: 0, left: 0 };
}

/** A chunk's images on `grid`, windows at (`top`, `left`). */
function onGrid(grid: Grid, top = 0, left = 0): Frame {
  return { ...grid, first: 0, top, left };
}

/**
 * Copies the h×w×c windows of `count` images from `src`, laid out as `from`, into `dst`, laid
 * out as `to` (whatever else `dst` holds stays).
 */
function copyWindows(
  src: Float32Array,
  from: Frame,
  dst: Float32Array,
  to: Frame,
  count: number,
  [h, w, c]: Dims,
): void {
  const at = (f: Frame, m: number, r: number) =>
    (((f.first + m) * f.rows + f.top + r) * f.cols + f.left) * c;
  for (let m = 0; m < count; m++) {
    for (let r = 0; r < h; r++) {
      const start = at(from, m, r);
      dst.set(src.subarray(start, start + w * c), at(to, m, r));
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

/** One convolution as per-tap products: what is padded where, and which tap multiplies what. */
interface ShiftedPass {
  /** The padded grid the products run on. */
  grid: Grid;
  /** The images that get padded (x, or dy) and where they sit on the grid. */
  source: Dims;
  at: [number, number];
  /** The images the products add up to (y, or dx): windows at the grid's corner. */
  result: Dims;
  /** The filter tap that multiplies the grid offset of tap (a, b). */
  tapOf: (a: number, b: number) => number;
  /** Whether a tap's [ci, co] matrix enters transposed (the input gradient). */
  transposeFilter: boolean;
}

function shiftedProducts(
  blas: Blas,
  src: Float32Array,
  w: Float32Array,
  dst: Float32Array,
  info: Info,
  pass: ShiftedPass,
): void {
  const { batchSize: n, filterHeight: kh, filterWidth: kw } = info;
  const { grid, source, result } = pass;
  const [k, outChannels] = [source[2], result[2]];
  const cells = grid.rows * grid.cols;
  const tapSize = info.inChannels * info.outChannels;
  const step = imagesPerChunk(n, cells * (k + outChannels));
  for (let first = 0; first < n; first += step) {
    const count = Math.min(step, n - first);
    const padded = scratch(0, count * cells * k, true);
    copyWindows(
      src,
      dense(source[0], source[1], first),
      padded,
      onGrid(grid, ...pass.at),
      count,
      source,
    );
    const rows = gridRows(info, grid, count);
    const out = scratch(1, count * cells * outChannels);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const tap = pass.tapOf(a, b);
        const shifted = padded.subarray(tapOffset(info, grid, a, b) * k);
        const filter = w.subarray(tap * tapSize, (tap + 1) * tapSize);
        const beta = a === 0 && b === 0 ? 0 : 1;
        blas.sgemm(
          false,
          pass.transposeFilter,
          rows,
          outChannels,
          k,
          shifted,
          filter,
          out,
          beta,
        );
      }
    }
    const window = dense(result[0], result[1], first);
    copyWindows(out, onGrid(grid), dst, window, count, result);
  }
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
  shiftedProducts(blas, x, w, y, info, {
    grid: inputGrid(info),
    source: [info.inHeight, info.inWidth, info.inChannels],
    at: [info.padInfo.top, info.padInfo.left],
    result: [info.outHeight, info.outWidth, info.outChannels],
    tapOf: (a, b) => a * info.filterWidth + b,
    transposeFilter: false,
  });
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
  const { filterHeight: kh, filterWidth: kw, padInfo: p } = info;
  const reachH = (kh - 1) * info.dilationHeight;
  const reachW = (kw - 1) * info.dilationWidth;
  shiftedProducts(blas, dy, w, dx, info, {
    grid: { rows: info.inHeight + reachH, cols: info.inWidth + reachW },
    source: [info.outHeight, info.outWidth, info.outChannels],
    at: [reachH - p.top, reachW - p.left],
    result: [info.inHeight, info.inWidth, info.inChannels],
    tapOf: (a, b) => (kh - 1 - a) * kw + (kw - 1 - b),
    transposeFilter: true,
  });
}
