/**
 * The one projected-gradient loop every attack and inversion runs. It knows nothing of norms
 * (the {@link ThreatModel} steps and projects), of classifiers (the objective is any
 * differentiable per-example function of the input), or of success (an optional predicate).
 *
 * Each run: start at x0 (or a random point of the set), then `steps` times move along the
 * threat model's steepest direction of the objective and project back. Runs are repeated
 * `restarts` times from fresh random starts, and every example keeps its best run: a run that
 * succeeded beats one that did not, then the better objective wins.
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { Rng } from "../random.ts";
import type { ThreatModel } from "./threat_model.ts";
import { checkImages, checkInteger, checkPositive, toRng } from "./validate.ts";

/** A differentiable per-example objective: images [B, h, w, c] to values [B]. */
export type Objective = (x: tf.Tensor4D) => tf.Tensor1D;

/** Settings of {@link projectedGradient}. */
export interface ProjectedGradientOptions {
  /** The set to search in and how to step in it. */
  threat: ThreatModel;
  /** Gradient steps per run (0 evaluates the start only). */
  steps: number;
  /** Length of each step in the threat model's norm. */
  stepSize: number;
  /** Whether the objective is maximised (default) or minimised. */
  direction?: "maximize" | "minimize";
  /** Start each run at a random point of the set instead of x0 (default false). */
  randomStart?: boolean;
  /** Number of runs, each example keeping its best (default 1; > 1 needs randomStart). */
  restarts?: number;
  /** Seed or generator for random starts (default seed 0). A generator is advanced. */
  rng?: Rng | number;
  /** Return each run's best iterate rather than its last (default true). */
  keepBest?: boolean;
  /** Per-example success (bool or 0/1 [B]) of a candidate; ranks runs before the objective. */
  succeeded?: (x: tf.Tensor4D) => tf.Tensor1D;
}

/** What {@link projectedGradient} found. */
export interface ProjectedGradientResult {
  /** The best point per example [B, h, w, c]; the caller disposes it. */
  x: tf.Tensor4D;
  /** Objective at `x`, per example. */
  value: Float32Array;
  /** `succeeded(x)` per example (1/0), when a predicate was given. */
  success?: Uint8Array;
  /** Mean objective over the batch at every iterate, [run][step 0..steps]. */
  history: number[][];
}

interface Candidate {
  x: tf.Tensor4D;
  value: tf.Tensor1D;
  success?: tf.Tensor1D;
}

/** Per-example mask [B] where `a` beats `b`: success first, then the objective. */
function beats(
  a: Candidate,
  b: Candidate,
  sign: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const better = tf.greater(tf.mul(a.value, sign), tf.mul(b.value, sign));
    if (!a.success || !b.success) return better as tf.Tensor1D;
    const sa = tf.cast(a.success, "float32");
    const sb = tf.cast(b.success, "float32");
    return tf.logicalOr(
      tf.greater(sa, sb),
      tf.logicalAnd(tf.equal(sa, sb), better),
    ) as tf.Tensor1D;
  });
}

/** Per example, `a` where it beats `b`, else `b`. Disposes both inputs. */
function pick(a: Candidate, b: Candidate, sign: number): Candidate {
  const out = tf.tidy(() => {
    const mask = beats(a, b, sign);
    const [n] = mask.shape;
    const mask4 = tf.reshape(mask, [n, 1, 1, 1]);
    return {
      x: tf.where(tf.broadcastTo(mask4, a.x.shape), a.x, b.x) as tf.Tensor4D,
      value: tf.where(mask, a.value, b.value) as tf.Tensor1D,
      success: a.success && b.success
        ? tf.where(mask, a.success, b.success) as tf.Tensor1D
        : undefined,
    };
  });
  disposeCandidate(a);
  disposeCandidate(b);
  return out;
}

function disposeCandidate(c: Candidate): void {
  tf.dispose([c.x, c.value, ...(c.success ? [c.success] : [])]);
}

function evaluate(objective: Objective, x: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => objective(x));
}

/**
 * Projected gradient ascent (or descent) of `objective` from `x0` inside `opts.threat`.
 *
 * @example
 * ```ts
 * // Push every pixel's mean up inside an L2 ball of radius 1.
 * const { x, value, history } = await projectedGradient(
 *   (x) => x.mean([1, 2, 3]) as tf.Tensor1D,
 *   x0,
 *   { threat: l2(1), steps: 10, stepSize: 0.25 },
 * );
 * x.dispose();
 * ```
 */
export async function projectedGradient(
  objective: Objective,
  x0: tf.Tensor4D,
  opts: ProjectedGradientOptions,
): Promise<ProjectedGradientResult> {
  const where = "projectedGradient";
  await checkImages(where, x0);
  checkInteger(where, "steps", opts.steps, 0);
  checkPositive(where, "stepSize", opts.stepSize);
  const restarts = opts.restarts ?? 1;
  checkInteger(where, "restarts", restarts, 1);
  if (restarts > 1 && !opts.randomStart) {
    throw new RangeError(
      `${where}: restarts = ${restarts} without randomStart repeats the same run; ` +
        `set randomStart: true or restarts: 1`,
    );
  }
  const sign = (opts.direction ?? "maximize") === "maximize" ? 1 : -1;
  const keepBest = opts.keepBest ?? true;
  const rng = toRng(opts.rng ?? 0);
  const { threat, steps, stepSize } = opts;
  const valueAndGrad = tf.valueAndGrad(objective);

  let best: Candidate | undefined;
  const history: number[][] = [];
  for (let run = 0; run < restarts; run++) {
    let x = opts.randomStart ? threat.randomStart(x0, rng) : tf.clone(x0);
    let runBest: Candidate | undefined;
    const means: tf.Scalar[] = [];
    for (let t = 0; t <= steps; t++) {
      const last = t === steps;
      const { value, next } = tf.tidy(() => {
        if (last) return { value: evaluate(objective, x), next: undefined };
        const { value, grad } = valueAndGrad(x);
        const moved = threat.step(
          x,
          tf.mul(grad, sign) as tf.Tensor4D,
          stepSize,
        );
        return { value: value as tf.Tensor1D, next: threat.project(moved, x0) };
      });
      means.push(tf.tidy(() => tf.mean(value)));
      const here = { x, value };
      if (!keepBest) {
        if (last) runBest = here;
        else disposeCandidate(here);
      } else {
        runBest = runBest ? pick(runBest, here, sign) : here;
        // pick() takes ownership of both; a first candidate is kept as is.
      }
      if (next) x = next;
    }
    const stacked = tf.stack(means);
    history.push(Array.from(await stacked.data()));
    tf.dispose([stacked, ...means]);
    const candidate = runBest!;
    if (opts.succeeded) {
      candidate.success = tf.tidy(() =>
        tf.cast(opts.succeeded!(candidate.x), "float32")
      );
    }
    best = best ? pick(best, candidate, sign) : candidate;
  }
  const result = best!;
  const value = Float32Array.from(await result.value.data());
  const success = result.success
    ? Uint8Array.from(await result.success.data())
    : undefined;
  tf.dispose([result.value, ...(result.success ? [result.success] : [])]);
  return { x: result.x, value, success, history };
}
