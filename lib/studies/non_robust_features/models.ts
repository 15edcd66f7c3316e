/**
 * The models of notebook 01: the architectures it compares (a 784-256-128-10 MLP, the
 * reference CNN, a linear classifier and a small strided CNN) and one way to train any of them
 * on any data set, through the model cache, with optional PGD adversarial training.
 *
 * @module
 */

import type { Dataset } from "../../data/dataset.ts";
import { cnn, mlp, referenceCnn } from "../../models/builders.ts";
import { asImageFn, type ImageFn, type Model } from "../../models/types.ts";
import { cachedFit } from "../../train/model_cache.ts";
import { pgdTrainingHook } from "../../attacks/adversarial_training.ts";
import type { ThreatModel } from "../../optimize/mod.ts";

/** The notebook's architectures. */
export type Arch = "mlp" | "cnn" | "linear" | "small-cnn";

/** Every architecture, and how the notebook names it. */
export const ARCHS: Readonly<Record<Arch, string>> = {
  mlp: "MLP 256-128",
  cnn: "reference CNN",
  linear: "linear",
  "small-cnn": "small CNN",
};

/**
 * A fresh model of architecture `arch` on 28×28×1 images: the MLP with hidden widths 256 and
 * 128, the reference CNN (conv32-pool-conv64-pool-fc128), a linear classifier (softmax
 * regression), or a small CNN (two strided convolutions of 8 and 16 filters, fc32).
 *
 * @example
 * ```ts
 * const model = buildModel("mlp", 0);
 * ```
 */
export function buildModel(arch: Arch, seed: number): Model {
  const inputShape = [28, 28, 1] as const;
  switch (arch) {
    case "mlp":
      return mlp({ seed, inputShape, widths: [256, 128] });
    case "cnn":
      return referenceCnn({ seed });
    case "linear":
      return mlp({ seed, inputShape, widths: [] });
    case "small-cnn":
      return cnn({
        seed,
        inputShape,
        convs: [{ filters: 8, stride: 2 }, { filters: 16, stride: 2 }],
        dense: [32],
      });
    default:
      throw new RangeError(
        `buildModel: unknown architecture "${arch}"; use one of ${Object.keys(ARCHS).join(", ")}`,
      );
  }
}

/** Settings of {@link trainModel}. */
export interface TrainModelOptions {
  arch: Arch;
  /** Seeds the initial weights, the batch order and the adversarial starts. */
  seed: number;
  epochs: number;
  /** PGD adversarial training (Madry et al.) at this threat set, with random starts. */
  adversarial?: { threat: ThreatModel; steps: number; stepSize?: number };
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
  const logits = asImageFn(model);
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
