/**
 * Saliency maps of an objective (lib/optimize's vocabulary) with respect to the input (Simonyan, Vedaldi & Zisserman
 * 2014): the absolute gradient, reduced to one value per pixel by the maximum over channels.
 * Also the second-order map of one pixel's saliency (the saliency of a saliency value), the
 * 10th-root display transform.
 *
 * By default the objective is the sum of a model's outputs (for a counter: the predicted total
 * count).
 *
 * @module
 */

import { tf } from "../tf.ts";
import { checkSecondOrderActivations } from "../models/second_order.ts";
import { type Objective, onInputs, outputSum } from "../optimize/mod.ts";

/** An image as a tensor [H, W, C] / [1, H, W, C], or pixels with their shape. */
export type SaliencyInput = tf.Tensor | {
  data: Float32Array;
  shape: readonly [number, number, number];
};

/** A per-pixel map, row-major H×W. */
export interface PixelMap {
  data: Float32Array;
  height: number;
  width: number;
}

function asBatch(model: tf.LayersModel, image: SaliencyInput): tf.Tensor4D {
  const expected = model.inputs[0].shape.slice(1) as number[];
  const shape = image instanceof tf.Tensor
    ? image.shape
    : [...(image as { shape: readonly number[] }).shape];
  const hwc = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  if (hwc.length !== 3 || hwc.join(",") !== expected.join(",")) {
    throw new Error(
      `saliency: the image has shape [${shape}] but the model takes [${expected}] ` +
        `(pass one image as [H, W, C] or [1, H, W, C])`,
    );
  }
  return tf.tidy(() => {
    const t = image instanceof tf.Tensor ? image : tf.tensor(image.data, [...image.shape]);
    return t.reshape([1, ...hwc]) as tf.Tensor4D;
  });
}

/**
 * The value whose saliency is taken: an objective of lib/optimize's vocabulary, on any layer.
 * The default, the sum of the outputs (`outputSum()`), is a counter's predicted total (the
 * thesis' choice); `channel("logits", 0)` would take the triangle count alone.
 */
function scalarOf(model: tf.LayersModel, objective: Objective) {
  const f = onInputs(objective, model);
  return (x: tf.Tensor) => tf.sum(f(x as tf.Tensor4D)) as tf.Scalar;
}

/** Reads a [H, W] tensor into a map and disposes it. */
async function toMap(t: tf.Tensor): Promise<PixelMap> {
  const [height, width] = t.shape;
  const data = Float32Array.from(await t.data());
  t.dispose();
  return { data, height, width };
}

/**
 * Saliency of a scalar of the model's outputs (default their sum): |∂objective / ∂x|, maximum
 * over channels.
 *
 * @example
 * ```ts
 * const map = await inputSaliency(model, { data: scene.image, shape: [48, 48, 3] });
 * map.data.length; // 48 * 48
 * ```
 */
export async function inputSaliency(
  model: tf.LayersModel,
  image: SaliencyInput,
  objective: Objective = outputSum(),
): Promise<PixelMap> {
  const x = asBatch(model, image);
  const map = tf.tidy(() => tf.grad(scalarOf(model, objective))(x).abs().max(-1).squeeze([0]));
  x.dispose();
  return await toMap(map);
}

/**
 * The second-order saliency of pixel `pixel` (flat index row·W + col): the saliency map of that
 * pixel's saliency value, |∂ s_i / ∂x| with s_i = max_c |∂Σ outputs / ∂x_{i,c}|, maximum over
 * channels. For a piecewise-linear (ReLU) network it is exactly zero. Sigmoid and tanh networks
 * and ELU work too (lib/tf.ts makes them twice differentiable); SELU ones are refused.
 *
 * @example
 * ```ts
 * const seed = argmax(first.data);
 * const second = await secondOrderSaliency(model, image, seed);
 * ```
 */
export async function secondOrderSaliency(
  model: tf.LayersModel,
  image: SaliencyInput,
  pixel: number,
  objective: Objective = outputSum(),
): Promise<PixelMap> {
  checkSecondOrderActivations(model);
  const x = asBatch(model, image);
  const [, h, w, c] = x.shape;
  if (!Number.isInteger(pixel) || pixel < 0 || pixel >= h * w) {
    x.dispose();
    throw new Error(
      `secondOrderSaliency: pixel ${pixel} is outside the ${h}×${w} image (give row·${w} + col)`,
    );
  }
  const f = scalarOf(model, objective);
  // The channel that carries pixel i's saliency (the max over channels picks it).
  const g0 = tf.tidy(() => tf.grad(f)(x).reshape([h * w, c]).gather([pixel]));
  const values = await g0.data();
  g0.dispose();
  let channel = 0;
  for (let k = 1; k < c; k++) {
    if (Math.abs(values[k]) > Math.abs(values[channel])) channel = k;
  }
  const index = pixel * c + channel;
  const map = tf.tidy(() => {
    // A one-hot product rather than gather: gather's gradient needs UnsortedSegmentSum, which
    // the wasm backend lacks.
    const pick = tf.oneHot([index], h * w * c).reshape(x.shape);
    const si = (input: tf.Tensor) => tf.grad(f)(input).mul(pick).sum().abs() as tf.Scalar;
    return tf.grad(si)(x).abs().max(-1).squeeze([0]);
  });
  x.dispose();
  return toMap(map);
}

/**
 * The thesis' display transform: the `root`-th root of every value (default 10), so the
 * extremes move closer together, then scaled to [0, 1] by the maximum.
 *
 * @example
 * ```ts
 * rootDisplay(new Float32Array([0, 1e-10, 1])); // [0, 0.1, 1]
 * ```
 */
export function rootDisplay(values: Float32Array, root = 10): Float32Array {
  if (!(root > 0)) {
    throw new Error(`rootDisplay: root must be positive, got ${root}`);
  }
  const out = values.map((v) => Math.abs(v) ** (1 / root));
  let max = 0;
  for (const v of out) if (v > max) max = v;
  return max > 0 ? out.map((v) => v / max) : out;
}
