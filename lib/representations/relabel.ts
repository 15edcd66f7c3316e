/**
 * Relabelling a data set by targeted attacks: the construction behind "Adversarial examples
 * are not bugs, they are features" (Ilyas et al. 2019, §3.2). Every image x of class y is
 * pushed by a targeted PGD attack on a standard model towards a class t, and the perturbed
 * image is stored with the label t. To a human the new data set is mislabelled; whatever a
 * model trained on it learns that still works on clean test images must come from the small
 * perturbations, i.e. from non-robust features.
 *
 * - {@link chooseTargets}: t uniformly among the other classes ("random", D_rand) or
 *   t = (y + 1) mod k ("next", D_det).
 * - {@link relabelByAttack}: the attacked, relabelled data set and the attack's success.
 * - {@link shiftLabels}: a data set with labels (y + k) mod classes, to ask whether a model
 *   learned the old (robust) class-to-label mapping.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/rng.ts";
import { type Dataset, exampleLength, forEachBatch, size } from "../data/dataset.ts";
import type { AttackLoss } from "../optimize/losses.ts";
import type { ImageFn } from "../models/types.ts";
import { pgd, seededStart } from "../attacks/pgd.ts";
import { exampleNorms, type ThreatModel } from "../optimize/mod.ts";

/** How target classes are chosen: uniformly among the other classes, or the next class. */
export type TargetRule = "random" | "next";

/**
 * One target class per label: "random" draws t uniformly from the classes other than y (so no
 * example keeps its true label), "next" gives t = (y + 1) mod numClasses.
 *
 * @example
 * ```ts
 * chooseTargets(new Int32Array([0, 9]), 10, "next"); // Int32Array [1, 0]
 * chooseTargets(train.labels, 10, "random", 0);      // seeded, never equal to the label
 * ```
 */
export function chooseTargets(
  labels: ArrayLike<number>,
  numClasses: number,
  rule: TargetRule,
  seed = 0,
): Int32Array {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new RangeError(
      `chooseTargets: numClasses must be an integer >= 2, got ${numClasses}`,
    );
  }
  if (rule !== "random" && rule !== "next") {
    throw new RangeError(
      `chooseTargets: rule must be "random" or "next", got "${rule}"`,
    );
  }
  const rng = new Rng(seed).fork("targets");
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new RangeError(
        `chooseTargets: label ${y} at index ${i} is outside [0, ${numClasses})`,
      );
    }
    // A draw among the k − 1 other classes, shifted past y.
    out[i] = rule === "next"
      ? (y + 1) % numClasses
      : (y + 1 + rng.int(numClasses - 1)) % numClasses;
  }
  return out;
}

/**
 * `ds` with every label replaced by (y + offset) mod numClasses (the images are shared).
 *
 * @example
 * ```ts
 * const shifted = shiftLabels(test, 1); // the D_det labelling of the clean test set
 * ```
 */
export function shiftLabels(
  ds: Dataset,
  offset: number,
  name?: string,
): Dataset {
  if (!Number.isInteger(offset)) {
    throw new RangeError(
      `shiftLabels: offset must be an integer, got ${offset}`,
    );
  }
  const k = ds.numClasses;
  const labels = Int32Array.from(
    ds.labels,
    (y) => (((y + offset) % k) + k) % k,
  );
  return { ...ds, name: name ?? `${ds.name}-shift${offset}`, labels };
}

/** Settings of {@link relabelByAttack}. */
export interface RelabelOptions {
  /** Target class per example (e.g. from {@link chooseTargets}). */
  targets: ArrayLike<number>;
  /** Where the attack may move each image, e.g. `l2(2)`. */
  threat: ThreatModel;
  /** PGD steps (Ilyas et al.: 100). */
  steps: number;
  /** L2 (or L∞) length of each step (Ilyas et al.: eps / 5). */
  stepSize: number;
  /** Loss the attack minimises for the target (default cross-entropy). */
  loss?: AttackLoss;
  /** Examples per attack batch (default 128). */
  batchSize?: number;
  /** Seed of random starts; default none (start at the clean image). */
  seed?: number;
  /** Name of the new data set (default `<name>-relabelled`). */
  name?: string;
  /** Called after each batch with examples done and the total; awaited. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** What {@link relabelByAttack} made. */
export interface RelabelResult {
  /** Attacked images, labelled with their targets. */
  dataset: Dataset;
  /** 1 where the source model predicts the target on the attacked image. */
  success: Uint8Array;
  /** Mean of `success`. */
  successRate: number;
  /** Mean L2 distance between attacked and clean images. */
  meanPerturbation: number;
}

/**
 * Attacks every image of `ds` towards its target on `logitsFn` (targeted PGD) and returns the
 * attacked images labelled with the targets, as Ilyas et al. build D_rand and D_det. Examples
 * whose attack failed are kept (the success rate says how many): filtering them would select
 * images on which the model already leaned towards the target.
 *
 * @example
 * ```ts
 * const targets = chooseTargets(train.labels, 10, "next");
 * const { dataset: dDet, successRate } = await relabelByAttack(model, train, {
 *   targets, threat: l2(2), steps: 100, stepSize: 0.4,
 * });
 * ```
 */
export async function relabelByAttack(
  logitsFn: ImageFn,
  ds: Dataset,
  opts: RelabelOptions,
): Promise<RelabelResult> {
  const n = size(ds);
  if (n === 0) {
    throw new RangeError(`relabelByAttack: data set "${ds.name}" is empty`);
  }
  if (opts.targets.length !== n) {
    throw new RangeError(
      `relabelByAttack: ${opts.targets.length} targets for ${n} examples of "${ds.name}"; ` +
        `give one target per example (chooseTargets(ds.labels, ...))`,
    );
  }
  const targets = Int32Array.from(opts.targets);
  for (let i = 0; i < n; i++) {
    if (
      !Number.isInteger(targets[i]) || targets[i] < 0 ||
      targets[i] >= ds.numClasses
    ) {
      throw new RangeError(
        `relabelByAttack: target ${targets[i]} at index ${i} is outside [0, ${ds.numClasses})`,
      );
    }
  }
  const per = exampleLength(ds);
  const x = new Float32Array(ds.x.length);
  const success = new Uint8Array(n);
  let distanceSum = 0;
  await forEachBatch(ds, {
    batchSize: opts.batchSize ?? 128,
    onProgress: opts.onProgress,
  }, async (batch) => {
    const batchTargets = Int32Array.from(batch.indices, (i) => targets[i]);
    const result = await pgd(logitsFn, batch.x, batch.y, {
      threat: opts.threat,
      steps: opts.steps,
      stepSize: opts.stepSize,
      loss: opts.loss,
      targets: batchTargets,
      ...seededStart(opts.seed, `batch-${batch.index}`),
    });
    const norms = tf.tidy(() => exampleNorms(tf.sub(result.adversarial, batch.x) as tf.Tensor4D));
    const pixels = await result.adversarial.data() as Float32Array;
    const distances = await norms.data();
    tf.dispose([norms, result.adversarial]);
    for (let k = 0; k < batch.indices.length; k++) {
      const i = batch.indices[k];
      x.set(pixels.subarray(k * per, (k + 1) * per), i * per);
      success[i] = result.success[k];
      distanceSum += distances[k];
    }
  });
  return {
    dataset: {
      ...ds,
      name: opts.name ?? `${ds.name}-relabelled`,
      x,
      labels: targets,
    },
    success,
    successRate: success.reduce((s, v) => s + v, 0) / n,
    meanPerturbation: distanceSum / n,
  };
}
