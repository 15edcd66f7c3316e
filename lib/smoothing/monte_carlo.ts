/**
 * Monte-Carlo machinery shared by the smoothed objectives (the soft smoothed classifier of
 * Salman et al. 2019, SmoothGrad of Smilkov et al. 2017): seeded noise draws that are the same
 * at every call (so an objective is a deterministic function of x that a gradient loop and a
 * finite-difference check see alike), evaluation in chunks of draws, and per-draw gradients with
 * the sums their variance needs.
 *
 * Draw i of a call is N(0, σ²I) noise of the whole batch, seeded by (seed, i) alone; with
 * `batchSize` noisy images per model pass, draws are grouped so that each pass holds as many
 * whole draws as fit (at least one).
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/mod.ts";
import type { ImageFn } from "../models/types.ts";
import {
  checkClassIndices,
  checkedLogits,
  checkInteger,
  checkLogits,
  labelValues,
} from "../checks/mod.ts";
import { checkNoiseOptions, gaussianNoise } from "./noise.ts";

/** Settings of every Monte-Carlo estimate over Gaussian noise. */
export interface MonteCarloOptions {
  /** Standard deviation σ of the noise (pixel units of the [0, 1] images). */
  sigma: number;
  /** Noise draws per example, m; the estimate's variance falls as 1/m. */
  samples: number;
  /** Seeds the draws; the same seed gives the same draws at every call. */
  seed: number;
  /** Noisy images per model pass (default 512): bounds memory, not the result. */
  batchSize?: number;
}

const DEFAULT_BATCH = 512;

/**
 * Checks `opts` (with at least `minSamples` draws) and returns the draws' seeds and how many
 * draws go in one model pass for a batch of `batch` examples.
 *
 * @example
 * ```ts
 * const plan = drawPlan("smoothGrad", opts, x.shape[0], 2);
 * ```
 */
export function drawPlan(
  where: string,
  opts: MonteCarloOptions,
  batch: number,
  minSamples = 1,
): { seeds: number[]; perPass: number } {
  const batchSize = checkNoiseOptions(where, opts, DEFAULT_BATCH);
  checkInteger(where, "samples", opts.samples, minSamples);
  const root = new Rng(opts.seed);
  return {
    seeds: Array.from({ length: opts.samples }, (_, i) => root.fork(i).tfSeed()),
    perPass: Math.max(1, Math.floor(batchSize / batch)),
  };
}

/**
 * x + δ_i for the draws with `seeds`, draw-major: rows [i·B, (i+1)·B) hold draw i of the batch.
 *
 * @example
 * ```ts
 * const z = noisyCopies(x, 0.25, seeds.slice(0, 4)); // [4·B, h, w, c]
 * ```
 */
export function noisyCopies(x: tf.Tensor4D, sigma: number, seeds: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const noise = tf.concat(seeds.map((s) => gaussianNoise(x.shape, sigma, s)));
    return tf.add(tf.tile(x, [seeds.length, 1, 1, 1]), noise) as tf.Tensor4D;
  });
}

/** Splits the draws into passes of `perPass`. */
export function passes(seeds: readonly number[], perPass: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < seeds.length; i += perPass) out.push(seeds.slice(i, i + perPass));
  return out;
}

/**
 * Logits of noisy rows with their shape checked against the rows (a model that does not map
 * images to [rows, classes] fails here with a clear message).
 */
export function noisyLogits(
  where: string,
  f: (x: tf.Tensor4D) => tf.Tensor,
  z: tf.Tensor4D,
): tf.Tensor2D {
  const logits = f(z);
  checkLogits(where, logits, z);
  return logits;
}

/**
 * Sums over the m draws of a per-row score s_i = s(x + δ_i) and of its input gradient g_i:
 * Σs, Σs², Σg, Σg² and Σs·g, per example. From them follow the Monte-Carlo mean of the score
 * and of its gradient and the variance of either; the caller disposes them.
 */
export type DrawSums = {
  s1: tf.Tensor1D;
  s2: tf.Tensor1D;
  g1: tf.Tensor4D;
  g2: tf.Tensor4D;
  sg: tf.Tensor4D;
};

/**
 * {@link DrawSums} of `score` (noisy rows [k·B, h, w, c] to one value per row) over the draws
 * of `opts`. Each row is its own input, so the gradient of Σ score with respect to the noisy
 * rows holds every draw's gradient at once.
 *
 * @example
 * ```ts
 * const sums = drawSums("smoothGrad", x, opts, (z) => classLogit(z));
 * ```
 */
export function drawSums(
  where: string,
  x: tf.Tensor4D,
  opts: MonteCarloOptions,
  score: (z: tf.Tensor4D) => tf.Tensor1D,
): DrawSums {
  const batch = x.shape[0];
  const { seeds, perPass } = drawPlan(where, opts, batch, 2);
  let sums: DrawSums | undefined;
  try {
    for (const group of passes(seeds, perPass)) {
      const next: DrawSums = tf.tidy(() => {
        const z = noisyCopies(x, opts.sigma, group);
        let s: tf.Tensor1D | undefined;
        const g = tf.grad((rows) => {
          s = tf.keep(score(rows as tf.Tensor4D));
          return tf.sum(s);
        })(z);
        const k = group.length;
        const perDraw = tf.reshape(s!, [k, batch]);
        const grads = tf.reshape(g, [k, ...x.shape]);
        const weights = tf.reshape(perDraw, [k, batch, 1, 1, 1]);
        const part: DrawSums = {
          s1: tf.sum(perDraw, 0),
          s2: tf.sum(tf.square(perDraw), 0),
          g1: tf.sum(grads, 0),
          g2: tf.sum(tf.square(grads), 0),
          sg: tf.sum(tf.mul(grads, weights), 0),
        };
        tf.dispose(s!);
        if (!sums) return part;
        return {
          s1: tf.add(sums.s1, part.s1),
          s2: tf.add(sums.s2, part.s2),
          g1: tf.add(sums.g1, part.g1),
          g2: tf.add(sums.g2, part.g2),
          sg: tf.add(sums.sg, part.sg),
        };
      });
      if (sums) disposeSums(sums);
      sums = next;
    }
  } catch (error) {
    if (sums) disposeSums(sums);
    throw error;
  }
  return sums!;
}

/** Frees every tensor of `sums`. */
export function disposeSums(sums: DrawSums): void {
  tf.dispose([sums.s1, sums.s2, sums.g1, sums.g2, sums.sg]);
}

/**
 * Per example, the sum over pixels of `perPixel` [B, h, w, c], clamped at 0: the trace of a
 * covariance whose float32 terms may cancel to a tiny negative number.
 */
export function traceOf(perPixel: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.relu(tf.sum(perPixel, [1, 2, 3])) as tf.Tensor1D);
}

/**
 * One-hot rows [B, classes] of per-example `labels` (a label or a class per image), checked
 * against the batch and against the number of classes, which one pass of the model on the clean
 * batch shows (1/m of a Monte-Carlo estimate's work). The caller disposes the rows.
 *
 * @example
 * ```ts
 * const rows = await labelRows("smoothGrad", f, x, [3, 1]); // [2, classes]
 * ```
 */
export async function labelRows(
  where: string,
  f: ImageFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D | ArrayLike<number>,
): Promise<tf.Tensor2D> {
  const values = await labelValues(where, "labels", labels, x.shape[0]);
  const logits = checkedLogits(where, f, x);
  const classes = logits.shape[1];
  logits.dispose();
  checkClassIndices(where, "labels", values, classes);
  return tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Int32Array.from(values), "int32"), classes)
  ) as tf.Tensor2D;
}
