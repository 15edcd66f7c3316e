/**
 * Conv2DBackpropInput for the wasm backend, whose own kernel is a scalar loop (~20× slower).
 * Two exact formulations on XNNPACK: for stride 1 and many image channels, one forward Conv2D
 * of dy with the kernel flipped in space and its in/out channels swapped; otherwise a MatMul
 * dy · Wᵀ into per-pixel tap contributions, scattered back by col2im.
 *
 * @module
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { tf } from "../../tf.ts";
import { col2im } from "./col2im.ts";
import { type ConvGradAttrs, forwardConvInfo } from "./conv_geometry.ts";
import { type KernelArgs, type KernelScope, wasmKernel, withKernelScope } from "./kernel_scope.ts";

interface BackpropInputAttrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

/**
 * dx for a stride-1 convolution whose pads are all at most k − 1, as one XNNPACK Conv2D of dy
 * with the kernel flipped in space and its in/out channels swapped, padded by k − 1 − pad.
 */
function viaFlippedConv(
  s: KernelScope,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, padInfo: p } = info;
  const flipped = s.run("Reverse", { x: filter }, { dims: [0, 1] });
  const swapped = s.run("Transpose", { x: flipped }, { perm: [0, 1, 3, 2] });
  const convAttrs = {
    strides: 1,
    pad: [[0, 0], [kh - 1 - p.top, kh - 1 - p.bottom], [
      kw - 1 - p.left,
      kw - 1 - p.right,
    ], [
      0,
      0,
    ]],
    dataFormat: "NHWC",
    dilations: 1,
  } as unknown as NamedAttrMap;
  return s.run("Conv2D", { x: dy, filter: swapped }, convAttrs);
}

/**
 * dx as dy [n·oh·ow, co] · Wᵀ [co, kh·kw·ci] followed by col2im: no zero insertion for
 * strides, and fast when the image has few channels (XNNPACK convolves badly into 1–4).
 */
function viaCol2im(
  s: KernelScope,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const kernelT = s.run("Transpose", { x: s.reshape(filter, [taps, co]) }, {
    perm: [1, 0],
  });
  const cols = s.run("BatchMatMul", {
    a: s.reshape(dy, [n * oh * ow, co]),
    b: kernelT,
  }, {
    transposeA: false,
    transposeB: false,
  });
  return s.adopt(col2im(s.backend, cols, info));
}

function conv2DBackpropInput(
  { inputs: { dy, filter }, backend, attrs }: KernelArgs<
    BackpropInputAttrs,
    "dy" | "filter"
  >,
): TensorInfo {
  const info = forwardConvInfo(attrs.inputShape, filter.shape, attrs);
  const { padInfo: p, filterHeight: kh, filterWidth: kw } = info;
  // Measured on [128, 14, 14, 32] ← 64 channels: flipped conv 28 ms, col2im 44 ms; on
  // [128, 28, 28, 1] ← 32: flipped conv 13 ms, col2im 9 ms. Strides would make the flipped
  // conv spread dy with zeros (s² more work), so they always take col2im.
  const flippedConvFits = info.strideHeight === 1 && info.strideWidth === 1 &&
    Math.max(p.top, p.bottom) < kh && Math.max(p.left, p.right) < kw;
  return withKernelScope(
    backend,
    (s) =>
      flippedConvFits && info.inChannels > 4
        ? viaFlippedConv(s, dy, filter, info)
        : viaCol2im(s, dy, filter, info),
  );
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
