/**
 * Differentiable smoothed classifiers, as functions of images the objective vocabulary reads
 * (`onInputs(objective, source)`): the soft smoothed classifier of Salman et al. 2019
 * (SmoothAdv), G(x) = E_δ[softmax(f(x + δ))], δ ~ N(0, σ²I), whose cross-entropy −log G(x)_y
 * their attack ascends, and the Gaussian-smoothed logits E_δ[f(x + δ)], whose gradient is
 * SmoothGrad. Both are estimated by the mean over m seeded draws; unlike the hard smoothed
 * classifier of CERTIFY they are differentiable, so the projected-gradient loop attacks them like
 * any model.
 *
 * The draws are fixed by the seed (the same at every call, as SmoothAdv fixes the noise over an
 * attack's steps), which makes each estimate a deterministic function of x.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { asImageFn, type Classifier, type ImageFn } from "../models/types.ts";
import {
  disposeSums,
  drawPlan,
  type DrawSums,
  drawSums,
  labelRows,
  type MonteCarloOptions,
  noisyCopies,
  noisyLogits,
  passes,
  traceOf,
} from "./monte_carlo.ts";

/** f's logits at every draw of `opts`, [m, B, classes]. */
function logitsAtDraws(
  where: string,
  f: ImageFn,
  x: tf.Tensor4D,
  opts: MonteCarloOptions,
): tf.Tensor3D {
  const batch = x.shape[0];
  const { seeds, perPass } = drawPlan(where, opts, batch);
  const parts = passes(seeds, perPass).map((group) => {
    const logits = noisyLogits(where, f, noisyCopies(x, opts.sigma, group));
    return tf.reshape(logits, [group.length, batch, logits.shape[1]]);
  });
  return (parts.length === 1 ? parts[0] : tf.concat(parts)) as tf.Tensor3D;
}

/**
 * log G(x) of the soft smoothed classifier, [B, classes]. Its rows are log-probabilities, so it
 * is a classifier's logits: softmax gives G back, and cross-entropy gives SmoothAdv's loss. The
 * average is taken in log space (log-sum-exp over draws), which stays finite where the mean of
 * the softmax underflows, as it does for a confidently wrong class.
 *
 * @example
 * ```ts
 * const smoothed = softSmoothed(model, { sigma: 0.25, samples: 16, seed: 0 });
 * const loss = onInputs(labelLoss(crossEntropy, y), smoothed); // SmoothAdv's objective
 * const { adversarial } = await pgd(smoothed, x, y, { threat: l2(1), steps: 10, stepSize: 0.2 });
 * ```
 */
export function softSmoothed(model: Classifier, opts: MonteCarloOptions): ImageFn {
  const f = asImageFn(model);
  drawPlan("softSmoothed", opts, 1);
  return (x) =>
    tf.tidy(() => {
      const logProbs = tf.logSoftmax(logitsAtDraws("softSmoothed", f, x, opts));
      return tf.sub(tf.logSumExp(logProbs, 0), Math.log(opts.samples)) as tf.Tensor2D;
    });
}

/**
 * The Gaussian-smoothed logits (1/m) Σ f(x + δ_i), [B, classes]: with a class's logit as the
 * objective (`classScore`), its gradient is SmoothGrad at the same draws.
 *
 * @example
 * ```ts
 * const smoothed = smoothedLogits(model, { sigma: 0.15, samples: 32, seed: 0 });
 * const score = onInputs(classScore(y), smoothed);
 * ```
 */
export function smoothedLogits(model: Classifier, opts: MonteCarloOptions): ImageFn {
  const f = asImageFn(model);
  drawPlan("smoothedLogits", opts, 1);
  return (x) =>
    tf.tidy(() => tf.mean(logitsAtDraws("smoothedLogits", f, x, opts), 0) as tf.Tensor2D);
}

/** What {@link softSmoothedGradient} returns. */
export interface SoftSmoothedGradient {
  /** −log Ĝ(x)_y per example. */
  loss: Float32Array;
  /** Its gradient with respect to x [B, h, w, c]; the caller disposes it. */
  gradient: tf.Tensor4D;
  /**
   * Per example, the estimated E‖ĝ − E ĝ‖² of the gradient estimate (the trace of its
   * covariance, by the delta method over the m draws): falls as 1/m.
   */
  variance: Float32Array;
}

/**
 * The Monte-Carlo gradient of SmoothAdv's loss −log Ĝ(x)_y, Ĝ_y = (1/m) Σ softmax(f(x + δ_i))_y,
 * with the variance of the estimate. With s_i the label's probability at draw i and g_i = ∇s_i,
 * the gradient is −(Σ g_i)/(Σ s_i); its variance follows from the per-draw influence
 * ψ_i = (−g_i + (ḡ/s̄) s_i)/s̄ (which averages to 0) as Σψ_i² / (m(m − 1)). Needs m ≥ 2.
 *
 * @example
 * ```ts
 * const { gradient, variance } = await softSmoothedGradient(model, x, y, {
 *   sigma: 0.25, samples: 64, seed: 0,
 * });
 * gradient.dispose();
 * ```
 */
export async function softSmoothedGradient(
  model: Classifier,
  x: tf.Tensor4D,
  labels: tf.Tensor1D | ArrayLike<number>,
  opts: MonteCarloOptions,
): Promise<SoftSmoothedGradient> {
  const where = "softSmoothedGradient";
  const f = asImageFn(model);
  const batch = x.shape[0];
  const oneHot = await labelRows(where, f, x, labels);
  let sums: DrawSums;
  try {
    sums = drawSums(where, x, opts, (rows) =>
      tf.tidy(() => {
        const logits = noisyLogits(where, f, rows);
        const mask = tf.tile(oneHot, [rows.shape[0] / batch, 1]);
        return tf.sum(tf.mul(tf.softmax(logits), mask), 1) as tf.Tensor1D;
      }));
  } finally {
    oneHot.dispose();
  }
  const m = opts.samples;
  const [loss, gradient, variance] = tf.tidy(() => {
    const col = (t: tf.Tensor1D) => tf.reshape(t, [batch, 1, 1, 1]);
    const sBar = tf.div(sums.s1, m) as tf.Tensor1D;
    const gBar = tf.div(sums.g1, m);
    const ratio = tf.div(gBar, col(sBar));
    // Σψ² · s̄² = Σg² − 2 (ḡ/s̄) Σ s·g + (ḡ/s̄)² Σs²
    const spread = tf.add(
      tf.sub(sums.g2, tf.mul(tf.mul(ratio, 2), sums.sg)),
      tf.mul(tf.square(ratio), col(sums.s2)),
    );
    const perPixel = tf.div(spread, tf.mul(col(tf.square(sBar)), m * (m - 1))) as tf.Tensor4D;
    return [tf.neg(tf.log(sBar)), tf.neg(ratio) as tf.Tensor4D, traceOf(perPixel)];
  });
  disposeSums(sums);
  const both = tf.concat([loss, variance]);
  const numbers = await both.data();
  tf.dispose([loss, variance, both]);
  return {
    loss: Float32Array.from(numbers.subarray(0, batch)),
    gradient,
    variance: Float32Array.from(numbers.subarray(batch)),
  };
}
