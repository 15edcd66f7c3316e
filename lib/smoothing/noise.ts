/**
 * Isotropic Gaussian noise for randomized smoothing: the seeded draw every part of lenses'
 * smoothing uses (training, PREDICT, CERTIFY, the Monte-Carlo objectives), and the training-loop
 * hook that trains a base classifier on noisy copies of its batches (Cohen et al. 2019, §4: the
 * base classifier must classify well under N(0, σ²I) noise for the smoothed classifier to be
 * accurate).
 *
 * Noise is added to the images as they are, without clipping to [0, 1], as in Cohen et al.'s
 * code: the smoothing theorem is about x + δ for unbounded Gaussian δ.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/mod.ts";
import { checkInteger } from "../checks/mod.ts";
import type { BatchHook } from "../train/loop.ts";

/**
 * Throws unless `sigma` is a finite noise level > 0.
 *
 * @example
 * ```ts
 * checkSigma("certify", 0.25);
 * ```
 */
export function checkSigma(where: string, sigma: number): void {
  if (!(Number.isFinite(sigma) && sigma > 0)) {
    throw new RangeError(
      `${where}: sigma (the noise standard deviation) must be a finite number > 0, got ${sigma}`,
    );
  }
}

/**
 * Checks the noise settings every Monte-Carlo routine takes (σ, the seed, noisy images per model
 * pass) and returns the batch size, `fallback` when not given.
 *
 * @example
 * ```ts
 * const batchSize = checkNoiseOptions("certify", opts, 1000);
 * ```
 */
export function checkNoiseOptions(
  where: string,
  opts: { sigma: number; seed: number; batchSize?: number },
  fallback: number,
): number {
  checkSigma(where, opts.sigma);
  if (!Number.isFinite(opts.seed)) {
    throw new TypeError(`${where}: seed must be a finite number, got ${opts.seed}`);
  }
  const batchSize = opts.batchSize ?? fallback;
  checkInteger(where, "batchSize", batchSize, 1);
  return batchSize;
}

/**
 * Gaussian noise N(0, σ²) of `shape`, a pure function of `seed` (31-bit integer, as tfjs takes
 * it): the same seed gives the same noise on every backend, as tfjs draws it on the CPU.
 *
 * @example
 * ```ts
 * const delta = gaussianNoise([8, 28, 28, 1], 0.5, 7); // caller disposes
 * ```
 */
export function gaussianNoise(shape: readonly number[], sigma: number, seed: number): tf.Tensor {
  if (seed === 0) {
    // tfjs reads seed 0 as "no seed" and draws from Math.random: the noise would differ per run.
    throw new RangeError("gaussianNoise: seed 0 is not a seed to tfjs; pass rng.tfSeed()");
  }
  return tf.randomNormal([...shape], 0, sigma, "float32", seed);
}

/** Describes {@link gaussianNoiseHook}, so a model cache can key a noise-trained model on it. */
export interface GaussianNoiseConfig {
  kind: "gaussian-noise";
  sigma: number;
}

/** A training-loop hook that carries a JSON description of what it does. */
export type DescribedHook<C> = BatchHook & { readonly config: C };

/**
 * A training-loop hook (`beforeStep`) that replaces each batch's images by x + δ,
 * δ ~ N(0, σ²I), fresh at every step: the noise is seeded by the loop's per-step seed, so a run
 * is reproducible from the fit's seed and no two steps share noise. Its `config` is what the
 * model cache keys on.
 *
 * @example
 * ```ts
 * const model = referenceCnn({ seed: 0 });
 * await cachedFit(model, train, { epochs: 3, batchSize: 128, seed: 0,
 *   optimizer: { name: "adam", lr: 1e-3 }, beforeStep: gaussianNoiseHook(0.5) },
 *   { name: "cnn-noise-0.5" });
 * ```
 */
export function gaussianNoiseHook(sigma: number): DescribedHook<GaussianNoiseConfig> {
  checkSigma("gaussianNoiseHook", sigma);
  const hook: BatchHook = ({ x, y, targets }, ctx) => ({
    x: tf.tidy(() =>
      tf.add(x, gaussianNoise(x.shape, sigma, new Rng(ctx.seed).tfSeed()))
    ) as tf.Tensor4D,
    // The loop disposes the batch it passed and the one returned, so the rest is copied.
    y: tf.clone(y),
    ...(targets ? { targets: tf.clone(targets) } : {}),
  });
  return Object.assign(hook, { config: { kind: "gaussian-noise", sigma } as const });
}
