/**
 * The models notebook 03 compares, each trained once and cached (`cachedFit`): the reference
 * CNN trained normally, on Gaussian-noised copies of its batches (Cohen et al. 2019's base
 * classifiers), or on PGD adversarial examples (Madry et al. 2018); and a judge, an
 * adversarially trained CNN of another architecture and seed that scores what the attacks draw.
 *
 * @module
 */

import { tf } from "../../tf.ts";
import { cnn, referenceCnn } from "../../models/builders.ts";
import type { Model } from "../../models/types.ts";
import type { Dataset } from "../../data/dataset.ts";
import { cachedFit } from "../../train/model_cache.ts";
import type { BatchHook } from "../../train/loop.ts";
import { evaluate } from "../../train/evaluate.ts";
import { l2 } from "../../optimize/mod.ts";
import { pgdTrainingHook } from "../../attacks/mod.ts";
import { gaussianNoiseHook } from "../../smoothing/mod.ts";

/** How a model is trained. */
export type Recipe =
  | { kind: "standard" }
  | { kind: "noise"; sigma: number }
  | { kind: "adversarial"; eps: number; steps: number };

/** The two architectures: lenses' reference CNN, and the judge's strided CNN without pooling. */
export type Architecture = "reference" | "judge";

/** Settings shared by every model of the zoo. */
export interface ZooOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  /** Adam's learning rate. */
  lr: number;
  /** Default "reference". */
  architecture?: Architecture;
}

/** A trained model of the zoo. */
export interface ZooModel {
  name: string;
  recipe: Recipe;
  model: Model;
  /** Whether the weights came from the model cache. */
  cached: boolean;
  /** Training time of the run that produced the weights. */
  seconds: number;
  /** Clean accuracy on the evaluation set. */
  accuracy: number;
}

function build(architecture: Architecture, seed: number): Model {
  return architecture === "reference" ? referenceCnn({ seed }) : cnn({
    seed,
    inputShape: [28, 28, 1],
    convs: [{ filters: 16, kernel: 5, stride: 2 }, { filters: 32, kernel: 5, stride: 2 }],
    dense: [64],
  });
}

function hookFor(recipe: Recipe, model: Model): BatchHook | undefined {
  switch (recipe.kind) {
    case "standard":
      return undefined;
    case "noise":
      return gaussianNoiseHook(recipe.sigma);
    case "adversarial":
      // Madry et al.'s step size, 2.5·ε/steps, with random starts (the hook's defaults).
      return pgdTrainingHook((x) => model.apply(x) as tf.Tensor2D, l2(recipe.eps), {
        steps: recipe.steps,
      });
  }
}

/**
 * Trains (or loads from the model cache) one model of the zoo and measures its clean accuracy
 * on `test`.
 *
 * @example
 * ```ts
 * const noisy = await trainZooModel("noise-0.5", train, test, { kind: "noise", sigma: 0.5 },
 *   { seed: 0, epochs: 3, batchSize: 128, lr: 1e-3 });
 * ```
 */
export async function trainZooModel(
  name: string,
  train: Dataset,
  test: Dataset,
  recipe: Recipe,
  opts: ZooOptions,
): Promise<ZooModel> {
  const architecture = opts.architecture ?? "reference";
  const model = build(architecture, opts.seed);
  const beforeStep = hookFor(recipe, model);
  const fitted = await cachedFit(model, train, {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    seed: opts.seed,
    optimizer: { name: "adam", lr: opts.lr },
    ...(beforeStep ? { beforeStep } : {}),
    label: name,
  }, { name: `nb03-${architecture}-${name}`, studies: [] });
  const { accuracy } = await evaluate(model, test);
  return { name, recipe, model, cached: fitted.cached, seconds: fitted.seconds, accuracy };
}
