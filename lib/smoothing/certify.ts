/**
 * Randomized smoothing (Cohen, Rosenfeld & Kolter 2019): the smoothed classifier
 * g(x) = argmax_c P(f(x + δ) = c), δ ~ N(0, σ²I), of a base classifier f, evaluated and certified
 * by Monte Carlo, following the paper's pseudo-code (and locuslab/smoothing's `core.py`):
 *
 * - {@link sampleNoise}: counts of f's predictions on `num` noisy copies of x, in batches.
 * - {@link predict} (PREDICT): the top class if a binomial test says it beats the runner-up at
 *   level α, else {@link ABSTAIN}.
 * - {@link certify} (CERTIFY): guess the top class ĉ_A from n0 samples, count it in n fresh
 *   samples, bound p_A from below (one-sided Clopper–Pearson at level α) and certify the L2
 *   radius σ·Φ⁻¹(p̲_A), or abstain when p̲_A < 1/2.
 *
 * Every draw is seeded; the selection and estimation samples of CERTIFY come from independent
 * streams, as the theorem needs.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/mod.ts";
import { asImageFn, type Classifier } from "../models/types.ts";
import { checkInteger, checkLogits } from "../checks/mod.ts";
import { binomialTest, clopperPearsonLower, normalQuantile } from "../stats/mod.ts";
import { checkNoiseOptions, gaussianNoise } from "./noise.ts";

/** The class PREDICT and CERTIFY return when they abstain (as `Smooth.ABSTAIN` in core.py). */
export const ABSTAIN = -1;

/** Noisy images per model pass unless a call says otherwise. */
const DEFAULT_BATCH = 1000;

/** Noise and batching shared by the Monte-Carlo routines. */
export interface NoiseOptions {
  /** Standard deviation σ of the Gaussian noise (in pixel units of the [0, 1] images). */
  sigma: number;
  /** Seeds the noise; the same seed gives the same counts. */
  seed: number;
  /** Noisy copies classified per model pass (default 1000). */
  batchSize?: number;
}

/** Options of {@link predict}. */
export interface PredictOptions extends NoiseOptions {
  /** Monte-Carlo samples. */
  n: number;
  /** Probability of returning a class other than g(x) (when not abstaining), e.g. 0.001. */
  alpha: number;
}

/** Options of {@link certify}. */
export interface CertifyOptions extends NoiseOptions {
  /** Samples that select the top class (e.g. 100). */
  n0: number;
  /** Samples that estimate its probability (e.g. 100,000). */
  n: number;
  /** Failure probability of the certificate, e.g. 0.001. */
  alpha: number;
}

/** What {@link certify} returns. */
export interface Certificate {
  /** The smoothed classifier's class ĉ_A, or {@link ABSTAIN}. */
  prediction: number;
  /** Certified L2 radius σ·Φ⁻¹(p̲_A); 0 on abstention. */
  radius: number;
  /** The class chosen from the selection samples (also when abstaining). */
  guess: number;
  /** Its count among the n estimation samples. */
  nA: number;
  /** The lower confidence bound p̲_A on P(f(x + δ) = ĉ_A). */
  pABar: number;
}

/** `x` as a batch of one [1, h, w, c], or a clear error. */
function oneImage(where: string, x: tf.Tensor): tf.Tensor4D {
  if (x.rank === 3) return tf.expandDims(x, 0) as tf.Tensor4D;
  if (x.rank === 4 && x.shape[0] === 1) return tf.clone(x) as tf.Tensor4D;
  throw new RangeError(
    `${where}: give one image [height, width, channels] or [1, height, width, channels], ` +
      `got shape [${x.shape}]; certify a batch one image at a time`,
  );
}

function checkAlpha(where: string, alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) {
    throw new RangeError(`${where}: alpha must lie in (0, 1), e.g. 0.001; got ${alpha}`);
  }
}

/** Counts of f's predictions on `num` noisy copies of the image [1, h, w, c]. */
async function countPredictions(
  where: string,
  f: (x: tf.Tensor4D) => tf.Tensor,
  image: tf.Tensor4D,
  num: number,
  sigma: number,
  batchSize: number,
  rng: Rng,
): Promise<Int32Array> {
  let counts: Int32Array | undefined;
  for (let done = 0; done < num;) {
    const size = Math.min(batchSize, num - done);
    const predictions = tf.tidy(() => {
      const noisy = tf.add(
        image,
        gaussianNoise([size, ...image.shape.slice(1)], sigma, rng.tfSeed()),
      );
      const logits = f(noisy as tf.Tensor4D);
      checkLogits(where, logits, noisy as tf.Tensor4D);
      if (!counts) counts = new Int32Array(logits.shape[1]);
      return tf.argMax(logits, 1);
    });
    const classes = await predictions.data();
    predictions.dispose();
    for (const c of classes) counts![c]++;
    done += size;
  }
  return counts!;
}

/**
 * Counts, per class, how often the base classifier predicts it on `num` copies of `x` with
 * N(0, σ²I) noise (`_sample_noise` in core.py), classifying `batchSize` copies per pass.
 *
 * @example
 * ```ts
 * const counts = await sampleNoise(model, image, 1000, { sigma: 0.5, seed: 0 });
 * counts[3]; // how many noisy copies the model calls a 3
 * ```
 */
export async function sampleNoise(
  model: Classifier,
  x: tf.Tensor,
  num: number,
  opts: NoiseOptions,
): Promise<Int32Array> {
  const where = "sampleNoise";
  const batchSize = checkNoiseOptions(where, opts, DEFAULT_BATCH);
  checkInteger(where, "num", num, 1);
  const image = oneImage(where, x);
  try {
    return await countPredictions(
      where,
      asImageFn(model),
      image,
      num,
      opts.sigma,
      batchSize,
      new Rng(opts.seed),
    );
  } finally {
    image.dispose();
  }
}

/** Index of the largest count (the first on ties) and of the second largest. */
function topTwo(counts: Int32Array): [number, number] {
  let first = 0, second = counts.length > 1 ? 1 : 0;
  if (counts[second] > counts[first]) [first, second] = [second, first];
  for (let c = 2; c < counts.length; c++) {
    if (counts[c] > counts[first]) {
      second = first;
      first = c;
    } else if (counts[c] > counts[second]) second = c;
  }
  return [first, second];
}

/**
 * PREDICT: the smoothed classifier's class at `x`, or {@link ABSTAIN} when the two most frequent
 * classes among `n` noisy samples are not told apart by a two-sided binomial test at level
 * `alpha`. A returned class differs from g(x) with probability at most `alpha`.
 *
 * @example
 * ```ts
 * const c = await predict(model, image, { sigma: 0.25, n: 100_000, alpha: 0.001, seed: 0 });
 * if (c === ABSTAIN) console.log("no decision");
 * ```
 */
export async function predict(
  model: Classifier,
  x: tf.Tensor,
  opts: PredictOptions,
): Promise<number> {
  const where = "predict";
  checkNoiseOptions(where, opts, DEFAULT_BATCH);
  checkInteger(where, "n", opts.n, 1);
  checkAlpha(where, opts.alpha);
  const counts = await sampleNoise(model, x, opts.n, opts);
  const [top, runnerUp] = topTwo(counts);
  const countA = counts[top], countB = top === runnerUp ? 0 : counts[runnerUp];
  return binomialTest(countA, countA + countB, 0.5) > opts.alpha ? ABSTAIN : top;
}

/**
 * CERTIFY: the smoothed classifier's class at `x` and an L2 radius within which it provably
 * does not change, each holding with probability at least 1 − `alpha` over the noise; or
 * {@link ABSTAIN} with radius 0 when the lower bound on the top class's probability is below 1/2.
 * The radius never exceeds σ·Φ⁻¹(α^{1/n}), what n samples can certify at best.
 *
 * @example
 * ```ts
 * const { prediction, radius } = await certify(model, image, {
 *   sigma: 0.25, n0: 100, n: 100_000, alpha: 0.001, seed: 0,
 * });
 * ```
 */
export async function certify(
  model: Classifier,
  x: tf.Tensor,
  opts: CertifyOptions,
): Promise<Certificate> {
  const where = "certify";
  const batchSize = checkNoiseOptions(where, opts, DEFAULT_BATCH);
  checkInteger(where, "n0", opts.n0, 1);
  checkInteger(where, "n", opts.n, 1);
  checkAlpha(where, opts.alpha);
  const f = asImageFn(model);
  const image = oneImage(where, x);
  const rng = new Rng(opts.seed);
  const { sigma } = opts;
  try {
    const selection = await countPredictions(
      where,
      f,
      image,
      opts.n0,
      sigma,
      batchSize,
      rng.fork("selection"),
    );
    const [guess] = topTwo(selection);
    const estimation = await countPredictions(
      where,
      f,
      image,
      opts.n,
      sigma,
      batchSize,
      rng.fork("estimation"),
    );
    const nA = estimation[guess];
    const pABar = clopperPearsonLower(nA, opts.n, opts.alpha);
    return pABar < 0.5
      ? { prediction: ABSTAIN, radius: 0, guess, nA, pABar }
      : { prediction: guess, radius: sigma * normalQuantile(pABar), guess, nA, pABar };
  } finally {
    image.dispose();
  }
}

/**
 * Certified accuracy at each radius (Cohen et al.'s tables): the share of examples whose
 * certificate names the true label with a radius of at least r. Abstentions count as wrong.
 *
 * @example
 * ```ts
 * certifiedAccuracy(certificates, labels, [0, 0.25, 0.5]); // e.g. [0.98, 0.91, 0.62]
 * ```
 */
export function certifiedAccuracy(
  certificates: readonly Certificate[],
  labels: ArrayLike<number>,
  radii: readonly number[],
): number[] {
  if (certificates.length !== labels.length || certificates.length === 0) {
    throw new RangeError(
      `certifiedAccuracy: give one label per certificate (got ${certificates.length} ` +
        `certificates and ${labels.length} labels, at least one of each)`,
    );
  }
  return radii.map((r) =>
    certificates.filter((c, i) => c.prediction === labels[i] && c.radius >= r).length /
    certificates.length
  );
}
