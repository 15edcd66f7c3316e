/**
 * Randomized smoothing (Cohen, Rosenfeld & Kolter 2019) and its differentiable relatives:
 * Gaussian-noise training (a training-loop hook), PREDICT and CERTIFY with the statistics they
 * rest on (the binomial test, the one-sided Clopper–Pearson bound, Φ⁻¹), certified accuracy by
 * radius, and the differentiable smoothed classifiers the objective vocabulary reads: the soft
 * smoothed classifier of SmoothAdv (Salman et al. 2019), with its Monte-Carlo gradient and that
 * gradient's variance, and the Gaussian-smoothed logits (SmoothGrad's function).
 *
 * @example
 * ```ts
 * import { certify, gaussianNoiseHook } from "./smoothing/mod.ts";
 * await fit(model, train, { epochs: 3, batchSize: 128, seed: 0,
 *   optimizer: { name: "adam", lr: 1e-3 }, beforeStep: gaussianNoiseHook(0.25) });
 * const { prediction, radius } = await certify(model, image, {
 *   sigma: 0.25, n0: 100, n: 10_000, alpha: 0.001, seed: 0,
 * });
 * ```
 *
 * @module
 */

export {
  checkSigma,
  type DescribedHook,
  gaussianNoise,
  type GaussianNoiseConfig,
  gaussianNoiseHook,
} from "./noise.ts";
export {
  ABSTAIN,
  type Certificate,
  certifiedAccuracy,
  certify,
  type CertifyOptions,
  type NoiseOptions,
  predict,
  type PredictOptions,
  sampleNoise,
} from "./certify.ts";
export { type MonteCarloOptions } from "./monte_carlo.ts";
export {
  smoothedLogits,
  softSmoothed,
  type SoftSmoothedGradient,
  softSmoothedGradient,
} from "./soft.ts";
export { binomialTest, clopperPearsonLower, normalQuantile } from "../stats/mod.ts";
