/**
 * Conv2DBackpropInput for the wasm backend as one forward (XNNPACK) Conv2D: the gradient
 * of a convolution w.r.t. its input is the correlation of dy — spread out by the stride — with
 * the kernel flipped in space and its in/out channels swapped. wasm's own kernel is a scalar
 * loop about 12× slower.
 *
 * @module
 */
import type {
  KernelConfig,
  NamedAttrMap,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import { type ConvGradAttrs, forwardConvInfo } from "./conv_geometry.ts";
import {
  type KernelArgs,
  type KernelScope,
  wasmKernel,
  withKernelScope,
} from "./kernel_scope.ts";

interface BackpropInputAttrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

/**
 * Spreads dy [n, h, w, c] over a (h·sh) × (w·sw) grid (dy at multiples of the stride, zeros
 * between): the zero insertion a strided convolution's transpose needs.
 */
function spread(
  s: KernelScope,
  dy: TensorInfo,
  sh: number,
  sw: number,
): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const cells = s.reshape(dy, [n, h, 1, w, 1, c]);
  const padded = s.run("PadV2", { x: cells }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
    constantValue: 0,
  });
  return s.reshape(padded, [n, h * sh, w * sw, c]);
}

/** Crops `x` [n, h, w, c] to rows/cols [top, top+height) × [left, left+width). */
function crop(
  s: KernelScope,
  x: TensorInfo,
  top: number,
  left: number,
  height: number,
  width: number,
): TensorInfo {
  const [n, h, w, c] = x.shape;
  if (top === 0 && left === 0 && height === h && width === w) return x;
  return s.run("Slice", { x }, {
    begin: [0, top, left, 0],
    size: [n, height, width, c],
  });
}

function conv2DBackpropInput(
  { inputs: { dy, filter }, backend, attrs }: KernelArgs<
    BackpropInputAttrs,
    "dy" | "filter"
  >,
): TensorInfo {
  const info = forwardConvInfo(attrs.inputShape, filter.shape, attrs);
  const {
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: kh,
    filterWidth: kw,
  } = info;
  return withKernelScope(backend, (s) => {
    // In the spread dy (length out·stride), output position i of dx reads rows
    // i + top - (k - 1) ... i + top, so the leading pad is k-1-top and the trailing pad makes
    // the valid correlation exactly inHeight long. Negative pads become crops.
    const spreadDy = spread(s, dy, sh, sw);
    let padTop = kh - 1 - info.padInfo.top;
    let padLeft = kw - 1 - info.padInfo.left;
    let padBottom = info.inHeight + info.padInfo.top - info.outHeight * sh;
    let padRight = info.inWidth + info.padInfo.left - info.outWidth * sw;
    const cropTop = Math.max(0, -padTop), cropLeft = Math.max(0, -padLeft);
    const height = info.outHeight * sh - cropTop + Math.min(0, padBottom);
    const width = info.outWidth * sw - cropLeft + Math.min(0, padRight);
    const source = crop(s, spreadDy, cropTop, cropLeft, height, width);
    padTop = Math.max(0, padTop);
    padLeft = Math.max(0, padLeft);
    padBottom = Math.max(0, padBottom);
    padRight = Math.max(0, padRight);

    const flipped = s.run("Reverse", { x: filter }, { dims: [0, 1] });
    const swapped = s.run("Transpose", { x: flipped }, { perm: [0, 1, 3, 2] });
    const convAttrs = {
      strides: 1,
      pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
      dataFormat: "NHWC",
      dilations: 1,
    } as unknown as NamedAttrMap;
    return s.run("Conv2D", { x: source, filter: swapped }, convAttrs);
  });
}

/**
 * The kernel config lenses registers for `Conv2DBackpropInput` on 'wasm'.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * tf.registerKernel(conv2DBackpropInputConfig);
 * ```
 */
export const conv2DBackpropInputConfig: KernelConfig = wasmKernel(
  "Conv2DBackpropInput",
  conv2DBackpropInput,
);
