/**
 * Robust accuracy over an ε sweep: for each radius, the fraction of a data set the model still
 * classifies correctly after a PGD attack, with the attack's full configuration in every
 * record so a table or plot states exactly what was run.
 *
 * @module
 */

import { type Dataset, forEachBatch } from "../data/dataset.ts";
import { Rng } from "../random/rng.ts";
import { type AttackLoss, crossEntropy } from "../optimize/losses.ts";
import { type ImageFn } from "../models/types.ts";
import { correctFlags } from "../train/evaluate.ts";
import { pgd } from "./pgd.ts";
import { sum } from "../stats/descriptive.ts";
import { type Norm, threatModel } from "../optimize/mod.ts";
import { checkInteger, checkPositive } from "../checks/mod.ts";

/** Settings of {@link robustAccuracy}. */
export interface RobustAccuracyOptions {
  /** Threat model norm ("linf" or "l2"). */
  norm: Exclude<Norm, "none">;
  /** Radii to evaluate; 0 gives clean accuracy without attacking. */
  epsilons: readonly number[];
  /** PGD steps (default 20). */
  steps?: number;
  /** Step size as a multiple of eps (default 2.5 / steps, Madry et al.). */
  relativeStepSize?: number;
  /** Random start (default true). */
  randomStart?: boolean;
  /** Restarts per example (default 1). */
  restarts?: number;
  /** Loss the attack maximises (default cross-entropy). */
  loss?: AttackLoss;
  /** Batch size (default 128). */
  batchSize?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /** Called after each (eps, batch) with the count done and the total; awaited. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** One row of an ε sweep. */
export interface RobustAccuracyRecord {
  /** Data set name. */
  dataset: string;
  /** Examples evaluated. */
  n: number;
  norm: Norm;
  eps: number;
  /** Fraction classified correctly under attack (clean accuracy at eps = 0). */
  accuracy: number;
  /** Per example, 1 where it is classified correctly under attack (for paired comparisons). */
  correct: Uint8Array;
  /** Fraction classified correctly without attack. */
  cleanAccuracy: number;
  /** Fraction of the correctly classified examples the attack flipped (NaN if none). */
  attackSuccess: number;
  attack: "pgd" | "none";
  steps: number;
  stepSize: number;
  loss: string;
  randomStart: boolean;
  restarts: number;
  seed: number;
}

/**
 * PGD robust accuracy of `logitsFn` on `ds` at every radius in `opts.epsilons`.
 *
 * @example
 * ```ts
 * const rows = await robustAccuracy(model, testSet, {
 *   norm: "l2", epsilons: [0, 0.5, 1, 2], steps: 20, seed: 0,
 * });
 * console.table(rows.map(({ eps, accuracy }) => ({ eps, accuracy })));
 * ```
 */
export async function robustAccuracy(
  logitsFn: ImageFn,
  ds: Dataset,
  opts: RobustAccuracyOptions,
): Promise<RobustAccuracyRecord[]> {
  const where = "robustAccuracy";
  const steps = opts.steps ?? 20;
  checkInteger(where, "steps", steps, 1);
  const relativeStepSize = opts.relativeStepSize ?? 2.5 / steps;
  checkPositive(where, "relativeStepSize", relativeStepSize);
  if (opts.epsilons.length === 0) {
    throw new RangeError(
      `${where}: epsilons is empty; pass at least one radius, e.g. [0, 0.1]`,
    );
  }
  // Building the threat models validates every eps before any work is done.
  const threats = opts.epsilons.map((eps) => threatModel(opts.norm, eps));
  const batchSize = opts.batchSize ?? 128;
  const seed = opts.seed ?? 0;
  const randomStart = opts.randomStart ?? true;
  const restarts = opts.restarts ?? 1;
  const loss = opts.loss ?? crossEntropy;
  const n = ds.labels.length;
  if (n === 0) throw new RangeError(`${where}: data set "${ds.name}" is empty`);

  const correctFlagsAt = threats.map(() => new Uint8Array(n));
  const flipped = new Float64Array(threats.length);
  let cleanCorrect = 0;
  const total = threats.length * Math.ceil(n / batchSize);
  let done = 0;
  await forEachBatch(ds, { batchSize }, async ({ x, y, index, indices }) => {
    const labels = Int32Array.from(await y.data());
    const cleanFlags = await correctFlags(logitsFn, x, y);
    const cleanCount = sum(cleanFlags);
    cleanCorrect += cleanCount;
    for (let e = 0; e < threats.length; e++) {
      const threat = threats[e];
      if (threat.eps === 0) {
        cleanFlags.forEach((f, i) => correctFlagsAt[e][indices[i]] = f);
      } else {
        // A stream per (eps, batch) makes each record independent of the sweep's order.
        const stream = new Rng(seed).fork(`eps-${threat.eps}/batch-${index}`);
        const { adversarial, success } = await pgd(logitsFn, x, labels, {
          threat,
          steps,
          stepSize: relativeStepSize * threat.eps,
          loss,
          randomStart,
          restarts,
          seed: stream.seed,
        });
        adversarial.dispose();
        for (let i = 0; i < success.length; i++) {
          // Untargeted success means "misclassified", whether or not the clean input was.
          if (!success[i]) {
            correctFlagsAt[e][indices[i]] = 1;
          } else if (cleanFlags[i]) flipped[e] += 1;
        }
      }
      done += 1;
      await opts.onProgress?.(done, total);
    }
  });
  return threats.map((threat, e) => ({
    dataset: ds.name,
    n,
    norm: threat.norm,
    eps: threat.eps,
    accuracy: sum(correctFlagsAt[e]) / n,
    correct: correctFlagsAt[e],
    cleanAccuracy: cleanCorrect / n,
    attackSuccess: cleanCorrect === 0 ? NaN : flipped[e] / cleanCorrect,
    attack: threat.eps === 0 ? "none" : "pgd",
    steps: threat.eps === 0 ? 0 : steps,
    stepSize: relativeStepSize * threat.eps,
    loss: loss.name || "custom",
    randomStart,
    restarts,
    seed,
  }));
}
