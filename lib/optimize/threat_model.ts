/**
 * Threat models: the set an adversary may move an input within, as a small object the attack
 * loop calls without knowing which norm it holds (the style of MadryLab/robustness
 * `attack_steps.py`). Every set is intersected with the image box [0, 1].
 *
 * - {@link linf}: ‖x − x0‖∞ ≤ eps, steps along sign(∇).
 * - {@link l2}: ‖x − x0‖₂ ≤ eps, steps along ∇ / ‖∇‖₂.
 * - {@link unconstrained}: anywhere in the box, steps along ∇ / ‖∇‖₂.
 *
 * All norms are per example: a batch [B, h, w, c] is B independent problems.
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { Rng } from "../random/rng.ts";

/** Names of the threat models, usable as data (tables, configs, {@link threatModel}). */
export type Norm = "linf" | "l2" | "none";

/** A set of allowed inputs around a clean input x0, and how to move inside it. */
export interface ThreatModel {
  /** Which norm bounds the perturbation ("none": only the box). */
  readonly norm: Norm;
  /** Radius of the ball; Infinity for {@link unconstrained}. */
  readonly eps: number;
  /** The point of the set nearest to `x` (ball around `x0`, then the box). A new tensor. */
  project(x: tf.Tensor4D, x0: tf.Tensor4D): tf.Tensor4D;
  /**
   * `x` moved by `stepSize` along the steepest-ascent direction of `grad` for this norm (not
   * projected). A new tensor.
   */
  step(x: tf.Tensor4D, grad: tf.Tensor4D, stepSize: number): tf.Tensor4D;
  /** A random point of the set around `x0`, drawn from `rng`. A new tensor. */
  randomStart(x0: tf.Tensor4D, rng: Rng): tf.Tensor4D;
}

/** Per-example L2 norm of a batch, shaped [B, 1, 1, 1] so it broadcasts back over the batch. */
export function exampleNorms(t: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const b = t.shape[0];
    return tf.norm(tf.reshape(t, [b, -1]), "euclidean", 1).reshape([
      b,
      1,
      1,
      1,
    ]) as tf.Tensor4D;
  });
}

function checkEps(name: string, eps: number): void {
  if (!(Number.isFinite(eps) && eps >= 0)) {
    throw new RangeError(
      `${name} threat model: eps must be a finite number >= 0, got ${eps}`,
    );
  }
}

function randomArray(
  n: number,
  draw: () => number,
): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

/** `x` clipped to the image box [0, 1]. */
function clipToBox(x: tf.Tensor4D): tf.Tensor4D {
  return tf.clipByValue(x, 0, 1);
}

/** x + stepSize · ∇/‖∇‖₂ per example; a zero gradient gives a zero step. */
function normalizedStep(
  x: tf.Tensor4D,
  grad: tf.Tensor4D,
  stepSize: number,
): tf.Tensor4D {
  return tf.tidy(() => tf.add(x, tf.mul(tf.divNoNan(grad, exampleNorms(grad)), stepSize)));
}

/**
 * The L∞ ball of radius `eps` inside the box.
 *
 * @example
 * ```ts
 * const threat = linf(8 / 255);
 * const xAdv = threat.project(threat.step(x, grad, 2 / 255), x);
 * ```
 */
export function linf(eps: number): ThreatModel {
  checkEps("linf", eps);
  return {
    norm: "linf",
    eps,
    project: (x, x0) =>
      tf.tidy(() =>
        tf.minimum(
          tf.maximum(x, tf.maximum(tf.sub(x0, eps), 0)),
          tf.minimum(tf.add(x0, eps), 1),
        )
      ),
    step: (x, grad, stepSize) => tf.tidy(() => tf.add(x, tf.mul(tf.sign(grad), stepSize))),
    randomStart: (x0, rng) =>
      tf.tidy(() => {
        const noise = randomArray(
          x0.size,
          () => (2 * rng.uniform() - 1) * eps,
        );
        return clipToBox(tf.add(x0, tf.tensor(noise, x0.shape)));
      }),
  };
}

/**
 * The L2 ball of radius `eps` inside the box. The projection scales the perturbation back to
 * the sphere, then clips to the box; clipping only moves coordinates towards x0 (which lies in
 * the box), so the result stays in the ball.
 *
 * @example
 * ```ts
 * const threat = l2(0.5);
 * const start = threat.randomStart(x, new Rng(0));
 * ```
 */
export function l2(eps: number): ThreatModel {
  checkEps("l2", eps);
  return {
    norm: "l2",
    eps,
    project: (x, x0) =>
      tf.tidy(() => {
        const delta = tf.sub(x, x0) as tf.Tensor4D;
        const scale = tf.minimum(
          1,
          tf.divNoNan(tf.scalar(eps), exampleNorms(delta)),
        );
        return clipToBox(tf.add(x0, tf.mul(delta, scale)));
      }),
    step: normalizedStep,
    randomStart: (x0, rng) =>
      tf.tidy(() => {
        // Uniform in the ball: a Gaussian direction and radius eps · u^(1/d).
        const [b] = x0.shape;
        const d = x0.size / b;
        const direction = tf.tensor(
          randomArray(x0.size, () => rng.normal()),
          x0.shape,
        ) as tf.Tensor4D;
        const radius = tf.tensor(
          randomArray(b, () => eps * rng.uniform() ** (1 / d)),
          [b, 1, 1, 1],
        );
        const delta = tf.mul(
          tf.divNoNan(direction, exampleNorms(direction)),
          radius,
        );
        return clipToBox(tf.add(x0, delta));
      }),
  };
}

/**
 * No norm bound, only the box; steps are L2-normalised gradients. Its random start is uniform
 * noise over the whole box (the set it allows), independent of x0.
 *
 * @example
 * ```ts
 * const threat = unconstrained();
 * const x1 = threat.project(threat.step(x, grad, 0.1), x); // only clipped to [0, 1]
 * ```
 */
export function unconstrained(): ThreatModel {
  return {
    norm: "none",
    eps: Infinity,
    project: (x) => clipToBox(x),
    step: normalizedStep,
    randomStart: (x0, rng) => tf.tensor(randomArray(x0.size, () => rng.uniform()), x0.shape),
  };
}

const BUILDERS: Record<Norm, (eps: number) => ThreatModel> = {
  linf,
  l2,
  none: () => unconstrained(),
};

/**
 * The threat model named by `norm` with radius `eps` (ignored for "none"), for code that
 * holds norms as data, e.g. an ε sweep over a table of settings.
 *
 * @example
 * ```ts
 * const models = (["linf", "l2"] as const).map((n) => threatModel(n, 0.1));
 * ```
 */
export function threatModel(norm: Norm, eps: number): ThreatModel {
  const build = BUILDERS[norm];
  if (!build) {
    throw new RangeError(
      `threatModel: unknown norm "${norm}"; use one of ${Object.keys(BUILDERS).join(", ")}`,
    );
  }
  return build(eps);
}

/**
 * Random noise that reaches the threat set's full radius inside the box: per example a
 * Gaussian direction d, scaled so that ‖clip(x0 + s·d, 0, 1) − x0‖ = eps in the threat model's
 * norm (L2: s found by bisection, since clipping removes part of the norm and the more so on
 * images with many saturated pixels, such as MNIST's black background; L∞: ±eps per pixel).
 * The baseline an attack of radius eps is compared with: noise drawn uniformly in the ball and
 * then clipped is on average far shorter than the attack. Where the box does not allow eps in
 * direction d, the point returned is as far as it allows.
 *
 * @example
 * ```ts
 * const noisy = noiseAtRadius(l2(2), x, new Rng(0));
 * exampleNorms(tf.sub(noisy, x)); // 2 for every example (up to float error)
 * ```
 */
export function noiseAtRadius(threat: ThreatModel, x0: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  if (threat.norm === "none") {
    throw new RangeError(
      "noiseAtRadius: the unconstrained threat model has no radius; use linf(eps) or l2(eps)",
    );
  }
  const eps = threat.eps;
  return tf.tidy(() => {
    const [b] = x0.shape;
    const direction = tf.tensor(randomArray(x0.size, () => rng.normal()), x0.shape);
    if (threat.norm === "linf") return clipToBox(tf.add(x0, tf.mul(tf.sign(direction), eps)));
    const unit = tf.divNoNan(direction, exampleNorms(direction as tf.Tensor4D));
    const reached = (scale: tf.Tensor) =>
      exampleNorms(tf.sub(clipToBox(tf.add(x0, tf.mul(unit, scale)) as tf.Tensor4D), x0));
    // The reached norm grows with the scale (clipping only shortens): bracket eps between eps
    // and a scale that pushes nearly every pixel to the box's edge, then bisect.
    let lo = tf.fill([b, 1, 1, 1], eps);
    let hi = tf.fill([b, 1, 1, 1], eps + 1000 * Math.sqrt(x0.size / b));
    for (let i = 0; i < 60; i++) {
      // Each step's batch-sized intermediates are freed at once, not at the end of 60 steps.
      const [nextLo, nextHi] = tf.tidy(() => {
        const mid = tf.div(tf.add(lo, hi), 2);
        const short = tf.less(reached(mid), eps);
        return [tf.where(short, mid, lo), tf.where(short, hi, mid)];
      });
      tf.dispose([lo, hi]);
      [lo, hi] = [nextLo, nextHi];
    }
    return clipToBox(tf.add(x0, tf.mul(unit, hi)) as tf.Tensor4D);
  });
}
