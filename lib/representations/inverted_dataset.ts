/**
 * Data sets rebuilt from a model's representation (Ilyas et al. 2019, §3.1): for every training
 * image x, start from a different, randomly chosen training image and invert the model's
 * penultimate representation at x (Engstrom et al. 2019, §4.1), then keep x's label. The new
 * image holds only what the representation "sees" of x. With a robust model this gives the
 * robust data set D_R; with a standard model, the non-robust data set D_NR.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/rng.ts";
import { type Dataset, exampleLength, forEachBatch, imagesAt, size } from "../data/dataset.ts";
import { invertRepresentation } from "./inversion.ts";
import { type ImageFn } from "../models/types.ts";

/** Settings of {@link invertedDataset}. */
export interface InvertedDatasetOptions {
  /** Inversion steps per image (Ilyas et al.: 1000 on CIFAR-10). */
  steps: number;
  /** L2 length of each step (Ilyas et al.: 0.1). */
  stepSize: number;
  /** Seeds which training image each inversion starts from. */
  seed: number;
  /** ReLU handling of the representation (see `invertRepresentation`; default "none"). */
  lastRelu?: "none" | "relu" | "fake";
  /** Images inverted together (default 128). */
  batchSize?: number;
  /** Name of the new data set (default `<name>-inverted`). */
  name?: string;
  /** Called after each batch with examples done and the total; awaited. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** What {@link invertedDataset} made. */
export interface InvertedDatasetResult {
  /** Inverted images with the labels of the images whose representation they match. */
  dataset: Dataset;
  /** Index of the training image each inversion started from (never the target itself). */
  starts: Int32Array;
  /** Final relative representation distance per example. */
  distance: Float32Array;
}

/**
 * For each example i of `ds`, a seeded derangement picks a start image j ≠ i; the result is
 * the inversion of `representation` at x_i from x_j, labelled y_i.
 *
 * @example
 * ```ts
 * const { dataset: dR } = await invertedDataset(penultimatePreActivation(robust), train, {
 *   steps: 200, stepSize: 0.1, seed: 0, lastRelu: "fake",
 * });
 * ```
 */
export async function invertedDataset(
  representation: ImageFn,
  ds: Dataset,
  opts: InvertedDatasetOptions,
): Promise<InvertedDatasetResult> {
  const n = size(ds);
  if (n < 2) {
    throw new RangeError(
      `invertedDataset: "${ds.name}" has ${n} example(s); starts are drawn from the other ` +
        `examples, so give at least 2`,
    );
  }
  const batchSize = opts.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(
      `invertedDataset: batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const starts = derangement(n, new Rng(opts.seed).fork("starts"));
  const per = exampleLength(ds);
  const x = new Float32Array(ds.x.length);
  const distance = new Float32Array(n);
  await forEachBatch(ds, { batchSize, onProgress: opts.onProgress }, async (batch) => {
    const from = imagesAt(ds, Array.from(batch.indices, (i) => starts[i]));
    const start = tf.tensor4d(from.data, from.shape as [number, number, number, number]);
    try {
      const found = await invertRepresentation(representation, start, batch.x, {
        steps: opts.steps,
        stepSize: opts.stepSize,
        lastRelu: opts.lastRelu,
      });
      const first = batch.indices[0];
      x.set(await found.images.data() as Float32Array, first * per);
      distance.set(found.distance, first);
      found.images.dispose();
    } finally {
      start.dispose();
    }
  });
  return {
    dataset: {
      ...ds,
      name: opts.name ?? `${ds.name}-inverted`,
      x,
      labels: Int32Array.from(ds.labels),
    },
    starts,
    distance,
  };
}

/** A uniformly shuffled permutation, then each fixed point swapped with its neighbour. */
function derangement(n: number, rng: Rng): Int32Array {
  const p = rng.permutation(n);
  for (let i = 0; i < n; i++) {
    if (p[i] === i) {
      const k = (i + 1) % n;
      [p[i], p[k]] = [p[k], p[i]];
    }
  }
  return p;
}
