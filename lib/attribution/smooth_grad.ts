/**
 * SmoothGrad (Smilkov et al. 2017): the gradient of a class score averaged over Gaussian-noised
 * copies of the input, (1/m) Σ ∇S_c(x + δ_i), δ_i ~ N(0, σ²I), which removes much of the
 * high-frequency noise of a plain gradient. It is exactly the gradient of the Gaussian-smoothed
 * score (1/m) Σ S_c(x + δ_i) at fixed draws: `onInputs(classScore(c), smoothedLogits(model,
 * opts))` as an objective for the projected-gradient loop. S_c is the class's logit, as in the
 * paper.
 *
 * The noise level σ is in pixel units of [0, 1] images, so it equals the paper's σ/(x_max − x_min)
 * (they recommend 10–20%); the number of samples m is a parameter and the variance of the
 * estimate is reported, as it falls as 1/m.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { asImageFn, type Classifier } from "../models/types.ts";
import { LOGITS, type Objective, objective } from "../optimize/mod.ts";
import {
  disposeSums,
  type DrawSums,
  drawSums,
  labelRows,
  type MonteCarloOptions,
  noisyLogits,
  traceOf,
} from "../smoothing/monte_carlo.ts";

/**
 * The logit of each example's class, `classes[b]` for image b: the class score S_c of
 * SmoothGrad as an objective. On `smoothedLogits` it is the smoothed score whose gradient
 * SmoothGrad is; on a model, the plain score.
 *
 * @example
 * ```ts
 * const score = onInputs(classScore(y), smoothedLogits(model, { sigma: 0.15, samples: 32, seed: 0 }));
 * const { x: drawn } = await projectedGradient(score, x, { threat: l2(3), steps: 40, stepSize: 0.2 });
 * ```
 */
export function classScore(classes: tf.Tensor1D): Objective {
  return objective([LOGITS], "class score", (a) =>
    tf.tidy(() => {
      const logits = a[LOGITS] as tf.Tensor2D;
      const mask = tf.oneHot(tf.cast(classes, "int32"), logits.shape[1]);
      return tf.sum(tf.mul(logits, mask), 1) as tf.Tensor1D;
    }));
}

/** What {@link smoothGrad} returns. */
export interface SmoothGradResult {
  /** (1/m) Σ ∇S_c(x + δ_i), [B, h, w, c]; the caller disposes it. */
  gradient: tf.Tensor4D;
  /** The smoothed score (1/m) Σ S_c(x + δ_i) per example. */
  score: Float32Array;
  /**
   * Per example, the estimated E‖ĝ − E ĝ‖² of the gradient estimate: the per-pixel sample
   * variance of the m draws' gradients over m, summed over pixels.
   */
  variance: Float32Array;
}

/**
 * SmoothGrad of the class `classes[b]` for every image b of `x`, with the variance of the
 * Monte-Carlo estimate. Needs m ≥ 2 draws (one draw has no variance estimate).
 *
 * @example
 * ```ts
 * const { gradient, variance } = await smoothGrad(model, x, y, { sigma: 0.15, samples: 50, seed: 0 });
 * const map = tf.tidy(() => gradient.abs().max(-1)); // saliency per pixel
 * gradient.dispose();
 * ```
 */
export async function smoothGrad(
  model: Classifier,
  x: tf.Tensor4D,
  classes: tf.Tensor1D | ArrayLike<number>,
  opts: MonteCarloOptions,
): Promise<SmoothGradResult> {
  const where = "smoothGrad";
  const f = asImageFn(model);
  const batch = x.shape[0];
  const rows = await labelRows(where, f, x, classes);
  let sums: DrawSums;
  try {
    sums = drawSums(where, x, opts, (z) =>
      tf.tidy(() => {
        const mask = tf.tile(rows, [z.shape[0] / batch, 1]);
        return tf.sum(tf.mul(noisyLogits(where, f, z), mask), 1) as tf.Tensor1D;
      }));
  } finally {
    rows.dispose();
  }
  const m = opts.samples;
  const [gradient, score, variance] = tf.tidy(() => {
    const mean = tf.div(sums.g1, m) as tf.Tensor4D;
    const spread = tf.sub(sums.g2, tf.mul(sums.g1, mean));
    return [mean, tf.div(sums.s1, m), traceOf(tf.div(spread, m * (m - 1)) as tf.Tensor4D)];
  });
  disposeSums(sums);
  const both = tf.concat([score, variance]);
  const numbers = await both.data();
  tf.dispose([score, variance, both]);
  return {
    gradient: gradient as tf.Tensor4D,
    score: Float32Array.from(numbers.subarray(0, batch)),
    variance: Float32Array.from(numbers.subarray(batch)),
  };
}
