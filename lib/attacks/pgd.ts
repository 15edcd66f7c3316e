/**
 * Projected gradient descent attacks on a classifier (Madry et al. 2018), untargeted or
 * targeted, and FGSM as its one-step case. Both run {@link projectedGradient}; the norm comes
 * from the threat model.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/rng.ts";
import { type AttackLoss, crossEntropy } from "../optimize/losses.ts";
import { type ImageFn } from "../models/types.ts";
import {
  labelLoss,
  linf,
  LOGITS,
  type Norm,
  onInputs,
  projectedGradient,
  type ThreatModel,
  threatModel,
} from "../optimize/mod.ts";
import { checkClassIndices, checkImages, checkLogits, labelValues } from "../checks/mod.ts";

/** Settings of {@link pgd}. */
export interface PgdOptions {
  /** Where the adversary may move (e.g. `linf(0.1)`, `l2(1.5)`). */
  threat: ThreatModel;
  /** Gradient steps per run. */
  steps: number;
  /** Step length in the threat model's norm; default Madry et al.'s {@link madryStepSize}. */
  stepSize?: number;
  /** Per-example loss (default {@link crossEntropy}). */
  loss?: AttackLoss;
  /** Target classes; when given the attack is targeted (minimises the loss of the target). */
  targets?: tf.Tensor1D | ArrayLike<number>;
  /** Start each run at a uniformly random point of the threat set (default false). */
  randomStart?: boolean;
  /** Runs per example, keeping the best (default 1; > 1 needs randomStart). */
  restarts?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /** Return each run's best iterate by loss rather than its last (default true). */
  keepBest?: boolean;
}

/** Everything that defines an attack run, for tables and caches. */
export interface AttackConfig {
  attack: "pgd" | "fgsm";
  norm: Norm;
  eps: number;
  steps: number;
  stepSize: number;
  loss: string;
  targeted: boolean;
  randomStart: boolean;
  restarts: number;
  keepBest: boolean;
  /** The seed of the random starts. */
  seed: number;
}

/** What an attack found for a batch. */
export interface AttackResult {
  /** Adversarial images [B, h, w, c] inside the threat set; the caller disposes them. */
  adversarial: tf.Tensor4D;
  /** 1 where the attack succeeded: prediction ≠ label (untargeted) or = target (targeted). */
  success: Uint8Array;
  /** Loss at `adversarial` (of the label, or of the target when targeted), per example. */
  loss: Float32Array;
  /** Mean loss over the batch at every step, [run][step 0..steps]. */
  lossHistory: number[][];
  config: AttackConfig;
}

/**
 * The random-start settings of {@link pgd} for an optional seed: no random start when `seed` is
 * undefined, else a random start from the stream `label` of `seed` (one label per batch or model
 * keeps each run independent of the order they are done in).
 *
 * @example
 * ```ts
 * const { adversarial } = await pgd(model, x, y, {
 *   threat: l2(2), steps: 20, stepSize: 0.25, ...seededStart(seed, `batch-${i}`),
 * });
 * ```
 */
export function seededStart(
  seed: number | undefined,
  label: string,
): Required<Pick<PgdOptions, "randomStart" | "seed">> {
  return seed === undefined
    ? { randomStart: false, seed: 0 }
    : { randomStart: true, seed: new Rng(seed).fork(label).seed };
}

/**
 * `logitsFn` checking its output on its first call: the shape, then `checkClasses` with the
 * number of classes. The attack's first forward pass thus doubles as the input check instead
 * of a separate probe pass; label values are only checked there because the number of classes
 * is only known there.
 */
function checkedOnFirstPass(
  where: string,
  logitsFn: ImageFn,
  x: tf.Tensor4D,
  checkClasses: (classes: number) => void,
): ImageFn {
  let checked = false;
  return (xs) => {
    const logits = logitsFn(xs);
    if (!checked) {
      checkLogits(where, logits, x);
      checkClasses(logits.shape[1]);
      checked = true;
    }
    return logits;
  };
}

/**
 * Projected gradient attack on `logitsFn` at images `x` with true `labels`.
 *
 * Untargeted, it maximises the loss of the true label; with `targets`, it minimises the loss
 * of the target.
 *
 * @example
 * ```ts
 * const model: ImageFn = (x) => net.apply(x) as tf.Tensor2D;
 * const { adversarial, success } = await pgd(model, x, y, {
 *   threat: l2(1.5), steps: 20, stepSize: 0.2, randomStart: true, restarts: 2, seed: 0,
 * });
 * adversarial.dispose();
 * ```
 */
export async function pgd(
  logitsFn: ImageFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D | ArrayLike<number>,
  opts: PgdOptions,
): Promise<AttackResult> {
  return await runAttack("pgd", logitsFn, x, labels, opts);
}

/**
 * Madry et al.'s PGD step length, 2.5 · eps / steps: long enough to cross the threat set and
 * come back within the step budget.
 *
 * @example
 * ```ts
 * madryStepSize(l2(2), 10); // 0.5
 * ```
 */
export function madryStepSize(threat: ThreatModel, steps: number): number {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`pgd: steps must be a positive integer to derive a step, got ${steps}`);
  }
  if (!Number.isFinite(threat.eps)) {
    throw new RangeError(
      `pgd: a ${threat.norm} threat has no finite radius to derive a step from; give stepSize`,
    );
  }
  return (2.5 * threat.eps) / steps;
}

/** Settings of {@link fgsm}. */
export interface FgsmOptions {
  /** Radius (and step length). */
  eps: number;
  /** "linf" (default: the fast gradient sign method) or "l2" (fast gradient method). */
  norm?: "linf" | "l2";
  loss?: AttackLoss;
  targets?: tf.Tensor1D | ArrayLike<number>;
}

/**
 * Fast gradient sign method (Goodfellow et al. 2015): one step of length eps from x, no random
 * start; a PGD run with `steps: 1`.
 *
 * @example
 * ```ts
 * const { adversarial, success } = await fgsm(model, x, y, { eps: 0.1 });
 * adversarial.dispose();
 * ```
 */
export async function fgsm(
  logitsFn: ImageFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D | ArrayLike<number>,
  opts: FgsmOptions,
): Promise<AttackResult> {
  const threat = opts.norm ? threatModel(opts.norm, opts.eps) : linf(opts.eps);
  return await runAttack("fgsm", logitsFn, x, labels, {
    threat,
    steps: 1,
    stepSize: opts.eps,
    loss: opts.loss,
    targets: opts.targets,
    // FGSM returns the stepped point even if the step lowered the loss.
    keepBest: false,
  });
}

async function runAttack(
  attack: AttackConfig["attack"],
  logitsFn: ImageFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D | ArrayLike<number>,
  opts: PgdOptions,
): Promise<AttackResult> {
  await checkImages(attack, x);
  const batch = x.shape[0];
  const labelIndices = await labelValues(attack, "labels", labels, batch);
  const targetIndices = opts.targets === undefined
    ? undefined
    : await labelValues(attack, "targets", opts.targets, batch);
  const model = checkedOnFirstPass(attack, logitsFn, x, (classes) => {
    checkClassIndices(attack, "labels", labelIndices, classes);
    if (targetIndices) {
      checkClassIndices(attack, "targets", targetIndices, classes);
    }
  });
  const loss = opts.loss ?? crossEntropy;
  const targeted = targetIndices !== undefined;
  const y = tf.tensor1d(Int32Array.from(labelIndices), "int32");
  const aim = targetIndices ? tf.tensor1d(Int32Array.from(targetIndices), "int32") : y;
  const succeeded = (logits: tf.Tensor2D) =>
    tf.tidy(() => {
      const predicted = tf.argMax(logits, 1);
      return (targeted ? tf.equal(predicted, aim) : tf.notEqual(predicted, y)) as tf.Tensor1D;
    });
  const stepSize = opts.stepSize ?? madryStepSize(opts.threat, opts.steps);
  try {
    const objective = labelLoss(loss, aim);
    const found = await projectedGradient(onInputs(objective, model), x, {
      threat: opts.threat,
      steps: opts.steps,
      stepSize,
      direction: targeted ? "minimize" : "maximize",
      randomStart: opts.randomStart,
      restarts: opts.restarts,
      seed: opts.seed,
      keepBest: opts.keepBest,
      succeeded: (xs) => tf.tidy(() => succeeded(model(xs))),
      score: (xs) =>
        tf.tidy(() => {
          const logits = model(xs);
          return { value: objective.value({ [LOGITS]: logits }), success: succeeded(logits) };
        }),
    });
    return {
      adversarial: found.x,
      success: found.success!,
      loss: found.value,
      lossHistory: found.history,
      config: {
        attack,
        norm: opts.threat.norm,
        eps: opts.threat.eps,
        steps: opts.steps,
        stepSize,
        loss: loss.name || "custom",
        targeted,
        randomStart: opts.randomStart ?? false,
        restarts: opts.restarts ?? 1,
        keepBest: opts.keepBest ?? true,
        seed: opts.seed ?? 0,
      },
    };
  } finally {
    tf.dispose([y, aim]);
  }
}
