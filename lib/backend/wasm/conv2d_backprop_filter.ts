/**
 * Conv2DBackpropFilter for the wasm backend (which has none) as im2col + one XNNPACK MatMul:
 * dW[a, b, ci, co] = Σ_{n,y,x} xpad[n, y·s + a, x·s + b, ci] · dy[n, y, x, co]. The im2col
 * matrix is built transposed ([k·k·ci, n·oh·ow]) so that the product needs no transposed
 * MatMul (slow on wasm) and XNNPACK packs the smaller operand, dy.
 *
 * @module
 */
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { type ConvGradAttrs, forwardConvInfo } from "./conv_geometry.ts";
import { im2colTransposed } from "./im2col.ts";
import { type KernelArgs, wasmKernel, withKernelScope } from "./kernel_scope.ts";

interface BackpropFilterAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

function conv2DBackpropFilter(
  { inputs: { x, dy }, backend, attrs }: KernelArgs<
    BackpropFilterAttrs,
    "x" | "dy"
  >,
): TensorInfo {
  const info = forwardConvInfo(x.shape, attrs.filterShape, attrs);
  const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const pixels = n * oh * ow;
  return withKernelScope(backend, (s) => {
    const dyRows = s.reshape(dy, [pixels, co]);
    const plain = { transposeA: false, transposeB: false };
    const channelsFirst = info.inChannels === 1
      ? s.reshape(x, [1, n, info.inHeight, info.inWidth])
      : s.run("Transpose", { x }, { perm: [3, 0, 1, 2] });
    const colsT = s.adopt(im2colTransposed(backend, channelsFirst, info));
    const product = s.run("BatchMatMul", { a: colsT, b: dyRows }, plain);
    return s.reshape(product, attrs.filterShape);
  });
}

/**
 * The kernel config lenses registers for `Conv2DBackpropFilter` on 'wasm'.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * tf.registerKernel(conv2DBackpropFilterConfig);
 * ```
 */
export const conv2DBackpropFilterConfig: KernelConfig = wasmKernel(
  "Conv2DBackpropFilter",
  conv2DBackpropFilter,
);
