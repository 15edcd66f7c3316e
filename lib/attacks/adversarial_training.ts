/**
 * Adversarial training (Madry et al. 2018, PGD-AT) as a per-batch hook for the training loop:
 * before each gradient step the batch's images are replaced by PGD adversarial examples of the
 * current model, so the loop minimises the loss at the worst point of each threat set.
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { BatchHook } from "../train/loop.ts";
import type { ImageFn } from "../models/types.ts";
import { madryStepSize, pgd, type PgdOptions } from "./pgd.ts";
import type { ThreatModel } from "../optimize/mod.ts";

/** PGD settings of {@link pgdTrainingHook} (the threat model and random starts are given apart). */
export type PgdTrainingOptions = Omit<PgdOptions, "threat" | "targets" | "seed">;

/**
 * A training-loop hook that swaps each batch's images for PGD adversarial examples of
 * `logitsFn` (the model being trained, evaluated as it is at that step). Random starts, on by
 * default as in Madry et al., draw from the step's seed `ctx.seed`. The loop disposes both the batch
 * it passed and the one returned.
 *
 * @example
 * ```ts
 * const beforeStep = pgdTrainingHook(
 *   (x) => model.apply(x) as tf.Tensor2D,
 *   l2(1.5),
 *   { steps: 7, stepSize: 0.5 },
 * );
 * await fit(model, train, { epochs: 5, batchSize: 128, optimizer, seed: 0, beforeStep });
 * ```
 */
export function pgdTrainingHook(
  logitsFn: ImageFn,
  threat: ThreatModel,
  opts: PgdTrainingOptions,
): BatchHook & { config: Record<string, unknown> } {
  const stepSize = opts.stepSize ?? madryStepSize(threat, opts.steps);
  const hook: BatchHook = async ({ x, y }, ctx) => {
    const { adversarial } = await pgd(logitsFn, x, y, {
      randomStart: true,
      ...opts,
      stepSize,
      threat,
      seed: ctx.seed,
    });
    return { x: adversarial, y: tf.clone(y) };
  };
  // What the model cache keys on: everything that changes the adversarial batches.
  return Object.assign(hook, {
    config: {
      kind: "pgd-training",
      norm: threat.norm,
      eps: threat.eps,
      randomStart: true,
      ...opts,
      stepSize,
    },
  });
}
