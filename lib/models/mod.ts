/**
 * Models: the names lenses gives them (`Model`, `ImageFn`, `Classifier`), seeded builders, reading
 * intermediate layers, the fake ReLU, and the check that a model is twice differentiable.
 *
 * @example
 * ```ts
 * import { activations, referenceCnn } from "./mod.ts";
 * const model = referenceCnn({ seed: 0 });
 * const { fc1 } = activations(model, ["fc1"])(x);
 * ```
 *
 * @module
 */

export { asImageFn, type Classifier, type ImageFn, type Model } from "./types.ts";
export {
  type Activation,
  ACTIVATIONS,
  cnn,
  type CnnOptions,
  type ConvStage,
  mlp,
  type MlpOptions,
  referenceCnn,
} from "./builders.ts";
export {
  activations,
  layerNames,
  parameterCount,
  penultimate,
  penultimatePreActivation,
} from "./layers.ts";
export { fakeRelu } from "./fake_relu.ts";
export { smoothedRelu, symmetricNet, type SymmetricNetOptions, twoLayerRelu } from "./symmetric.ts";
export { checkSecondOrderActivations } from "./second_order.ts";
