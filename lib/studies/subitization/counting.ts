/**
 * Counting as regression: a network with one output per shape kind, trained with mean squared
 * error on the raw counts; the metrics that say how well it counts (mean absolute error per
 * kind, exact-count accuracy by true count); and the pixel-count shortcut it might be using
 * instead (blue pixels divided by the mean shape area).
 *
 * Training is lib/train's `fit` on `sceneDataset(set)`, whose targets are the counts (its default
 * loss on real-valued targets is the mean squared error).
 *
 * @module
 */

import { tf } from "../../tf.ts";
import { type Activation, cnn } from "../../models/builders.ts";
import { sceneDataset, type SceneSet, SHAPE_KINDS } from "../../data/shapes.ts";
import { predict } from "../../train/evaluate.ts";

/** Number of count targets per image (triangles, squares). */
const TARGETS = SHAPE_KINDS.length;

function sceneCount(set: SceneSet): number {
  return set.counts.length / TARGETS;
}

function checkModel(model: tf.LayersModel, set: SceneSet): void {
  const inShape = model.inputs[0].shape.slice(1);
  if (inShape.join(",") !== set.shape.join(",")) {
    throw new Error(
      `counting: the model takes inputs [${inShape}] but the scenes "${set.name}" are [${set.shape}]; ` +
        `build the model with inputShape [${set.shape}]`,
    );
  }
  const outShape = model.outputs[0].shape;
  if (outShape[outShape.length - 1] !== TARGETS) {
    throw new Error(
      `counting: the model has ${
        outShape[outShape.length - 1]
      } outputs; a counter needs ${TARGETS} (${
        SHAPE_KINDS.join(", ")
      }), e.g. cnn({ numClasses: 2, ... })`,
    );
  }
}

/**
 * The model's predicted counts for every scene, N×2 row-major ([triangles, squares]).
 *
 * @example
 * ```ts
 * const predicted = await predictCounts(model, test);
 * ```
 */
export async function predictCounts(
  model: tf.LayersModel,
  set: SceneSet,
  batchSize = 64,
): Promise<Float32Array> {
  checkModel(model, set);
  return (await predict(model, sceneDataset(set), { batchSize })).logits;
}

/** Mean absolute errors of predicted counts. */
export interface CountErrors {
  triangle: number;
  square: number;
  /** Of the total count (triangles + squares). */
  total: number;
}

function checkPair(predicted: Float32Array, truth: Float32Array): void {
  if (predicted.length !== truth.length || truth.length % TARGETS !== 0) {
    throw new Error(
      `counting: predicted has ${predicted.length} values and truth ${truth.length}; ` +
        `both must be N×${TARGETS} ([triangles, squares] per image)`,
    );
  }
}

/**
 * Mean absolute error per kind and of the total.
 *
 * @example
 * ```ts
 * countErrors(new Float32Array([1.2, 0]), new Float32Array([1, 0])); // { triangle: 0.2, square: 0, total: 0.2 }
 * ```
 */
export function countErrors(
  predicted: Float32Array,
  truth: Float32Array,
): CountErrors {
  checkPair(predicted, truth);
  const n = truth.length / TARGETS;
  let t = 0, s = 0, total = 0;
  for (let i = 0; i < n; i++) {
    const dt = predicted[2 * i] - truth[2 * i];
    const ds = predicted[2 * i + 1] - truth[2 * i + 1];
    t += Math.abs(dt);
    s += Math.abs(ds);
    total += Math.abs(dt + ds);
  }
  return { triangle: t / n, square: s / n, total: total / n };
}

/**
 * Total counts (triangles + squares) of N×2 counts.
 *
 * @example
 * ```ts
 * totals(new Float32Array([1, 2, 0, 1])); // Float32Array [3, 1]
 * ```
 */
export function totals(counts: Float32Array): Float32Array {
  const n = counts.length / TARGETS;
  return Float32Array.from(
    { length: n },
    (_, i) => counts[2 * i] + counts[2 * i + 1],
  );
}

/** Exact-count accuracy for one true count. */
export interface AccuracyAtCount {
  /** The true count. */
  count: number;
  /** Images with that true count. */
  n: number;
  /** Fraction whose rounded prediction equals the true count. */
  accuracy: number;
}

/**
 * Exact-count accuracy (rounded prediction = truth) grouped by true count, for one series of
 * predictions (e.g. the triangle column, or the totals).
 *
 * @example
 * ```ts
 * accuracyByCount([0.2, 1.6, 2.1], [0, 1, 2]);
 * // [{ count: 0, n: 1, accuracy: 1 }, { count: 1, n: 1, accuracy: 0 }, { count: 2, n: 1, accuracy: 1 }]
 * ```
 */
export function accuracyByCount(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): AccuracyAtCount[] {
  if (predicted.length !== truth.length) {
    throw new Error(
      `accuracyByCount: ${predicted.length} predictions for ${truth.length} true counts`,
    );
  }
  const byCount = new Map<number, { n: number; right: number }>();
  for (let i = 0; i < truth.length; i++) {
    const c = Math.round(truth[i]);
    const entry = byCount.get(c) ?? { n: 0, right: 0 };
    entry.n += 1;
    if (Math.round(predicted[i]) === c) entry.right += 1;
    byCount.set(c, entry);
  }
  return [...byCount.entries()].sort((a, b) => a[0] - b[0]).map((
    [count, { n, right }],
  ) => ({ count, n, accuracy: right / n }));
}

/**
 * Fraction of predictions that round to the truth.
 *
 * @example
 * ```ts
 * exactAccuracy([0.4, 2.6], [0, 2]); // 0.5
 * ```
 */
export function exactAccuracy(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): number {
  const groups = accuracyByCount(predicted, truth);
  const n = groups.reduce((a, g) => a + g.n, 0);
  return groups.reduce((a, g) => a + g.accuracy * g.n, 0) / n;
}

/**
 * Number of blue pixels (blue channel > 0.5) of every scene.
 *
 * @example
 * ```ts
 * bluePixels(test)[0]; // blue pixels of the first test scene
 * ```
 */
export function bluePixels(set: SceneSet): Float32Array {
  const [h, w] = set.shape;
  const hw = h * w;
  const n = sceneCount(set);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let blue = 0;
    const base = i * hw * 3;
    for (let p = 0; p < hw; p++) if (set.x[base + p * 3 + 2] > 0.5) blue++;
    out[i] = blue;
  }
  return out;
}

/** The pixel-count shortcut, fitted on a training set. */
export interface PixelShortcut {
  /** Mean blue pixels per shape in the training set. */
  areaPerShape: number;
}

/**
 * Fits the shortcut a counter may learn instead of counting: the mean number of blue pixels
 * per shape over `train` (total blue pixels / total shapes).
 *
 * @example
 * ```ts
 * const shortcut = fitPixelShortcut(train);
 * const guess = pixelShortcutTotals(shortcut, test); // total counts
 * ```
 */
export function fitPixelShortcut(train: SceneSet): PixelShortcut {
  const blue = bluePixels(train).reduce((a, b) => a + b, 0);
  const shapes = totals(train.counts).reduce((a, b) => a + b, 0);
  if (shapes === 0) {
    throw new Error(
      `fitPixelShortcut: "${train.name}" has no shapes; fit it on scenes with shapes`,
    );
  }
  return { areaPerShape: blue / shapes };
}

/**
 * The shortcut's total counts: blue pixels of each scene divided by the fitted area per shape.
 *
 * @example
 * ```ts
 * const maeShortcut = meanAbsDiff(pixelShortcutTotals(shortcut, test), totals(test.counts));
 * ```
 */
export function pixelShortcutTotals(
  shortcut: PixelShortcut,
  set: SceneSet,
): Float32Array {
  return bluePixels(set).map((b) => b / shortcut.areaPerShape);
}

/**
 * Mean absolute difference of two equal-length series.
 *
 * @example
 * ```ts
 * meanAbsDiff([1, 2], [1, 4]); // 1
 * ```
 */
export function meanAbsDiff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): number {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(
      `meanAbsDiff: needs two non-empty series of equal length, got ${a.length} and ${b.length}`,
    );
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/**
 * Sets the bias of the model's last layer to the mean count of each kind in `train`, so a ReLU
 * output starts in its active region (with a zero bias, half the initial outputs are clipped
 * at 0, and an output that is clipped for every image never receives a gradient again).
 *
 * @example
 * ```ts
 * const model = cnn({ ..., numClasses: 2, outputActivation: "relu" });
 * startAtMeanCounts(model, train);
 * ```
 */
export function startAtMeanCounts(
  model: tf.LayersModel,
  train: SceneSet,
): void {
  checkModel(model, train);
  const last = model.layers[model.layers.length - 1];
  const weights = last.getWeights();
  const bias = weights[weights.length - 1];
  if (weights.length < 2 || bias.shape.join(",") !== `${TARGETS}`) {
    throw new Error(
      `startAtMeanCounts: the last layer "${last.name}" has no bias of ${TARGETS} values; build it with a bias`,
    );
  }
  const n = sceneCount(train);
  const mean = [0, 0];
  for (let i = 0; i < n; i++) {
    mean[0] += train.counts[2 * i] / n;
    mean[1] += train.counts[2 * i + 1] / n;
  }
  const fresh = tf.tensor1d(mean);
  last.setWeights([...weights.slice(0, -1), fresh]);
  fresh.dispose();
}

/**
 * The counter of the notebooks: three strided convolutions (no pooling, so it has second
 * derivatives) and a linear layer with one ReLU output per kind. By default the last feature
 * map is averaged over space first (`head: "gap"`: the count is a sum of local evidence); the
 * thesis' own network flattens it instead (`head: "flatten"`) and, for its sigmoid network,
 * normalises each convolution (`batchNorm`: the thesis' Batch Renormalization with rmax = 1 and
 * dmax = 0, its setting, is exactly batch normalization).
 *
 * @example
 * ```ts
 * const model = counterNetwork({ seed: 0, imageSize: 40, activation: "softplus" });
 * const thesis = counterNetwork({ seed: 0, imageSize: 40, activation: "sigmoid",
 *   head: "flatten", batchNorm: true });
 * ```
 */
export function counterNetwork(opts: {
  seed: number;
  imageSize: number;
  activation: Activation;
  /** Filters of the three convolutions (default [32, 64, 64]). */
  filters?: [number, number, number];
  /** "gap" (default): global average pooling before the linear layer; "flatten": the thesis'. */
  head?: "gap" | "flatten";
  /** Batch normalization after each convolution (default false). */
  batchNorm?: boolean;
}): tf.LayersModel {
  const [f1, f2, f3] = opts.filters ?? [32, 64, 64];
  const head = opts.head ?? "gap";
  if (head !== "gap" && head !== "flatten") {
    throw new Error(`counterNetwork: head must be "gap" or "flatten", got ${JSON.stringify(head)}`);
  }
  return cnn({
    seed: opts.seed,
    inputShape: [opts.imageSize, opts.imageSize, 3],
    activation: opts.activation,
    convs: [
      { filters: f1, kernel: 5, stride: 2 },
      { filters: f2, stride: 2 },
      { filters: f3, stride: 2 },
    ],
    dense: [],
    globalPool: head === "gap",
    numClasses: TARGETS,
    outputActivation: "relu",
    ...(opts.batchNorm ? { batchNorm: true } : {}),
  });
}

/** How well predicted counts match the truth. */
export interface CountingReport {
  /** Mean absolute errors per kind and of the total. */
  mae: CountErrors;
  /** Exact-count accuracy per kind and of the total. */
  exact: CountErrors;
  /** Exact-count accuracy by true count, per kind and of the total. */
  byCount: Record<keyof CountErrors, AccuracyAtCount[]>;
}

/**
 * Mean absolute errors, exact-count accuracies (per kind and total) and accuracy by true count.
 *
 * @example
 * ```ts
 * const report = countingReport(await predictCounts(model, test), test.counts);
 * report.exact.total; // e.g. 0.94
 * ```
 */
export function countingReport(
  predicted: Float32Array,
  truth: Float32Array,
): CountingReport {
  checkPair(predicted, truth);
  const column = (a: Float32Array, k: number) => a.filter((_, i) => i % TARGETS === k);
  return {
    mae: countErrors(predicted, truth),
    exact: {
      triangle: exactAccuracy(column(predicted, 0), column(truth, 0)),
      square: exactAccuracy(column(predicted, 1), column(truth, 1)),
      total: exactAccuracy(totals(predicted), totals(truth)),
    },
    byCount: {
      triangle: accuracyByCount(column(predicted, 0), column(truth, 0)),
      square: accuracyByCount(column(predicted, 1), column(truth, 1)),
      total: accuracyByCount(totals(predicted), totals(truth)),
    },
  };
}

/**
 * Number of corners (vertices of its shapes) in every scene: 3 per triangle, 4 per square,
 * whatever their size. A network can count them by summing local corner detectors, which a
 * global-average-pool head makes easy, so random sizes alone do not rule this shortcut out.
 *
 * @example
 * ```ts
 * cornerCounts(test)[0]; // e.g. 10 for two triangles and a square
 * ```
 */
export function cornerCounts(set: SceneSet): Float32Array {
  return Float32Array.from(
    set.shapes,
    (shapes) => shapes.reduce((a, s) => a + s.vertices.length, 0),
  );
}

/** The corner-count shortcut, fitted on a training set: corners → the most frequent counts. */
export interface CornerShortcut {
  /** For each corner count seen in training, the most frequent [triangles, squares]. */
  countsByCorners: Map<number, [number, number]>;
  /** The most frequent counts overall, for a corner count never seen in training. */
  fallback: [number, number];
}

/**
 * Fits the corner-count shortcut: for each number of corners, the counts (triangles, squares)
 * that most often have it in `train`. With at most a few shapes, 3·t + 4·s almost always
 * decides t and s, so a perfect corner counter counts both kinds, and sizes do not matter.
 *
 * @example
 * ```ts
 * const predicted = cornerShortcutCounts(fitCornerShortcut(train), test); // N×2
 * countingReport(predicted, test.counts).exact.total;
 * ```
 */
export function fitCornerShortcut(train: SceneSet): CornerShortcut {
  const corners = cornerCounts(train);
  if (corners.length === 0) {
    throw new Error(`fitCornerShortcut: "${train.name}" has no scenes; fit it on a training set`);
  }
  const tally = new Map<number, Map<string, number>>();
  const overall = new Map<string, number>();
  corners.forEach((c, i) => {
    const key = `${train.counts[2 * i]},${train.counts[2 * i + 1]}`;
    const forC = tally.get(c) ?? new Map<string, number>();
    forC.set(key, (forC.get(key) ?? 0) + 1);
    tally.set(c, forC);
    overall.set(key, (overall.get(key) ?? 0) + 1);
  });
  const mostFrequent = (m: Map<string, number>) => {
    // Ties go to the first counts in sorted order, so the fit does not depend on scene order.
    const [key] = [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    return key.split(",").map(Number) as [number, number];
  };
  return {
    countsByCorners: new Map([...tally.entries()].map(([c, m]) => [c, mostFrequent(m)])),
    fallback: mostFrequent(overall),
  };
}

/**
 * The corner-count shortcut's counts for every scene, N×2 ([triangles, squares]).
 *
 * @example
 * ```ts
 * const predicted = cornerShortcutCounts(fitCornerShortcut(train), test);
 * ```
 */
export function cornerShortcutCounts(shortcut: CornerShortcut, set: SceneSet): Float32Array {
  const corners = cornerCounts(set);
  const out = new Float32Array(2 * corners.length);
  corners.forEach((c, i) => {
    const [t, s] = shortcut.countsByCorners.get(c) ?? shortcut.fallback;
    out[2 * i] = t;
    out[2 * i + 1] = s;
  });
  return out;
}
