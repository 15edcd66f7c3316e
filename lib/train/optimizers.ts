/**
 * Optimizers as data: a small spec object names the optimizer and its hyper-parameters, so a
 * training configuration can be hashed for the model cache and shown in a report.
 *
 * @module
 */

import { tf } from "../tf.ts";

/** An optimizer and its hyper-parameters. */
export type OptimizerSpec =
  | { name: "sgd"; lr: number }
  | { name: "momentum"; lr: number; momentum?: number; nesterov?: boolean }
  | {
    name: "adam";
    lr: number;
    beta1?: number;
    beta2?: number;
    epsilon?: number;
  };

/**
 * Builds the tfjs optimizer for a spec. Defaults: momentum 0.9; Adam β=(0.9, 0.999), ε=1e-7
 * (tfjs's default, which is Keras's).
 *
 * @example
 * ```ts
 * const opt = makeOptimizer({ name: "adam", lr: 1e-3 });
 * ```
 */
export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (!(spec.lr > 0) || !Number.isFinite(spec.lr)) {
    throw new Error(
      `optimizer "${spec.name}": lr must be a positive number, got ${spec.lr}`,
    );
  }
  switch (spec.name) {
    case "sgd":
      return tf.train.sgd(spec.lr);
    case "momentum":
      return tf.train.momentum(
        spec.lr,
        spec.momentum ?? 0.9,
        spec.nesterov ?? false,
      );
    case "adam":
      return tf.train.adam(
        spec.lr,
        spec.beta1 ?? 0.9,
        spec.beta2 ?? 0.999,
        spec.epsilon,
      );
    default: {
      const name = (spec as { name: string }).name;
      throw new Error(`unknown optimizer "${name}"; use sgd, momentum or adam`);
    }
  }
}

/**
 * Changes an optimizer's learning rate in place (what a schedule does every step).
 *
 * tfjs's SGD and momentum optimizers cache the rate in a scalar that `setLearningRate`
 * rebuilds; Adam reads its `learningRate` field on every update.
 *
 * @example
 * ```ts
 * setLearningRate(opt, 0.01);
 * ```
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const target = optimizer as unknown as {
    learningRate: number;
    setLearningRate?: (lr: number) => void;
  };
  if (target.learningRate === lr) return;
  if (typeof target.setLearningRate === "function") target.setLearningRate(lr);
  else target.learningRate = lr;
}
