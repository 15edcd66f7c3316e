/**
 * The names lenses gives to models. A {@link Model} is a tfjs-layers network (what the builders
 * return and `fit` trains); a {@link Classifier} is anything that turns images into logits —
 * a `Model`, or an {@link ImageFn} such as a smoothed or wrapped network — which is what attacks
 * and evaluation take.
 *
 * @module
 */

import { tf } from "../tf.ts";

/** A tfjs-layers network: images (or vectors) in, logits or regression outputs out. */
export type Model = tf.LayersModel;

/**
 * A differentiable function of a batch of images [B, h, w, c] to one row per image [B, k]:
 * logits, or a layer's features.
 */
export type ImageFn = (x: tf.Tensor4D) => tf.Tensor2D;

/** Anything that gives logits for images: a {@link Model} or an {@link ImageFn}. */
export type Classifier = Model | ImageFn;

/**
 * A classifier as a function of images (no training-mode behaviour).
 *
 * @example
 * ```ts
 * const logits = asImageFn(model)(x);
 * ```
 */
export function asImageFn(model: Classifier): ImageFn {
  return typeof model === "function" ? model : (x) => model.apply(x) as tf.Tensor2D;
}
