/**
 * Adversarial training (Madry et al. 2018, PGD-AT) as a per-batch hook for the training loop:
 * before each gradient step the batch's images are replaced by PGD adversarial examples of the
 * current model, so the loop minimises the loss at the worst point of each threat set.
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { Rng } from "../random.ts";
import type { LogitsFn } from "./losses.ts";
import { pgd, type PgdOptions } from "./pgd.ts";
import type { ThreatModel } from "./threat_model.ts";

/** A training batch as the loop hands it to a hook. */
export interface TrainingBatch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

/** Where the loop is when it calls a hook. */
export interface TrainingContext {
  epoch: number;
  step: number;
  /** The loop's seeded generator for this step. */
  rng: Rng;
}

/**
 * A training-loop hook: returns the batch to train on. The loop disposes both the batch it
 * passed and the one returned.
 */
export type BatchHook = (
  batch: TrainingBatch,
  ctx: TrainingContext,
) => TrainingBatch;

/** PGD settings of {@link pgdTrainingHook} (the threat model and random starts are given apart). */
export type PgdTrainingOptions = Omit<PgdOptions, "threat" | "targets" | "rng">;

/**
 * A {@link BatchHook} that swaps each batch's images for PGD adversarial examples of
 * `logitsFn` (the model being trained, evaluated as it is at that step). Random starts, on by
 * default as in Madry et al., draw from the loop's `ctx.rng`.
 *
 * @example
 * ```ts
 * const onBatch = pgdTrainingHook(
 *   (x) => model.apply(x) as tf.Tensor2D,
 *   l2(1.5),
 *   { steps: 7, stepSize: 0.5 },
 * );
 * // train(model, data, { epochs: 5, onBatch });
 * ```
 */
export function pgdTrainingHook(
  logitsFn: LogitsFn,
  threat: ThreatModel,
  opts: PgdTrainingOptions,
): BatchHook {
  return ({ x, y }, ctx) => {
    const { adversarial } = pgd(logitsFn, x, y, {
      randomStart: true,
      ...opts,
      threat,
      rng: ctx.rng,
    });
    return { x: adversarial, y: tf.clone(y) };
  };
}
