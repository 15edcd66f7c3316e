/**
 * Shared fixtures for the attack tests: an affine classifier whose adversarial optima are
 * known in closed form, and a tensor-leak check.
 *
 * @module
 */

import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import type { ImageFn } from "../../lib/models/types.ts";

/** Selects the cpu backend once for a test file. */
export async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
}

/** An affine classifier logits = flatten(x) · W + b, with W given as columns per class. */
export function affine(columns: number[][], bias: number[]): ImageFn {
  const d = columns[0].length;
  const w = tf.tensor2d(columns.flat(), [columns.length, d]).transpose();
  const b = tf.tensor1d(bias);
  tf.keep(w);
  tf.keep(b);
  return (x) => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), w), b));
}

/** Runs `fn` and asserts it leaves no tensor behind (beyond `kept` it returns on purpose). */
export async function assertNoLeak(
  fn: () => unknown | Promise<unknown>,
  kept = 0,
): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  assert.equal(tf.memory().numTensors - before, kept, "tensors leaked");
}

/** Per-example L2 and L∞ norms of a − b, rows of a [B, ...] tensor. */
export function diffNorms(
  a: tf.Tensor,
  b: tf.Tensor,
): { l2: number[]; linf: number[] } {
  const rows = tf.tidy(() => tf.reshape(tf.sub(a, b), [a.shape[0], -1]).arraySync() as number[][]);
  return {
    l2: rows.map((r) => Math.hypot(...r)),
    linf: rows.map((r) => Math.max(...r.map(Math.abs))),
  };
}

/** Images [n, h, w, c] filled with uniform values in [lo, hi) from a seeded tfjs op. */
export function uniformImages(
  shape: [number, number, number, number],
  seed: number,
  lo = 0,
  hi = 1,
): tf.Tensor4D {
  return tf.randomUniform(shape, lo, hi, "float32", seed);
}
