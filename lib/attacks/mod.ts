/**
 * Adversarial attacks on classifiers, run by lib/optimize's projected-gradient loop under its
 * threat models: PGD / FGSM / DeepFool, robust accuracy over an ε
 * sweep, and the PGD adversarial-training hook for the training loop.
 *
 * @example
 * ```ts
 * import { pgd, robustAccuracy } from "./mod.ts";
 * import { l2 } from "../optimize/mod.ts";
 * const model = (x: tf.Tensor4D) => net.apply(x) as tf.Tensor2D;
 * const { adversarial, success } = await pgd(model, x, y, {
 *   threat: l2(1.5), steps: 20, stepSize: 0.2, randomStart: true, seed: 0,
 * });
 * const sweep = await robustAccuracy(model, test, { norm: "linf", epsilons: [0, 0.1, 0.2] });
 * ```
 *
 * @module
 */

export {
  type AttackConfig,
  type AttackResult,
  fgsm,
  type FgsmOptions,
  madryStepSize,
  pgd,
  type PgdOptions,
  seededStart,
} from "./pgd.ts";
export { deepFool, type DeepFoolOptions, type DeepFoolResult } from "./deepfool.ts";
export {
  robustAccuracy,
  type RobustAccuracyOptions,
  type RobustAccuracyRecord,
} from "./evaluate.ts";
export { pgdTrainingHook, type PgdTrainingOptions } from "./adversarial_training.ts";
