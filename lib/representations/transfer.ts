/**
 * Transfer of adversarial examples between models: adversarial examples made on a source
 * model are shown to every target model, and the matrix says how often they fool it. Ilyas et
 * al. (2019, §4) read transfer as evidence that different models pick up the same non-robust
 * features of the data.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/rng.ts";
import { type Dataset, forEachBatch, size } from "../data/dataset.ts";
import type { ImageFn } from "../models/types.ts";
import { correctFlags } from "../train/evaluate.ts";
import { pgd, seededStart } from "../attacks/pgd.ts";
import { exampleNorms, noiseAtRadius, type ThreatModel } from "../optimize/mod.ts";

/** A named model in a transfer experiment. */
export interface TransferModel {
  name: string;
  logits: ImageFn;
}

/** Settings of {@link transferMatrix}. */
export interface TransferOptions {
  /** Where the attack may move each image. */
  threat: ThreatModel;
  /** PGD steps on the source. */
  steps: number;
  /** Length of each step (default Madry et al.'s 2.5 · eps / steps). */
  stepSize?: number;
  /** Start each attack at a random point of the threat set (default false: the clean image). */
  randomStart?: boolean;
  /**
   * Add a last row "noise": random noise at the threat set's full radius inside the box
   * (`noiseAtRadius`) instead of an attack, the baseline a transfer rate should be compared
   * with. `meanNorm` reports the norms every row actually reached.
   */
  noiseBaseline?: boolean;
  /** Seed of the random starts and of the noise baseline (default 0). */
  seed?: number;
  /** Examples per batch (default 128). */
  batchSize?: number;
  /** Called after each (source, batch) with the count done and the total; awaited. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** What {@link transferMatrix} measured. */
export interface TransferResult {
  sources: string[];
  targets: string[];
  /**
   * rate[s][t] (one row per source, then "noise" when asked for): among the examples target t classifies correctly when clean, the fraction it
   * misclassifies after the untargeted attack on source s (the diagonal is white-box success
   * when a model is both).
   */
  rate: number[][];
  /** fooled[s][t]: the count behind rate[s][t] (its denominator is cleanCorrect[t]). */
  fooled: number[][];
  /** Per example, 1 where target t is right on the clean image and wrong after row s's attack. */
  fooledFlags: Uint8Array[][];
  /** Examples each target classifies correctly when clean. */
  cleanCorrect: number[];
  /** Per example, 1 where target t is right on the clean image. */
  cleanFlags: Uint8Array[];
  /** Clean accuracy of each target on the examples used. */
  cleanAccuracy: number[];
  /** Mean L2 distance between perturbed and clean images, per row (sources, then noise). */
  meanNorm: number[];
  /** Examples attacked. */
  n: number;
}

/**
 * Untargeted PGD on each source; every target classifies the results.
 *
 * @example
 * ```ts
 * const models = [{ name: "A", logits: a }, { name: "B", logits: b }];
 * const { rate } = await transferMatrix(models, models, take(test, 500), {
 *   threat: l2(2), steps: 20, stepSize: 0.25,
 * });
 * rate[0][1]; // how often A's adversarial examples fool B
 * ```
 */
export async function transferMatrix(
  sources: readonly TransferModel[],
  targets: readonly TransferModel[],
  ds: Dataset,
  opts: TransferOptions,
): Promise<TransferResult> {
  if (sources.length === 0 || targets.length === 0) {
    throw new RangeError(
      "transferMatrix: give at least one source and one target model",
    );
  }
  const n = size(ds);
  if (n === 0) {
    throw new RangeError(`transferMatrix: data set "${ds.name}" is empty`);
  }
  const batchSize = opts.batchSize ?? 128;
  const rows = opts.noiseBaseline ? sources.length + 1 : sources.length;
  const cleanRight = targets.map(() => new Uint8Array(n));
  const fooledFlags = Array.from({ length: rows }, () => targets.map(() => new Uint8Array(n)));
  const normSum = new Array<number>(rows).fill(0);
  const total = rows * Math.ceil(n / batchSize);
  let done = 0;
  await forEachBatch(ds, { batchSize }, async ({ x, y, index, indices }) => {
    // Batches come in data set order: this one holds examples first .. first + b − 1.
    const [first, b] = [indices[0], indices.length];
    const labels = Int32Array.from(await y.data());
    for (const [t, target] of targets.entries()) {
      const right = await correctFlags(target.logits, x, y);
      cleanRight[t].set(right, first);
    }
    for (let s = 0; s < rows; s++) {
      const source = sources[s];
      const adversarial = source
        ? await attack(source, x, labels, opts, index)
        : noiseAtRadius(opts.threat, x, new Rng(opts.seed ?? 0).fork(`noise/batch-${index}`));
      try {
        const norms = tf.tidy(() => exampleNorms(tf.sub(adversarial, x) as tf.Tensor4D));
        for (const v of await norms.data()) normSum[s] += v;
        norms.dispose();
        for (const [t, target] of targets.entries()) {
          const right = await correctFlags(target.logits, adversarial, y);
          for (let i = 0; i < b; i++) {
            if (cleanRight[t][first + i] && !right[i]) fooledFlags[s][t][first + i] = 1;
          }
        }
      } finally {
        adversarial.dispose();
      }
      done += 1;
      await opts.onProgress?.(done, total);
    }
  });
  const count = (flags: Uint8Array) => flags.reduce((a, v) => a + v, 0);
  const cleanCounts = cleanRight.map(count);
  const fooled = fooledFlags.map((row) => row.map(count));
  return {
    sources: [
      ...sources.map((m) => m.name),
      ...(opts.noiseBaseline ? ["noise"] : []),
    ],
    targets: targets.map((m) => m.name),
    rate: fooled.map((row) => row.map((f, t) => cleanCounts[t] === 0 ? NaN : f / cleanCounts[t])),
    fooled,
    fooledFlags,
    cleanCorrect: cleanCounts,
    cleanFlags: cleanRight,
    cleanAccuracy: cleanCounts.map((c) => c / n),
    meanNorm: normSum.map((v) => v / n),
    n,
  };
}

async function attack(
  source: TransferModel,
  x: tf.Tensor4D,
  labels: Int32Array,
  opts: TransferOptions,
  batchIndex: number,
): Promise<tf.Tensor4D> {
  const { adversarial } = await pgd(source.logits, x, labels, {
    threat: opts.threat,
    steps: opts.steps,
    stepSize: opts.stepSize,
    ...seededStart(
      opts.randomStart ? opts.seed ?? 0 : undefined,
      `${source.name}/batch-${batchIndex}`,
    ),
  });
  return adversarial;
}
