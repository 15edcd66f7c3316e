/**
 * Activation matrices for the similarity measures: every measure in this folder compares two
 * matrices [examples × features] whose rows are the same examples. Convolutional activations
 * [examples, height, width, channels] become such a matrix in one of two ways, and the choice
 * changes the answer, so it is always the caller's:
 *
 * - `"flatten"`: every (position, channel) is a feature (h·w·c columns). Sensitive to where a
 *   feature fires; the form Kornblith et al. 2019 use for CKA of conv layers.
 * - `"pool"`: the mean over positions of each channel (c columns). Invariant to where; the
 *   cheaper form, and the one CCA needs when h·w·c approaches the number of examples.
 *
 * @module
 */

import { tf } from "../tf.ts";

/** How a rank-4 activation [examples, height, width, channels] becomes a matrix. */
export type Spatial = "flatten" | "pool";

/** Options shared by the measures that take activations. */
export interface ActivationOptions {
  /** Required for rank-4 (convolutional) activations; ignored for matrices. */
  spatial?: Spatial;
}

/**
 * The activation matrix [examples × features] of a layer's output: a matrix as it is, a rank-4
 * conv activation flattened or mean-pooled over positions (see the module comment). The
 * caller disposes the result (it may be the input itself for a matrix: use `tf.tidy`).
 *
 * @example
 * ```ts
 * const acts = tf.randomNormal([32, 7, 7, 16]);
 * activationMatrix(acts, "pool").shape;    // [32, 16]
 * activationMatrix(acts, "flatten").shape; // [32, 784]
 * ```
 */
export function activationMatrix(acts: tf.Tensor, spatial?: Spatial): tf.Tensor2D {
  if (!(acts instanceof tf.Tensor)) {
    throw new TypeError(
      `activations must be a tf.Tensor [examples × features], got ${typeof acts}`,
    );
  }
  if (acts.rank === 2) return acts as tf.Tensor2D;
  if (acts.rank !== 4) {
    throw new RangeError(
      `activations must be a matrix [examples × features] or a conv activation ` +
        `[examples, height, width, channels], got shape [${acts.shape}]`,
    );
  }
  if (spatial === "pool") return tf.mean(acts, [1, 2]) as tf.Tensor2D;
  if (spatial === "flatten") return acts.reshape([acts.shape[0], -1]) as tf.Tensor2D;
  throw new RangeError(
    `conv activations of shape [${acts.shape}] need { spatial: "flatten" } (every position a ` +
      `feature) or { spatial: "pool" } (mean over positions per channel)`,
  );
}

/**
 * Validates a pair of activations for a similarity measure and returns their matrices (the
 * caller disposes them inside a `tf.tidy`). Same number of examples, at least `minExamples`.
 *
 * @example
 * ```ts
 * const n = tf.tidy(() => activationPair("myMeasure", x, y, {}, 2)[0].shape[0]);
 * ```
 */
export function activationPair(
  where: string,
  x: tf.Tensor,
  y: tf.Tensor,
  options: ActivationOptions,
  minExamples: number,
): [tf.Tensor2D, tf.Tensor2D] {
  const mx = activationMatrix(x, options.spatial);
  const my = activationMatrix(y, options.spatial);
  if (mx.shape[0] !== my.shape[0]) {
    throw new RangeError(
      `${where}: x and y must hold the same examples (rows), got ${mx.shape[0]} and ` +
        `${my.shape[0]}`,
    );
  }
  if (mx.shape[0] < minExamples) {
    throw new RangeError(
      `${where} needs at least ${minExamples} examples, got ${mx.shape[0]}; pass more rows`,
    );
  }
  if (mx.shape[1] === 0 || my.shape[1] === 0) {
    throw new RangeError(`${where}: x and y need at least one feature (column) each`);
  }
  return [mx, my];
}

/**
 * The column-centred values of a matrix in float64, row-major, scaled by the largest
 * magnitude (every measure here is scale invariant; the scaling keeps squares finite).
 * Throws on NaN or ±Infinity: decompositions of such input never converge.
 *
 * @example
 * ```ts
 * const values = centredFloat64("cca", "x", tf.tensor2d([[1, 2], [3, 6]])); // [-0.5, -1, 0.5, 1]
 * ```
 */
export function centredFloat64(where: string, name: string, m: tf.Tensor2D): Float64Array {
  const [n, d] = m.shape;
  const raw = m.dataSync();
  const out = new Float64Array(n * d);
  const means = new Float64Array(d);
  for (let i = 0; i < n * d; i++) {
    const v = raw[i];
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `${where}: ${name} holds a non-finite value (${v}) at row ${Math.floor(i / d)}, ` +
          `column ${i % d}; a decomposition of it would not converge. Remove or fix those rows`,
      );
    }
    means[i % d] += v;
  }
  for (let j = 0; j < d; j++) means[j] /= n;
  let largest = 0;
  for (let i = 0; i < n * d; i++) {
    out[i] = raw[i] - means[i % d];
    largest = Math.max(largest, Math.abs(out[i]));
  }
  if (largest > 0) { for (let i = 0; i < n * d; i++) out[i] /= largest; }
  return out;
}
