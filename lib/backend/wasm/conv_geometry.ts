/**
 * The geometry shared by the convolution kernels: tfjs' own conv info (so 'same', 'valid',
 * numeric and explicit paddings mean exactly what the forward Conv2D meant).
 *
 * @module
 */
import type { backend_util } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";

/** Forward-convolution parameters the backprop kernels receive as attributes. */
export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  /** Forward Conv2D only: tfjs' convolution gradients do not support dilations. */
  dilations?: [number, number] | number;
}

/**
 * The forward Conv2D's info for input `inShape` and filter `filterShape` under `attrs`.
 * Rejects NCHW with a message saying what to use instead.
 *
 * @example
 * ```ts
 * const info = forwardConvInfo([8, 28, 28, 1], [3, 3, 1, 32], {
 *   strides: 1, pad: "same", dataFormat: "NHWC",
 * });
 * info.outHeight; // 28
 * ```
 */
export function forwardConvInfo(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvGradAttrs,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat === "NCHW") {
    throw new Error(
      "lenses' wasm convolution gradients support only dataFormat 'NHWC' (channels last); " +
        "use channels-last layers (tfjs-layers' default) on the wasm backend.",
    );
  }
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}
