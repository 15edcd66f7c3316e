/**
 * The models of notebook 01: the two architectures it compares (a 784-256-128-10 MLP and the
 * reference CNN) and one way to train either on any data set, through the model cache, with
 * optional PGD adversarial training.
 *
 * @module
 */

import { tf } from "../../tf.ts";
import type { Dataset } from "../../data/dataset.ts";
import { mlp, referenceCnn } from "../../models/builders.ts";
import type { ImageFn, Model } from "../../models/types.ts";
import { cachedFit } from "../../train/model_cache.ts";
import { pgdTrainingHook } from "../../attacks/adversarial_training.ts";
import type { ThreatModel } from "../../optimize/mod.ts";

/** The notebook's architectures. */
export type Arch = "mlp" | "cnn";

/**
 * A fresh model of architecture `arch`: the reference CNN, or the MLP with hidden widths 256
 * and 128, on 28×28×1 images.
 *
 * @example
 * ```ts
 * const model = buildModel("mlp", 0);
 * ```
 */
export function buildModel(arch: Arch, seed: number): Model {
  return arch === "cnn"
    ? referenceCnn({ seed })
    : mlp({ seed, inputShape: [28, 28, 1], widths: [256, 128] });
}

/** Settings of {@link trainModel}. */
export interface TrainModelOptions {
  arch: Arch;
  /** Seeds the initial weights, the batch order and the adversarial starts. */
  seed: number;
  epochs: number;
  /** PGD adversarial training (Madry et al.) at this threat set, with random starts. */
  adversarial?: { threat: ThreatModel; steps: number; stepSize: number };
}

/** A trained model of the notebook. */
export interface TrainedModel {
  name: string;
  model: Model;
  logits: ImageFn;
  /** Seconds the training took (in the run that trained it, when it came from the cache). */
  seconds: number;
  /** True when the weights came from the model cache. */
  cached: boolean;
}

/**
 * Trains a fresh model on `data` with Adam (lr 1e-3, batches of 64), or loads the model the
 * cache holds for exactly these fit options (`cachedFit`: the key covers the data, the seed,
 * the epochs and the adversarial-training hook's settings, including its step size).
 *
 * @example
 * ```ts
 * const standard = await trainModel("standard-mlp", train, { arch: "mlp", seed: 0, epochs: 10 });
 * const robust = await trainModel("robust", train, {
 *   arch: "mlp", seed: 0, epochs: 10,
 *   adversarial: { threat: l2(2), steps: 7, stepSize: 5 / 7 },
 * });
 * ```
 */
export async function trainModel(
  name: string,
  data: Dataset,
  opts: TrainModelOptions,
): Promise<TrainedModel> {
  const model = buildModel(opts.arch, opts.seed);
  const logits: ImageFn = (x) => model.apply(x) as tf.Tensor2D;
  const adv = opts.adversarial;
  const r = await cachedFit(model, data, {
    epochs: opts.epochs,
    batchSize: 64,
    seed: opts.seed,
    optimizer: { name: "adam", lr: 1e-3 },
    label: name,
    beforeStep: adv &&
      pgdTrainingHook(logits, adv.threat, { steps: adv.steps, stepSize: adv.stepSize }),
  }, { name: `nb01-${name}`, studies: ["non_robust_features"] });
  return { name, model, logits, seconds: r.seconds, cached: r.cached };
}
