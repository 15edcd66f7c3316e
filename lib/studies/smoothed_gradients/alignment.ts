/**
 * Measures of "perceptually aligned" gradients that do not need a person to look: notebook 03
 * asks whether the gradients of smoothed classifiers point towards what a digit of the target
 * class looks like, and scores each candidate direction three ways:
 *
 * - the targeted direction itself, −∇ℓ(x, t) of a model or of its soft smoothed classifier
 *   ({@link targetedDirection}), compared by cosine ({@link rowCosines}) with the robust model's;
 * - large-ε targeted L2 attacks ({@link targetedAttack}) whose results an independent judge
 *   classifies ({@link predictions});
 * - the perturbation's cosine with the difference of the class means μ_t − μ_s
 *   ({@link classMeans}, {@link meanDifferences}), and, as controls, steps of the same length
 *   along that difference or along a random direction ({@link stepAlong}).
 *
 * @module
 */

import { tf } from "../../tf.ts";
import { asImageFn, type Classifier } from "../../models/types.ts";
import type { Dataset } from "../../data/dataset.ts";
import { crossEntropy, exampleNorms, l2, onInputs } from "../../optimize/mod.ts";
import { classScore } from "../../attribution/mod.ts";
import { pgd } from "../../attacks/mod.ts";
import { type MonteCarloOptions, softSmoothed, softSmoothedGradient } from "../../smoothing/mod.ts";
import { gaussianNoise } from "../../smoothing/noise.ts";
import { Rng } from "../../random/mod.ts";

/**
 * The mean image of every class of `ds`, [numClasses, h, w, c]; the caller disposes it. A class
 * without examples is an error (its mean would be undefined).
 *
 * @example
 * ```ts
 * const means = classMeans(train); // [10, 28, 28, 1]
 * ```
 */
export function classMeans(ds: Dataset): tf.Tensor4D {
  const pixels = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const sums = new Float64Array(ds.numClasses * pixels);
  const counts = new Int32Array(ds.numClasses);
  ds.labels.forEach((label, i) => {
    counts[label]++;
    const row = ds.x.subarray(i * pixels, (i + 1) * pixels);
    for (let p = 0; p < pixels; p++) sums[label * pixels + p] += row[p];
  });
  const empty = counts.findIndex((n) => n === 0);
  if (empty >= 0) {
    throw new RangeError(
      `classMeans: "${ds.name}" has no example of class ${empty}; use a data set with every class`,
    );
  }
  const means = Float32Array.from(sums, (s, i) => s / counts[Math.floor(i / pixels)]);
  return tf.tensor4d(means, [ds.numClasses, ...ds.shape]);
}

/** Source images paired with every target class, the items of notebook 03's attacks. */
export interface AttackItems {
  /** Item images [sources × classes, h, w, c] (each source repeated once per class). */
  x: tf.Tensor4D;
  /** True label of each item's source image. */
  labels: Int32Array;
  /** Target class of each item: 0, 1, …, classes − 1 for every source in turn. */
  targets: Int32Array;
  /** Positions of the items whose target differs from the label (the ones that are scored). */
  scored: Int32Array;
}

/**
 * `count` images of `ds`, cycling through the classes (the k-th is the ⌊k/classes⌋-th example
 * of class k mod classes), each paired with every class as a target. The caller disposes `x`.
 *
 * @example
 * ```ts
 * const items = attackItems(test, 10); // one image per digit, 100 items, 90 scored
 * ```
 */
export function attackItems(ds: Dataset, count: number): AttackItems {
  const classes = ds.numClasses;
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  ds.labels.forEach((label, i) => byClass[label].push(i));
  const sources = Array.from({ length: count }, (_, k) => {
    const index = byClass[k % classes][Math.floor(k / classes)];
    if (index === undefined) {
      throw new RangeError(
        `attackItems: "${ds.name}" has too few images of class ${k % classes} for ${count} ` +
          `sources; ask for fewer`,
      );
    }
    return index;
  });
  const labels = Int32Array.from(sources.flatMap((i) => Array(classes).fill(ds.labels[i])));
  const targets = Int32Array.from(sources.flatMap(() => [...Array(classes).keys()]));
  const scored = Int32Array.from([...labels.keys()].filter((i) => labels[i] !== targets[i]));
  const pixels = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const x = tf.tidy(() => {
    const images = tf.tensor4d(
      Float32Array.from(sources.flatMap((i) => [...ds.x.subarray(i * pixels, (i + 1) * pixels)])),
      [count, ...ds.shape],
    );
    return tf.reshape(
      tf.tile(tf.expandDims(images, 1), [1, classes, 1, 1, 1]),
      [count * classes, ...ds.shape],
    ) as tf.Tensor4D;
  });
  return { x, labels, targets, scored };
}

/**
 * μ_target − μ_source per item, [items, h, w, c], from the class means of {@link classMeans}.
 *
 * @example
 * ```ts
 * const toward = meanDifferences(means, [3, 3], [5, 8]); // μ5 − μ3, μ8 − μ3
 * ```
 */
export function meanDifferences(
  means: tf.Tensor4D,
  sources: ArrayLike<number>,
  targets: ArrayLike<number>,
): tf.Tensor4D {
  if (sources.length !== targets.length) {
    throw new RangeError(
      `meanDifferences: ${sources.length} sources and ${targets.length} targets; give one ` +
        `target per source`,
    );
  }
  return tf.tidy(() =>
    tf.sub(
      tf.gather(means, Int32Array.from(targets)),
      tf.gather(means, Int32Array.from(sources)),
    ) as tf.Tensor4D
  );
}

/**
 * Cosine similarity of each pair of rows (every axis but the first flattened). A row of zeros
 * has cosine 0 with everything: it points nowhere.
 *
 * @example
 * ```ts
 * const cos = await rowCosines(delta, toward); // Float32Array, one value per item
 * ```
 */
export async function rowCosines(a: tf.Tensor, b: tf.Tensor): Promise<Float32Array> {
  if (a.shape.join() !== b.shape.join()) {
    throw new RangeError(`rowCosines: shapes [${a.shape}] and [${b.shape}] differ`);
  }
  const cos = tf.tidy(() => {
    const n = a.shape[0];
    const ra = tf.reshape(a, [n, -1]), rb = tf.reshape(b, [n, -1]);
    const dot = tf.sum(tf.mul(ra, rb), 1);
    return tf.divNoNan(dot, tf.mul(tf.norm(ra, "euclidean", 1), tf.norm(rb, "euclidean", 1)));
  });
  const values = await cos.data() as Float32Array;
  cos.dispose();
  return values;
}

/** What {@link targetedDirection} returns. */
export interface Direction {
  /** −∇ℓ(x, t) per item [B, h, w, c]; the caller disposes it. */
  direction: tf.Tensor4D;
  /** For a smoothed model, the Monte-Carlo variance of the gradient estimate per item. */
  variance?: Float32Array;
}

/**
 * The direction in which a model would move each image to make it its target class: −∇ₓ of the
 * cross-entropy of `targets`, the first step of a targeted attack. With `smoothing`, the model
 * is the soft smoothed classifier G of Salman et al. (2019) and the gradient its Monte-Carlo
 * estimate, with the estimate's variance. A target (not the true label) keeps the softmax away
 * from saturation, where a confident model's float32 gradient loses the label's own term.
 *
 * @example
 * ```ts
 * const { direction, variance } = await targetedDirection(model, x, [4, 7], {
 *   sigma: 0.5, samples: 16, seed: 0,
 * });
 * direction.dispose();
 * ```
 */
export async function targetedDirection(
  model: Classifier,
  x: tf.Tensor4D,
  targets: ArrayLike<number>,
  smoothing?: MonteCarloOptions,
): Promise<Direction> {
  if (targets.length !== x.shape[0]) {
    throw new RangeError(
      `targetedDirection: ${targets.length} targets for ${x.shape[0]} images; give one per image`,
    );
  }
  if (smoothing) {
    const { gradient, variance } = await softSmoothedGradient(model, x, targets, smoothing);
    const direction = tf.neg(gradient) as tf.Tensor4D;
    gradient.dispose();
    return { direction, variance };
  }
  const f = asImageFn(model);
  const t = tf.tensor1d(Int32Array.from(targets), "int32");
  const direction = tf.tidy(() =>
    tf.neg(tf.grad((z) => tf.sum(crossEntropy(f(z as tf.Tensor4D), t)))(x)) as tf.Tensor4D
  );
  t.dispose();
  return { direction };
}

/**
 * The plain gradient of each image's class score (its logit), ∇ₓ S_c(x), signed: what
 * SmoothGrad averages over noise, so the like-for-like reference for it. The caller disposes it.
 *
 * @example
 * ```ts
 * const g = scoreGradient(robust, x, [4, 7]); // [2, 28, 28, 1]
 * ```
 */
export function scoreGradient(
  model: Classifier,
  x: tf.Tensor4D,
  classes: ArrayLike<number>,
): tf.Tensor4D {
  if (classes.length !== x.shape[0]) {
    throw new RangeError(
      `scoreGradient: ${classes.length} classes for ${x.shape[0]} images; give one per image`,
    );
  }
  return tf.tidy(() => {
    const score = onInputs(classScore(tf.tensor1d(Int32Array.from(classes), "int32")), model);
    return tf.grad((z) => tf.sum(score(z as tf.Tensor4D)))(x) as tf.Tensor4D;
  });
}

/** Settings of {@link targetedAttack}. */
export interface TargetedAttackOptions {
  /** L2 radius of the attack (large: the pictures need room to draw). */
  eps: number;
  /** PGD steps. */
  steps: number;
  /** L2 length of each step (default Madry et al.'s 2.5 · eps / steps). */
  stepSize?: number;
  /** Attack the soft smoothed classifier with these draws instead of the model itself. */
  smoothing?: MonteCarloOptions;
  /** Items per attack call (bounds memory: a smoothed pass holds batch × samples images). */
  batchSize?: number;
}

/**
 * Targeted L2 PGD from each image towards its target class, on the model or (with `smoothing`)
 * on its soft smoothed classifier (SmoothAdv's attack, draws fixed over the steps). Returns the
 * perturbed images [B, h, w, c] (inside the ball and the [0, 1] box); the caller disposes them.
 *
 * @example
 * ```ts
 * const drawn = await targetedAttack(model, x, y, targets, { eps: 4, steps: 40, stepSize: 0.25 });
 * ```
 */
export async function targetedAttack(
  model: Classifier,
  x: tf.Tensor4D,
  labels: ArrayLike<number>,
  targets: ArrayLike<number>,
  opts: TargetedAttackOptions,
): Promise<tf.Tensor4D> {
  const f = opts.smoothing ? softSmoothed(model, opts.smoothing) : asImageFn(model);
  const size = opts.batchSize ?? 32;
  const parts: tf.Tensor4D[] = [];
  try {
    for (let start = 0; start < x.shape[0]; start += size) {
      const end = Math.min(start + size, x.shape[0]);
      const xs = tf.slice(x, [start], [end - start]) as tf.Tensor4D;
      const { adversarial } = await pgd(f, xs, Array.from(labels).slice(start, end), {
        threat: l2(opts.eps),
        steps: opts.steps,
        stepSize: opts.stepSize,
        targets: Array.from(targets).slice(start, end),
      }).finally(() => xs.dispose());
      parts.push(adversarial);
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts) as tf.Tensor4D;
  } finally {
    if (parts.length > 1) tf.dispose(parts);
  }
}

/**
 * The class a model predicts for each image, in batches.
 *
 * @example
 * ```ts
 * const said = await predictions(judge, drawn); // Int32Array
 * ```
 */
export async function predictions(
  model: Classifier,
  x: tf.Tensor4D,
  batchSize = 256,
): Promise<Int32Array> {
  const f = asImageFn(model);
  const out = new Int32Array(x.shape[0]);
  for (let start = 0; start < x.shape[0]; start += batchSize) {
    const end = Math.min(start + batchSize, x.shape[0]);
    const classes = tf.tidy(() =>
      tf.argMax(f(tf.slice(x, [start], [end - start]) as tf.Tensor4D), 1)
    );
    out.set(await classes.data() as Int32Array, start);
    classes.dispose();
  }
  return out;
}

/**
 * x + ε·d/‖d‖₂ per item, clipped to the [0, 1] box: a step of an attack's length along a fixed
 * direction (a class-mean difference, or random noise for a baseline). The caller disposes it.
 *
 * @example
 * ```ts
 * const control = stepAlong(x, meanDifferences(means, y, t), 4);
 * ```
 */
export function stepAlong(x: tf.Tensor4D, directions: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => {
    const unit = tf.divNoNan(directions, exampleNorms(directions));
    return tf.clipByValue(tf.add(x, tf.mul(unit, eps)), 0, 1) as tf.Tensor4D;
  });
}

/**
 * Random directions of `shape` (isotropic Gaussian, so uniform on the sphere once normalised),
 * the chance baseline for every cosine and every step. The caller disposes them.
 *
 * @example
 * ```ts
 * const noise = randomDirections(x.shape, 7);
 * ```
 */
export function randomDirections(shape: readonly number[], seed: number): tf.Tensor4D {
  return gaussianNoise(shape, 1, new Rng(seed).tfSeed()) as tf.Tensor4D;
}

/** How an image an attack drew scores on measures (a) and (b) of notebook 03. */
export interface DrawnScores {
  /** 1 where the judge classifies the drawn image as its target, else 0. */
  hits: Uint8Array;
  /** cos(δ, μ_t − μ_s) of the perturbation δ = drawn − start. */
  cosMean: Float32Array;
}

/**
 * Scores drawn images: whether an independent `judge` reads each as its target, and the cosine
 * of its perturbation from `start` with `towardMean` (μ_t − μ_s, {@link meanDifferences}).
 *
 * @example
 * ```ts
 * const { hits, cosMean } = await scoreDrawn(judge, drawn, x, targets, meanDifferences(means, y, targets));
 * ```
 */
export async function scoreDrawn(
  judge: Classifier,
  drawn: tf.Tensor4D,
  start: tf.Tensor4D,
  targets: ArrayLike<number>,
  towardMean: tf.Tensor4D,
): Promise<DrawnScores> {
  const said = await predictions(judge, drawn);
  const delta = tf.sub(drawn, start);
  const cosMean = await rowCosines(delta, towardMean);
  delta.dispose();
  return { hits: Uint8Array.from(said, (c, i) => c === targets[i] ? 1 : 0), cosMean };
}

/** How one direction agrees with a reference direction, per item. */
export interface Agreement {
  /** cos(direction, reference) per item. */
  cos: Float32Array;
  /**
   * The Monte-Carlo error of an estimated direction relative to its size, mean over items of
   * E‖ĝ − E ĝ‖² / ‖ĝ‖² (NaN for an exact gradient).
   */
  relativeVariance: number;
}

/**
 * The agreement of `direction` with `reference` item by item, and, for a Monte-Carlo estimate,
 * its relative variance. Disposes `direction` (each is used once).
 *
 * @example
 * ```ts
 * const { direction, variance } = await targetedDirection(model, x, t, { sigma: 0.5, samples: 8, seed: 0 });
 * const { cos, relativeVariance } = await agreement(direction, robustDirection, variance);
 * ```
 */
export async function agreement(
  direction: tf.Tensor4D,
  reference: tf.Tensor4D,
  variance?: Float32Array,
): Promise<Agreement> {
  try {
    const cos = await rowCosines(direction, reference);
    if (!variance) return { cos, relativeVariance: NaN };
    const squares = tf.tidy(() => tf.sum(tf.square(direction), [1, 2, 3]));
    const norms = await squares.data();
    squares.dispose();
    const ratios = Array.from(variance, (v, i) => norms[i] > 0 ? v / norms[i] : 0);
    return { cos, relativeVariance: ratios.reduce((s, r) => s + r, 0) / ratios.length };
  } finally {
    direction.dispose();
  }
}
