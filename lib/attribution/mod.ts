/**
 * Attribution: which input pixels an output depends on — saliency maps (first and second order),
 * SmoothGrad (the gradient averaged over noisy copies) and the thesis' display transform.
 *
 * @example
 * ```ts
 * import { inputSaliency } from "./mod.ts";
 * const map = await inputSaliency(model, { data: image, shape: [48, 48, 3] });
 * ```
 *
 * @module
 */

export {
  inputSaliency,
  type PixelMap,
  rootDisplay,
  type SaliencyInput,
  secondOrderSaliency,
} from "./saliency.ts";
export { classScore, smoothGrad, type SmoothGradResult } from "./smooth_grad.ts";
