/**
 * What the universality measures read from a network: its layers' activations on a probe set,
 * as matrices for the similarity measures or as unit responses for matching, and the
 * first-layer filters as vectors.
 *
 * @module
 */

import { tf } from "../../tf.ts";
import { activations, type Model } from "../../models/mod.ts";
import { activationMatrix, matchUnits, type Spatial } from "../../representations/mod.ts";

/**
 * The activations of `layers` on images `x`, one tensor per layer, in order (the caller
 * disposes them).
 *
 * @example
 * ```ts
 * const [conv1, fc1] = layerActivations(model, ["conv1", "fc1"], probeImages);
 * ```
 */
export function layerActivations(
  model: Model,
  layers: readonly string[],
  x: tf.Tensor4D,
): tf.Tensor[] {
  const read = activations(model, layers);
  return tf.tidy(() => {
    const out = read(x);
    return layers.map((name) => out[name]);
  });
}

/**
 * Activations as a matrix [examples × features] for a similarity measure: conv layers
 * flattened (every position and channel a feature) or mean-pooled over positions.
 *
 * @example
 * ```ts
 * const m = asMatrix(conv1, "pool"); // [examples, channels]
 * ```
 */
export function asMatrix(acts: tf.Tensor, spatial: Spatial): tf.Tensor2D {
  return tf.tidy(() => tf.clone(activationMatrix(acts, spatial)));
}

/**
 * Unit responses for Li et al.'s matching: one column per unit (a dense unit, or a conv
 * channel), one row per example — and, for a conv layer, per position: Li et al. correlate
 * channels over every image and every spatial position.
 *
 * @example
 * ```ts
 * unitResponses(tf.zeros([10, 7, 7, 16])).shape; // [490, 16]
 * ```
 */
export function unitResponses(acts: tf.Tensor): tf.Tensor2D {
  const units = acts.shape[acts.rank - 1];
  return tf.reshape(acts, [-1, units]) as tf.Tensor2D;
}

/**
 * The first layer's filters, one weight vector per unit (a conv kernel's k·k·c weights, or a
 * dense unit's input weights), bias left out.
 *
 * @example
 * ```ts
 * firstLayerFilters(model).length; // conv1's filter count
 * ```
 */
export function firstLayerFilters(model: Model): number[][] {
  const layer = model.layers.find((l) => l.getWeights().length > 0);
  if (!layer) throw new Error("firstLayerFilters: the model has no layer with weights");
  const kernel = layer.getWeights()[0];
  const units = kernel.shape[kernel.rank - 1];
  const flat = tf.tidy(() => tf.transpose(tf.reshape(kernel, [-1, units])));
  const rows = flat.arraySync() as number[][];
  flat.dispose();
  return rows;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * Matches two networks' first-layer filters one to one by |cosine| (a filter and its negative
 * detect the same edge with the opposite sign) and returns each matched pair's |cosine|.
 *
 * @example
 * ```ts
 * const cosines = matchedFilterCosines(firstLayerFilters(a), firstLayerFilters(b));
 * ```
 */
export function matchedFilterCosines(a: number[][], b: number[][]): number[] {
  if (a.length === 0 || b.length === 0 || a[0].length !== b[0].length) {
    throw new RangeError(
      `matchedFilterCosines: both sides need filters of one length, got ${a.length} of ` +
        `${a[0]?.length} and ${b.length} of ${b[0]?.length}`,
    );
  }
  const similarity = a.map((fa) => b.map((fb) => Math.abs(cosine(fa, fb))));
  return matchUnits(similarity).pairs.map((p) => p.similarity);
}
