/**
 * Reading a model's intermediate layers as differentiable functions of its input: any named
 * layer, the penultimate (representation) layer, and the representation layer before its
 * activation. They share the model's weights, so they stay in sync with training.
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { ImageFn, Model } from "./types.ts";

/** Names of the layers of `model` that produce outputs (everything but the input). */
export function layerNames(model: Model): string[] {
  return model.layers.filter((l) => l.getClassName() !== "InputLayer").map((
    l,
  ) => l.name);
}

/**
 * A function returning the outputs of the named layers for a batch, sharing the model's
 * weights (so it is differentiable and stays in sync with training).
 *
 * @example
 * ```ts
 * const features = activations(model, ["fc1", "logits"]);
 * const { fc1, logits } = features(x); // tensors the caller disposes
 * ```
 */
export function activations(
  model: Model,
  names: readonly string[],
): (x: tf.Tensor) => Record<string, tf.Tensor> {
  const available = layerNames(model);
  const outputs = names.map((name) => {
    if (!available.includes(name)) {
      throw new Error(
        `activations: the model has no layer "${name}"; its layers are ${available.join(", ")}`,
      );
    }
    return model.getLayer(name).output as tf.SymbolicTensor;
  });
  const probe = tf.model({ inputs: model.inputs, outputs });
  return (x) => {
    const result = probe.apply(x) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(result) ? result : [result];
    return Object.fromEntries(names.map((name, i) => [name, list[i]]));
  };
}

/**
 * The model's representation layer: the input to its final layer (e.g. `fc1` of the reference
 * CNN), as a differentiable function. Used for representation inversion and similarity.
 *
 * @example
 * ```ts
 * const rep = penultimate(model);
 * const r = rep(x); // [batch, 128] for the reference CNN
 * ```
 */
export function penultimate(model: Model): (x: tf.Tensor) => tf.Tensor2D {
  const names = layerNames(model);
  if (names.length < 2) {
    throw new Error("penultimate: the model has a single layer");
  }
  const name = names[names.length - 2];
  const f = activations(model, [name]);
  return (x) => {
    const out = f(x)[name];
    return (out.rank === 2 ? out : tf.tidy(() => out.reshape([out.shape[0], -1]))) as tf.Tensor2D;
  };
}

/** Number of trainable parameters. */
export function parameterCount(model: Model): number {
  return model.trainableWeights.reduce(
    (n, w) => n + tf.util.sizeFromShape(w.shape as number[]),
    0,
  );
}

/**
 * The input to a model's last layer before its activation: for the reference CNN, fc1's
 * W·flatten(x) + b; for an MLP, the last hidden layer's pre-activation. Its ReLU is what
 * `invertRepresentation(..., { lastRelu: "fake" })` applies, as Engstrom et al. do.
 *
 * @example
 * ```ts
 * const rep = penultimatePreActivation(model);
 * const { images } = await invertRepresentation(rep, starts, targets, {
 *   steps: 200, stepSize: 0.1, lastRelu: "fake",
 * });
 * ```
 */
export function penultimatePreActivation(model: Model): ImageFn {
  const names = layerNames(model);
  if (names.length < 2) {
    throw new Error(
      "penultimatePreActivation: the model needs a hidden layer before its output",
    );
  }
  const layer = model.getLayer(names[names.length - 2]);
  if (layer.getClassName() !== "Dense") {
    throw new Error(
      `penultimatePreActivation: the layer before the output ("${layer.name}") is a ` +
        `${layer.getClassName()}, not Dense; use penultimate(model) for its activations instead`,
    );
  }
  const [kernel, bias] = layer.trainableWeights;
  const below = names.length >= 3 ? names[names.length - 3] : undefined;
  const inputs = below ? activations(model, [below]) : undefined;
  return (x) =>
    tf.tidy(() => {
      const h = inputs ? inputs(x)[below!] : x;
      const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
      const z = tf.matMul(flat, kernel.read() as tf.Tensor2D);
      return (bias ? tf.add(z, bias.read()) : z) as tf.Tensor2D;
    });
}
