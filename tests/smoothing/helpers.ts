/**
 * Fixtures for the smoothing tests: base classifiers whose behaviour under noise is known in
 * closed form.
 *
 * @module
 */

import { tf } from "../../lib/tf.ts";
import type { ImageFn } from "../../lib/models/mod.ts";
import { mlp } from "../../lib/models/mod.ts";

/** A classifier that ignores its input and always prefers `winner` of `classes`. */
export function constantModel(winner: number, classes = 10): ImageFn {
  const row = Array.from({ length: classes }, (_, c) => (c === winner ? 5 : 0));
  return (x) => tf.tidy(() => tf.tile(tf.tensor2d([row]), [x.shape[0], 1]));
}

/**
 * Two classes decided by the sign of w·(x − center) with w the all-ones direction: under
 * N(0, σ²I) noise at x, class 0 has probability Φ(w·(x − center) / (σ‖w‖)). At x = center the
 * vote splits evenly.
 */
export function halfSpaceModel(center: number): ImageFn {
  return (x) =>
    tf.tidy(() => {
      const s = tf.sum(tf.sub(tf.reshape(x, [x.shape[0], -1]), center), 1, true);
      return tf.concat([s, tf.neg(s)], 1) as tf.Tensor2D;
    });
}

/** A small smooth (tanh) network on 4×4×1 images with 3 classes. */
export function smoothNet(seed: number): ImageFn {
  const model = mlp({
    seed,
    inputShape: [4, 4, 1],
    widths: [12],
    activation: "tanh",
    numClasses: 3,
  });
  return (x) => model.apply(x) as tf.Tensor2D;
}
