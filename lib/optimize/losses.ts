/**
 * Models and losses as training, evaluation and attacks see them. A model is a function from
 * images to logits, so a tfjs-layers model (`(x) => model.apply(x) as tf.Tensor2D`) and a
 * hand-written function work alike. A loss maps (logits, labels) to one value per example; both
 * losses here are large when `labels` is NOT predicted, so training minimises them, an
 * untargeted attack maximises the loss of the true label and a targeted attack minimises the
 * loss of the target.
 *
 * @module
 */

import { tf } from "../tf.ts";

/** A per-example loss [B] of logits [B, C] and integer labels [B]. */
export type AttackLoss = (
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
) => tf.Tensor1D;

/**
 * Softmax cross-entropy of `labels`, per example: logsumexp(z) − z_label.
 *
 * @example
 * ```ts
 * const ce = crossEntropy(tf.tensor2d([[2, 0]]), tf.tensor1d([1], "int32")); // [2.127]
 * ```
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, "int32"), logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), 1));
  });
}

/**
 * Carlini-Wagner margin, per example: max_{j ≠ label} z_j − z_label. Positive exactly when the
 * model does not predict `labels`.
 *
 * @example
 * ```ts
 * const m = margin(tf.tensor2d([[2, 0, 1]]), tf.tensor1d([0], "int32")); // [-1]
 * ```
 */
export function margin(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, "int32"), logits.shape[1]);
    const own = tf.sum(tf.mul(logits, oneHot), 1);
    const others = tf.max(
      tf.where(
        tf.cast(oneHot, "bool"),
        tf.fill(logits.shape, -Infinity),
        logits,
      ),
      1,
    );
    return tf.sub(others, own);
  });
}
