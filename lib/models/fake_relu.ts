/**
 * The "fake ReLU" of Engstrom et al. 2019: a ReLU whose gradient is the identity, so inversion
 * and feature visualisation can move units a ReLU has switched off.
 *
 * @module
 */

import { tf } from "../tf.ts";

const fakeReluOp = tf.customGrad((...inputs) => ({
  value: tf.relu(inputs[0] as tf.Tensor),
  // The identity gradient: units below zero still tell the input which way to move.
  gradFunc: (dy: tf.Tensor) => dy,
}));

/**
 * ReLU forward, identity backward ("fake ReLU", Engstrom et al. 2019): max(x, 0) as value, but
 * the gradient passes through unchanged even where x < 0. Model builders can use it as the last
 * activation of a representation so inversion and feature visualisation do not stall on dead
 * units.
 *
 * @example
 * ```ts
 * const g = tf.grad((x) => fakeRelu(x).sum())(tf.tensor1d([-1, 2])); // [1, 1]
 * ```
 */
export function fakeRelu<T extends tf.Tensor>(x: T): T {
  return fakeReluOp(x) as T;
}
