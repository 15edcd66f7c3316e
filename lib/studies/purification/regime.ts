/**
 * One point of the regime sweep: train clean then adversarially on a task's sample and measure
 * both models' clean and robust accuracy at the point's radius.
 *
 * @module
 */

import type { FitOptions } from "../../train/loop.ts";
import { asImageFn } from "../../models/types.ts";
import { robustAccuracy } from "../../attacks/evaluate.ts";
import { type SparseLinearOptions, sparseLinearTask } from "../../data/sparse_coding.ts";
import { type AdversarialSettings, cleanThenAdversarial, purificationNet } from "./training.ts";
import { layerNeurons, neuronMatrix } from "../../weights/neurons.ts";
import { basisCoefficients, basisConcentration, purification } from "../../weights/analysis.ts";
import { mean } from "../../stats/descriptive.ts";

/** Settings of {@link regimePoint}. */
export interface RegimePoint {
  /** Name of the point, e.g. "2τ". */
  name: string;
  /** The task (seed, d, k, margin, …). */
  task: SparseLinearOptions;
  /** Hidden pairs. */
  width: number;
  /** The network's relative bias c. */
  relativeBias: number;
  /** Training examples and test examples. */
  train: number;
  test: number;
  /** Seeds of the training and test samples. */
  sampleSeeds: [number, number];
  fit: FitOptions;
  adversarial: AdversarialSettings;
  /** PGD steps when evaluating. */
  evalSteps: number;
}

/** What {@link regimePoint} measures (fractions of the test sample, and its size). */
export interface RegimeResult {
  cleanAccuracy: number;
  cleanRobust: number;
  adversarialAccuracy: number;
  adversarialRobust: number;
  n: number;
  /** Mean top-atom share of the clean and the adversarial neurons in the task's dictionary. */
  cleanTopShare: number;
  adversarialTopShare: number;
  /** Share of neurons with |cos(w, w')| > 1/√2. */
  dominant: number;
}

/**
 * Trains the symmetric network on the point's task clean, then adversarially from the clean
 * weights (cached under `nb02-sweep`), evaluates both at 0 and at the point's radius, and reads
 * how pure their neurons are.
 *
 * @example
 * ```ts
 * const r = await regimePoint({ name: "base", task: { seed: 0, d: 64, k: 4, margin: 0.15 },
 *   width: 128, relativeBias: 0.15, train: 8000, test: 400, sampleSeeds: [1, 2], fit,
 *   adversarial: { norm: "l2", tau: 0.1, steps: 3, epochs: 1 }, evalSteps: 10 });
 * ```
 */
export async function regimePoint(p: RegimePoint): Promise<RegimeResult> {
  const task = sparseLinearTask(p.task);
  const data = task.sample(p.train, p.sampleSeeds[0], `sweep-${p.name}`);
  const test = task.sample(p.test, p.sampleSeeds[1], "sweep-test");
  const build = () =>
    purificationNet(task, {
      width: p.width,
      relativeBias: p.relativeBias,
      initStd: 0.05,
      seed: p.fit.seed,
    });
  const m = await cleanThenAdversarial("nb02-sweep", build, data, p.fit, p.adversarial);
  try {
    const { norm, tau } = p.adversarial;
    const evaluate = (model: typeof m.clean) =>
      robustAccuracy(asImageFn(model), test, {
        norm,
        epsilons: [0, tau],
        steps: p.evalSteps,
        seed: p.fit.seed,
      });
    const [clean, robust] = [await evaluate(m.clean), await evaluate(m.robust)];
    const d = task.options.d;
    const M = neuronMatrix(d, d, task.dictionary);
    const [w, wPrime] = [layerNeurons(m.clean, "hidden"), layerNeurons(m.robust, "hidden")];
    const topShare = (v: typeof w) => mean(basisConcentration(basisCoefficients(v, M)).topShare);
    return {
      cleanTopShare: topShare(w),
      adversarialTopShare: topShare(wPrime),
      dominant: mean(purification(w, wPrime).dominant),
      cleanAccuracy: clean[0].accuracy,
      cleanRobust: clean[1].accuracy,
      adversarialAccuracy: robust[0].accuracy,
      adversarialRobust: robust[1].accuracy,
      n: p.test,
    };
  } finally {
    // The sweep trains 3 models per point; none is needed once the point is measured.
    for (const model of [m.init, m.clean, m.robust]) model.dispose();
  }
}
