/**
 * Representation inversion (Engstrom et al. 2019, "Adversarial robustness as a prior for
 * learned representations", §4.1): starting from a source image (another image or noise), find
 * an image whose representation matches a target's,
 *
 *   x' = argmin_x ‖R(x) − R(x_target)‖₂ / ‖R(x_target)‖₂,
 *
 * by L2-normalised gradient steps inside [0, 1], optionally within an L2 ball around the start
 * (the paper's Figure 4). For robust models the result looks like the target; for standard
 * models it stays close to the source. {@link fakeRelu} lets gradients reach units a ReLU has
 * switched off, which the paper uses for the representation layer.
 *
 * @module
 */

import { tf } from "../tf.ts";

import {
  type Norm,
  projectedGradient,
  representationDistance,
  type ThreatModel,
  unconstrained,
} from "../optimize/mod.ts";
import { checkImages } from "../checks/mod.ts";
import { fakeRelu } from "../models/fake_relu.ts";
import type { ImageFn } from "../models/types.ts";

const LAST_RELU: Record<
  "none" | "relu" | "fake",
  (t: tf.Tensor2D) => tf.Tensor2D
> = {
  none: (t) => t,
  relu: (t) => tf.relu(t),
  fake: (t) => fakeRelu(t),
};

/** Settings of {@link invertRepresentation}. */
export interface InversionOptions {
  /** Gradient steps. */
  steps: number;
  /** L2 length of each step. */
  stepSize: number;
  /** Where x may go: the box (default `unconstrained()`) or e.g. `l2(eps)` around the start. */
  threat?: ThreatModel;
  /**
   * When `representation` returns pre-activations: apply a ReLU ("relu") or a ReLU with an
   * identity gradient ("fake") before matching. Default "none" (use it as given).
   */
  lastRelu?: "none" | "relu" | "fake";
  /** Return the iterate with the smallest distance rather than the last (default true). */
  keepBest?: boolean;
}

/** What {@link invertRepresentation} found. */
export interface InversionResult {
  /** The inverted images [B, h, w, c]; the caller disposes them. */
  images: tf.Tensor4D;
  /** ‖R(images) − R(target)‖₂ / ‖R(target)‖₂ per example. */
  distance: Float32Array;
  /** Mean relative distance over the batch at every step 0..steps. */
  history: number[];
  config: {
    steps: number;
    stepSize: number;
    norm: Norm;
    eps: number;
    lastRelu: "none" | "relu" | "fake";
  };
}

/** The name under which inversion reads the representation it matches. */
const REPRESENTATION = "representation";

/**
 * Relative representation distance ‖R(x) − R(target)‖₂ / ‖R(target)‖₂ per example.
 *
 * @example
 * ```ts
 * const d = relativeDistance(features, candidates, targets); // Tensor1D [B]
 * ```
 */
export function relativeDistance(
  representation: ImageFn,
  x: tf.Tensor4D,
  target: tf.Tensor4D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const miss = representationDistance(REPRESENTATION, representation(target));
    return miss.value({ [REPRESENTATION]: representation(x) });
  });
}

/**
 * Inverts `representation` at `target` starting from `start` (same shape): minimises the
 * relative representation distance (lib/optimize's `representationDistance` objective) with the
 * one projected-gradient loop.
 *
 * @example
 * ```ts
 * const penultimate: ImageFn = (x) => features.apply(x) as tf.Tensor2D;
 * const { images, distance } = await invertRepresentation(penultimate, noise, targets, {
 *   steps: 200, stepSize: 0.1, lastRelu: "fake",
 * });
 * images.dispose();
 * ```
 */
export async function invertRepresentation(
  representation: ImageFn,
  start: tf.Tensor4D,
  target: tf.Tensor4D,
  opts: InversionOptions,
): Promise<InversionResult> {
  const where = "invertRepresentation";
  await checkImages(`${where} (start)`, start);
  await checkImages(`${where} (target)`, target);
  if (!tf.util.arraysEqual(start.shape, target.shape)) {
    throw new RangeError(
      `${where}: start [${start.shape}] and target [${target.shape}] must have the same ` +
        `shape; pass one start image per target`,
    );
  }
  const lastRelu = opts.lastRelu ?? "none";
  const finish = LAST_RELU[lastRelu];
  if (!finish) {
    throw new RangeError(
      `${where}: lastRelu must be "none", "relu" or "fake", got "${lastRelu}"`,
    );
  }
  const features: ImageFn = (x) => finish(representation(x));
  const goal = tf.tidy(() => features(target));
  if (goal.rank !== 2 || goal.shape[0] !== target.shape[0]) {
    const shape = goal.shape;
    goal.dispose();
    throw new RangeError(
      `${where}: the representation must map images [${target.shape}] to [${
        target.shape[0]
      }, features], got [${shape}]`,
    );
  }
  const goalNorm = tf.tidy(() => tf.norm(goal, "euclidean", 1));
  const zero = (await goalNorm.data()).findIndex((v) => v === 0);
  goalNorm.dispose();
  if (zero >= 0) {
    goal.dispose();
    throw new RangeError(
      `${where}: the target representation of example ${zero} is all zeros, so the relative ` +
        `distance is undefined; pick another target (or layer)`,
    );
  }
  const threat = opts.threat ?? unconstrained();
  try {
    const miss = representationDistance(REPRESENTATION, goal);
    const found = await projectedGradient(
      (x) => miss.value({ [REPRESENTATION]: features(x) }),
      start,
      {
        threat,
        steps: opts.steps,
        stepSize: opts.stepSize,
        direction: "minimize",
        keepBest: opts.keepBest ?? true,
      },
    );
    return {
      images: found.x,
      distance: found.value,
      history: found.history[0],
      config: {
        steps: opts.steps,
        stepSize: opts.stepSize,
        norm: threat.norm,
        eps: threat.eps,
        lastRelu,
      },
    };
  } finally {
    goal.dispose();
  }
}
