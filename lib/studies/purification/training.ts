/**
 * The training protocol of the feature-purification principle: a network trained on clean data
 * from its random initialisation w⁰ (giving w), then trained adversarially starting from those
 * clean weights (giving w'), with all three kept so the notebook can compare them neuron by
 * neuron. Both runs go through the model cache.
 *
 * @module
 */

import { type FitOptions } from "../../train/loop.ts";
import { cachedFit } from "../../train/model_cache.ts";
import type { Dataset } from "../../data/dataset.ts";
import { asImageFn, type Model } from "../../models/types.ts";
import { symmetricNet } from "../../models/symmetric.ts";
import type { SparseLinearTask } from "../../data/sparse_coding.ts";
import { pgdTrainingHook } from "../../attacks/adversarial_training.ts";
import { type Norm, threatModel } from "../../optimize/threat_model.ts";

/** The symmetric network's settings used throughout notebook 02. */
export interface NetSettings {
  /** Hidden pairs m. */
  width: number;
  /** Threshold c of each unit on its unit direction (symmetricNet's relativeBias). */
  relativeBias: number;
  /** Standard deviation of the initial weights. */
  initStd: number;
  /** Seed of the initial weights. */
  seed: number;
}

/**
 * The paper's network for a sparse linear task: symmetric pairs with the bias c·‖w_i‖ (not
 * trained), inputs centred by the task's offset.
 *
 * @example
 * ```ts
 * const net = purificationNet(task, { width: 128, relativeBias: 0.15, initStd: 0.05, seed: 0 });
 * ```
 */
export function purificationNet(task: SparseLinearTask, s: NetSettings): Model {
  return symmetricNet({
    seed: s.seed,
    inputShape: [1, task.options.d, 1],
    width: s.width,
    initStd: s.initStd,
    bias: 0,
    trainBias: false,
    relativeBias: s.relativeBias,
    inputOffset: task.options.offset,
  });
}

/** Adversarial training settings: PGD within a `norm` ball of radius `tau`. */
export interface AdversarialSettings {
  norm: Exclude<Norm, "none">;
  tau: number;
  /** PGD steps per batch (step size 2.5·τ/steps, Madry et al.). */
  steps: number;
  /** Epochs of adversarial training, started from the clean weights. */
  epochs: number;
}

/** The three weight sets of one run: initial, clean, adversarial. */
export interface PurificationModels {
  /** The model as initialised (w⁰), never trained. */
  init: Model;
  /** Trained on clean data from w⁰ (w). */
  clean: Model;
  /** Trained adversarially from the clean weights (w'). */
  robust: Model;
  /** Seconds of training this run did (0 for what came from the cache). */
  seconds: { clean: number; robust: number };
}

/**
 * Trains `build()` on `train` with `fit` options `clean`, then a copy adversarially from the
 * clean weights; both through the model cache (entries `${name}-clean`, `${name}-adversarial`).
 * `build` must be deterministic (seeded): it also rebuilds the initial weights.
 *
 * @example
 * ```ts
 * const m = await cleanThenAdversarial("nb02", () => purificationNet(task, net), train,
 *   { epochs: 5, batchSize: 64, seed: 0, optimizer: { name: "adam", lr: 0.01 } },
 *   { norm: "l2", tau: 0.1, steps: 5, epochs: 2 });
 * ```
 */
export async function cleanThenAdversarial(
  name: string,
  build: () => Model,
  train: Dataset,
  clean: FitOptions,
  adversarial: AdversarialSettings,
): Promise<PurificationModels> {
  const init = build();
  const model = build();
  const c = await cachedFit(model, train, { ...clean, label: `${name} clean` }, {
    name: `${name}-clean`,
    studies: ["purification"],
  });
  const robust = build();
  robust.setWeights(model.getWeights());
  const { norm, tau, steps } = adversarial;
  const hook = pgdTrainingHook(asImageFn(robust), threatModel(norm, tau), { steps });
  const r = await cachedFit(
    robust,
    train,
    {
      ...clean,
      epochs: adversarial.epochs,
      seed: clean.seed + 1,
      beforeStep: hook,
      label: `${name} adversarial`,
    },
    { name: `${name}-adversarial`, studies: ["purification"] },
  );
  return {
    init,
    clean: model,
    robust,
    seconds: { clean: c.cached ? 0 : c.seconds, robust: r.cached ? 0 : r.seconds },
  };
}
