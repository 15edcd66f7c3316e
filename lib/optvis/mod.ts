/**
 * Feature visualisation by activation maximisation (Olah, Mordvintsev & Schubert 2017; Lucid's
 * `optvis`): an objective (lib/optimize's vocabulary: a channel, a neuron, a direction, their
 * sums, turned into a function of images with `onInputs`), an image parameterisation (pixels, or
 * a 1/f-scaled Fourier spectrum with optional colour decorrelation) and transforms for
 * robustness (jitter, scale, rotate) are separate values; {@link render} composes them and knows
 * none of them.
 *
 * @example
 * ```ts
 * import { fourierImage, render, standardTransforms } from "./mod.ts";
 * const param = fourierImage({ height: 28, width: 28, batch: 1, seed: 0 });
 * const { images } = await render(onInputs(channel("conv2", 3), model), param,
 *   { steps: 256, transform: standardTransforms(0), seed: 0 });
 * param.dispose();
 * ```
 *
 * @module
 */

export {
  colorCorrelationSqrt,
  fourierImage,
  type FourierOptions,
  type ImageOptions,
  type ImageParameterization,
  pixelImage,
} from "./param.ts";
export {
  compose,
  jitter,
  randomRotate,
  randomScale,
  standardTransforms,
  type Transform,
} from "./transforms.ts";
export { render, type RenderOptions, type RenderResult } from "./render.ts";
