/**
 * Conv2DBackpropFilter for the wasm backend (which has none) as im2col + one XNNPACK MatMul:
 * dW[a, b, ci, co] = Σ_{n,y,x} xpad[n, y·s + a, x·s + b, ci] · dy[n, y, x, co]. The input is
 * transposed once to [ci, n, h, w] so that the k·k shifted windows, stacked, already form the
 * transposed im2col matrix [k·k·ci, n·oh·ow] and the product needs no transposed MatMul
 * (which is slow on wasm).
 *
 * @module
 */
import {
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { type ConvGradAttrs, forwardConvInfo } from "./conv_geometry.ts";
import { withKernelScope } from "./kernel_scope.ts";

interface BackpropFilterAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

function conv2DBackpropFilter(
  { inputs, backend, attrs }: Parameters<KernelFunc>[0],
): TensorInfo {
  const { x, dy } = inputs;
  const a = attrs as unknown as BackpropFilterAttrs;
  const info = forwardConvInfo(x.shape, a.filterShape, a);
  const {
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: kh,
    filterWidth: kw,
  } = info;
  const {
    batchSize: n,
    inChannels: ci,
    outChannels: co,
    outHeight: oh,
    outWidth: ow,
  } = info;
  return withKernelScope(backend, (s) => {
    const channelsFirst = ci === 1
      ? s.reshape(x, [1, n, info.inHeight, info.inWidth])
      : s.run("Transpose", { x }, { perm: [3, 0, 1, 2] });
    // Window (a, b) reads rows a, a+s, ..., a+(oh-1)s of the padded input; pad only as far as
    // some window reaches (the forward pass may have padded more than any window uses).
    const spanH = (oh - 1) * sh + 1, spanW = (ow - 1) * sw + 1;
    const { top, left } = info.padInfo;
    const bottom = Math.max(0, kh - 1 + spanH - info.inHeight - top);
    const right = Math.max(0, kw - 1 + spanW - info.inWidth - left);
    const padded = top || left || bottom || right
      ? s.run("PadV2", { x: channelsFirst }, {
        paddings: [[0, 0], [0, 0], [top, bottom], [left, right]],
        constantValue: 0,
      })
      : channelsFirst;
    const windows: TensorInfo[] = [];
    for (let r = 0; r < kh; r++) {
      for (let c = 0; c < kw; c++) {
        windows.push(
          sh === 1 && sw === 1
            ? s.run("Slice", { x: padded }, {
              begin: [0, 0, r, c],
              size: [ci, n, oh, ow],
            })
            : s.run("StridedSlice", { x: padded }, {
              begin: [0, 0, r, c],
              end: [ci, n, r + spanH, c + spanW],
              strides: [1, 1, sh, sw],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            }),
        );
      }
    }
    const stacked = windows.length === 1
      ? windows[0]
      // Concat takes its inputs as an array, as tfjs-core's concat op passes them.
      : s.run("Concat", windows as unknown as NamedTensorInfoMap, { axis: 0 });
    const colsT = s.reshape(stacked, [kh * kw * ci, n * oh * ow]);
    const dyRows = s.reshape(dy, [n * oh * ow, co]);
    const product = s.run("BatchMatMul", { a: colsT, b: dyRows }, {
      transposeA: false,
      transposeB: false,
    });
    return s.reshape(product, [kh, kw, ci, co]);
  });
}

/**
 * The kernel config lenses registers for `Conv2DBackpropFilter` on 'wasm'.
 *
 * @example
 * ```ts
 * import { registerKernel } from "@tensorflow/tfjs-core";
 * registerKernel(conv2DBackpropFilterConfig);
 * ```
 */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
