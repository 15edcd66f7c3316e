/**
 * Convolutions on the wasm backend as native BLAS products: `Conv2D`, `FusedConv2D` and both
 * gradients. Stride-1 convolutions with enough channels (and their input gradients) are one
 * product per kernel tap on the padded image (shifted_gemm.ts); the rest, and every filter
 * gradient, an im2col (or col2im) pass in JavaScript around one sgemm per chunk of images.
 * Tensors stay in the wasm heap — sgemm reads and writes them in place through FFI — and the
 * im2col matrix lives in reused JavaScript scratch memory, so a call allocates only its output.
 *
 * @module
 */
import type { backend_util, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { Blas } from "../blas.ts";
import { col2imAdd } from "./col2im.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { conv2DBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { type ConvGradAttrs, forwardConvInfo } from "./conv_geometry.ts";
import { finishFused, type FusedAttrs } from "./fused_epilogue.ts";
import { heapOutput } from "./heap.ts";
import { im2colRows } from "./im2col.ts";
import { imagesPerChunk, scratch } from "./scratch.ts";
import { convolveShifted, fitsShifted, inputGradientShifted } from "./shifted_gemm.ts";
import { type KernelArgs, rememberOriginal, wasmKernel } from "./kernel_scope.ts";

type Info = backend_util.Conv2DInfo;

/** A 1×1, stride-1, unpadded convolution: the input already is its im2col matrix. */
function isPointwise(info: Info): boolean {
  const p = info.padInfo;
  return info.filterHeight === 1 && info.filterWidth === 1 &&
    info.strideHeight === 1 && info.strideWidth === 1 &&
    p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0;
}

interface Chunking {
  /** Output pixels per image. */
  pixels: number;
  /** Kernel taps per output pixel (kh·kw·ci). */
  taps: number;
  /** Images per chunk. */
  step: number;
  /** The im2col scratch for one chunk. */
  cols: Float32Array;
}

function chunking(info: Info): Chunking {
  const pixels = info.outHeight * info.outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const step = imagesPerChunk(info.batchSize, pixels * taps);
  return { pixels, taps, step, cols: scratch(0, step * pixels * taps) };
}

/** out [n·oh·ow, co] = conv(x, w): x · w for 1×1 kernels, per-tap products, or im2col(x) · w. */
function convolve(
  blas: Blas,
  x: Float32Array,
  w: Float32Array,
  out: Float32Array,
  info: Info,
): void {
  const { batchSize: n, outChannels: co } = info;
  if (isPointwise(info)) {
    const rows = n * info.outHeight * info.outWidth;
    blas.sgemm(false, false, rows, co, info.inChannels, x, w, out);
    return;
  }
  if (fitsShifted(info)) return convolveShifted(blas, x, w, out, info);
  const { pixels, taps, step, cols } = chunking(info);
  for (let m = 0; m < n; m += step) {
    const count = Math.min(step, n - m);
    im2colRows(x, info, m, count, cols);
    const rows = out.subarray(m * pixels * co, (m + count) * pixels * co);
    blas.sgemm(false, false, count * pixels, co, taps, cols, w, rows);
  }
}

/** dw [taps, co] = Σ over chunks of im2col(x)ᵀ · dy. */
function filterGradient(
  blas: Blas,
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
  info: Info,
): void {
  const { batchSize: n, outChannels: co } = info;
  if (n === 0) {
    dw.fill(0); // an empty sum; BLAS would return without writing
    return;
  }
  if (isPointwise(info)) {
    const rows = n * info.outHeight * info.outWidth;
    blas.sgemm(true, false, info.inChannels, co, rows, x, dy, dw);
    return;
  }
  const { pixels, taps, step, cols } = chunking(info);
  for (let m = 0; m < n; m += step) {
    const count = Math.min(step, n - m);
    im2colRows(x, info, m, count, cols);
    const dyRows = dy.subarray(m * pixels * co, (m + count) * pixels * co);
    blas.sgemm(
      true,
      false,
      taps,
      co,
      count * pixels,
      cols,
      dyRows,
      dw,
      m === 0 ? 0 : 1,
    );
  }
}

/** dx [n, h, w, ci]: dy · wᵀ for 1×1 kernels, per-tap products, or col2im(dy · wᵀ) by chunks. */
function inputGradient(
  blas: Blas,
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
  info: Info,
): void {
  const { batchSize: n, outChannels: co } = info;
  if (isPointwise(info)) {
    const rows = n * info.outHeight * info.outWidth;
    blas.sgemm(false, true, rows, info.inChannels, co, dy, w, dx);
    return;
  }
  if (fitsShifted(info)) return inputGradientShifted(blas, dy, w, dx, info);
  const { pixels, taps, step, cols } = chunking(info);
  dx.fill(0);
  for (let m = 0; m < n; m += step) {
    const count = Math.min(step, n - m);
    const dyRows = dy.subarray(m * pixels * co, (m + count) * pixels * co);
    blas.sgemm(false, true, count * pixels, taps, co, dyRows, w, cols);
    col2imAdd(cols, info, m, count, dx);
  }
}

type ConvArgs = KernelArgs<ConvGradAttrs, "x" | "filter">;

/** True when the call is outside what these kernels do (it then goes to wasm's own). */
function unsupported(attrs: ConvGradAttrs, inputs: TensorInfo[]): boolean {
  return attrs.dataFormat === "NCHW" ||
    inputs.some((t) => t.dtype !== "float32");
}

function conv2D(blas: Blas, args: ConvArgs): TensorInfo {
  const { inputs: { x, filter }, backend, attrs } = args;
  const info = forwardConvInfo(x.shape, filter.shape, attrs);
  const { out, views: [y, xv, wv] } = heapOutput(
    backend,
    info.outShape,
    [x, filter],
  );
  convolve(blas, xv, wv, y, info);
  return out;
}

/** `body` as kernel `kernelName`, handing what it does not support to `fallback`. */
function delegating<A extends ConvGradAttrs, N extends string>(
  kernelName: string,
  fallback: KernelFunc,
  body: (args: KernelArgs<A, N>) => TensorInfo,
): KernelConfig {
  return wasmKernel(kernelName, (args: KernelArgs<A, N>) => {
    const tensors = Object.values(args.inputs) as (TensorInfo | null)[];
    if (unsupported(args.attrs, tensors.filter((t) => t != null))) {
      return fallback(
        args as unknown as Parameters<KernelFunc>[0],
      ) as TensorInfo;
    }
    return body(args);
  });
}

/**
 * The kernel configs lenses registers on 'wasm' when a native BLAS is present: `Conv2D`,
 * `FusedConv2D`, `Conv2DBackpropFilter`, `Conv2DBackpropInput`. NCHW and non-float32 calls go
 * to the wasm backend's own kernels (for the gradients: lenses' XNNPACK ones).
 *
 * @example
 * ```ts
 * const { blas } = findBlas();
 * if (blas) for (const config of blasConvConfigs(blas)) tf.registerKernel(config);
 * ```
 */
export function blasConvConfigs(blas: Blas): KernelConfig[] {
  return [
    delegating(
      "Conv2D",
      rememberOriginal("Conv2D"),
      (args: ConvArgs) => conv2D(blas, args),
    ),
    delegating(
      "FusedConv2D",
      rememberOriginal("FusedConv2D"),
      (
        args: KernelArgs<
          ConvGradAttrs & FusedAttrs,
          "x" | "filter" | "bias" | "preluActivationWeights"
        >,
      ) => {
        const { inputs, backend, attrs } = args;
        const product = conv2D(blas, { inputs, backend, attrs });
        return finishFused(backend, product, inputs, attrs);
      },
    ),
    delegating(
      "Conv2DBackpropFilter",
      conv2DBackpropFilterConfig.kernelFunc,
      (
        { inputs: { x, dy }, backend, attrs }: KernelArgs<
          ConvGradAttrs & { filterShape: number[] },
          "x" | "dy"
        >,
      ) => {
        const info = forwardConvInfo(x.shape, attrs.filterShape, attrs);
        const { out, views: [dw, xv, dyv] } = heapOutput(
          backend,
          attrs.filterShape,
          [x, dy],
        );
        filterGradient(blas, xv, dyv, dw, info);
        return out;
      },
    ),
    delegating(
      "Conv2DBackpropInput",
      conv2DBackpropInputConfig.kernelFunc,
      (
        { inputs: { dy, filter }, backend, attrs }: KernelArgs<
          ConvGradAttrs & { inputShape: number[] },
          "dy" | "filter"
        >,
      ) => {
        const info = forwardConvInfo(attrs.inputShape, filter.shape, attrs);
        const { out, views: [dx, dyv, wv] } = heapOutput(
          backend,
          attrs.inputShape,
          [dy, filter],
        );
        inputGradient(blas, dyv, wv, dx, info);
        return out;
      },
    ),
  ];
}
