/**
 * The model zoo of notebook 04: several seeds of an MLP and of a CNN at two widths, and an
 * adversarially trained CNN, all on one MNIST task. A member is named by what decides its
 * weights — architecture, width, the seed of its initial weights, the seed of its batch order,
 * adversarial training or not — so "same initialisation, different data order" is a member
 * like any other. Training goes through the model cache (`cachedFit`), so a rerun of the
 * notebook loads the zoo instead of training it.
 *
 * @module
 */

import type { Dataset } from "../../data/mod.ts";
import { asImageFn, cnn, mlp, type Model } from "../../models/mod.ts";
import { cachedFit, type CachedFitResult } from "../../train/mod.ts";
import { pgdTrainingHook } from "../../attacks/mod.ts";
import { l2 } from "../../optimize/mod.ts";

/** The two architecture families. */
export type Arch = "mlp" | "cnn";

/** L2 PGD adversarial training (Madry et al. 2018) of a member. */
export interface AdversarialTraining {
  /** L2 radius of the threat set. */
  eps: number;
  /** PGD steps per batch. */
  steps: number;
}

/** Everything that decides a zoo member's weights. */
export interface MemberSpec {
  arch: Arch;
  /** MLP: the first hidden width (then half, then a quarter); CNN: the first conv's filters. */
  width: number;
  /** Seed of the initial weights. */
  initSeed: number;
  /** Seed of the batch order (and of the adversarial starts). */
  orderSeed: number;
  /** Adversarial training, or standard training when absent. */
  adversarial?: AdversarialTraining;
}

/** Training settings shared by the zoo. */
export interface ZooTraining {
  epochs: number;
  batchSize: number;
  lr: number;
}

/**
 * A short display name: "MLP-128 i0", "CNN-8 i1", "CNN-8 i0/o1" (initialisation 0, data order
 * 1), "AT CNN-8 i0" (adversarially trained).
 *
 * @example
 * ```ts
 * memberName({ arch: "cnn", width: 8, initSeed: 0, orderSeed: 1 }); // "CNN-8 i0/o1"
 * ```
 */
export function memberName(spec: MemberSpec): string {
  const order = spec.orderSeed === spec.initSeed ? "" : `/o${spec.orderSeed}`;
  return `${spec.adversarial ? "AT " : ""}${spec.arch.toUpperCase()}-${spec.width} ` +
    `i${spec.initSeed}${order}`;
}

/**
 * The member's network with its initial weights (an untrained control is exactly this).
 * MLP: widths [w, w/2, w/4]; CNN: conv w → pool → conv 2w → pool → conv 2w → fc 8w, ReLU.
 *
 * @example
 * ```ts
 * const model = buildMember({ arch: "cnn", width: 8, initSeed: 0, orderSeed: 0 });
 * ```
 */
export function buildMember(spec: MemberSpec): Model {
  const w = spec.width;
  if (!Number.isInteger(w) || w < 4 || w % 4 !== 0) {
    throw new RangeError(`buildMember: width must be a multiple of 4 (≥ 4), got ${w}`);
  }
  if (spec.arch === "mlp") {
    return mlp({ seed: spec.initSeed, inputShape: [28, 28, 1], widths: [w, w / 2, w / 4] });
  }
  return cnn({
    seed: spec.initSeed,
    inputShape: [28, 28, 1],
    convs: [{ filters: w, pool: 2 }, { filters: 2 * w, pool: 2 }, { filters: 2 * w }],
    dense: [8 * w],
  });
}

/**
 * The layers compared between members, input to output, logits excluded (as in Kornblith et
 * al.'s identification test): an MLP's three hidden layers, a CNN's three convolutions and its
 * hidden dense layer.
 *
 * @example
 * ```ts
 * comparedLayers("cnn"); // ["conv1", "conv2", "conv3", "fc1"]
 * ```
 */
export function comparedLayers(arch: Arch): string[] {
  return arch === "mlp" ? ["dense1", "dense2", "dense3"] : ["conv1", "conv2", "conv3", "fc1"];
}

/**
 * Trains a member on `data` with Adam (or loads it from the model cache: the key is the
 * initial weights, the data and every training option, adversarial hook included).
 *
 * @example
 * ```ts
 * const { model, result } = await trainMember(spec, train, { epochs: 2, batchSize: 64, lr: 2e-3 });
 * ```
 */
export async function trainMember(
  spec: MemberSpec,
  data: Dataset,
  training: ZooTraining,
): Promise<{ model: Model; result: CachedFitResult }> {
  const model = buildMember(spec);
  const logits = asImageFn(model);
  const beforeStep = spec.adversarial
    ? pgdTrainingHook(logits, l2(spec.adversarial.eps), { steps: spec.adversarial.steps })
    : undefined;
  const result = await cachedFit(model, data, {
    epochs: training.epochs,
    batchSize: training.batchSize,
    seed: spec.orderSeed,
    optimizer: { name: "adam", lr: training.lr },
    ...(beforeStep ? { beforeStep } : {}),
    label: memberName(spec),
  }, { name: `nb04-${spec.arch}${spec.width}`, studies: ["universality"] });
  return { model, result };
}
