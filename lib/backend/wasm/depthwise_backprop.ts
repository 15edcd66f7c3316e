/**
 * The two gradients of DepthwiseConv2dNative, which the wasm backend lacks, as JavaScript loops
 * over the heap: exact for every stride, dilation, padding and channel multiplier. Lenses'
 * reference models use no depthwise convolutions, so these are about "trains at all" (a model
 * with separable convolutions would otherwise fail on wasm), not speed.
 *
 * @module
 */
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import { heapOutput } from "./heap.ts";
import { type KernelArgs, wasmKernel } from "./kernel_scope.ts";

interface DepthwiseGradAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

type Visit = (xIndex: number, dyIndex: number, wIndex: number) => void;

/**
 * Calls `visit` for every (input pixel, output pixel, filter tap) triple the forward depthwise
 * convolution multiplies, with their flat NHWC / [kh, kw, c, m] indices.
 */
function forEachProduct(info: tf.backend_util.Conv2DInfo, visit: Visit): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const {
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const mult = info.outChannels / c;
  const { top, left } = info.padInfo;
  for (let m = 0; m < n; m++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const dyPixel = ((m * oh + y) * ow + x) * c * mult;
        for (let a = 0; a < kh; a++) {
          const r = y * sh + a * dh - top;
          if (r < 0 || r >= h) continue;
          for (let b = 0; b < kw; b++) {
            const col = x * sw + b * dw - left;
            if (col < 0 || col >= w) continue;
            const xPixel = ((m * h + r) * w + col) * c;
            const tap = (a * kw + b) * c * mult;
            for (let ch = 0; ch < c; ch++) {
              for (let q = 0; q < mult; q++) {
                visit(
                  xPixel + ch,
                  dyPixel + ch * mult + q,
                  tap + ch * mult + q,
                );
              }
            }
          }
        }
      }
    }
  }
}

function convInfo(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: DepthwiseGradAttrs,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

function backpropInput(
  { inputs: { dy, filter }, backend, attrs }: KernelArgs<
    DepthwiseGradAttrs & { inputShape: [number, number, number, number] },
    "dy" | "filter"
  >,
): TensorInfo {
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  const { out, views: [dx, g, k] } = heapOutput(backend, attrs.inputShape, [
    dy,
    filter,
  ]);
  dx.fill(0);
  forEachProduct(info, (xi, yi, wi) => {
    dx[xi] += g[yi] * k[wi];
  });
  return out;
}

function backpropFilter(
  { inputs: { x, dy }, backend, attrs }: KernelArgs<
    DepthwiseGradAttrs & { filterShape: [number, number, number, number] },
    "x" | "dy"
  >,
): TensorInfo {
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const { out, views: [dw, input, g] } = heapOutput(
    backend,
    attrs.filterShape,
    [x, dy],
  );
  // Each tap sums over every output pixel: accumulate in float64.
  const sums = new Float64Array(dw.length);
  forEachProduct(info, (xi, yi, wi) => {
    sums[wi] += input[xi] * g[yi];
  });
  dw.set(sums);
  return out;
}

/**
 * The kernel configs lenses registers for DepthwiseConv2dNativeBackpropInput and
 * DepthwiseConv2dNativeBackpropFilter on 'wasm'.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * for (const config of depthwiseBackpropConfigs()) tf.registerKernel(config);
 * ```
 */
export function depthwiseBackpropConfigs(): KernelConfig[] {
  return [
    wasmKernel("DepthwiseConv2dNativeBackpropInput", backpropInput),
    wasmKernel("DepthwiseConv2dNativeBackpropFilter", backpropFilter),
  ];
}
