/**
 * The one projected-gradient loop every attack and inversion runs. It knows nothing of norms
 * (the {@link ThreatModel} steps and projects), of classifiers (the objective is any
 * differentiable per-example function of the input, usually an `Objective` of lib/optimize's
 * vocabulary bound to a model by `onInputs`), or of success (an optional predicate).
 *
 * Each run: start at x0 (or a random point of the set), then `steps` times move along the
 * threat model's steepest direction of the objective and project back. Runs are repeated
 * `restarts` times from fresh random starts, and every example keeps its best run: a run that
 * succeeded beats one that did not, then the better objective wins. Within a run the same rule
 * picks the best iterate (when `succeeded` is given): an iterate that succeeded beats a later
 * one with a better objective that did not.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/rng.ts";
import type { ThreatModel } from "./threat_model.ts";
import { checkImages, checkInteger, checkPositive } from "../checks/mod.ts";
import type { InputObjective } from "./objectives.ts";
import { freeAbandonedTape } from "./tape.ts";

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
  /** Seed of the random starts (default 0). */
  seed?: number;
  /**
   * Return each run's best iterate rather than its last (default true): the successful one with
   * the best objective, or the best objective when none succeeded (or `succeeded` is absent).
   */
  keepBest?: boolean;
  /** Per-example success (bool or 0/1 [B]) of a candidate; ranks runs before the objective. */
  succeeded?: (x: tf.Tensor4D) => tf.Tensor1D;
  /**
   * `objective` and `succeeded` of one point from a single evaluation (e.g. one model pass
   * for both the loss and the prediction). Used, when `succeeded` is given, in each step's
   * gradient pass (keepBest) and for a run's last iterate, so that ranking by success costs no
   * extra pass.
   */
  score?: (x: tf.Tensor4D) => Scored;
}

/** The objective and the success of one point, as {@link ProjectedGradientOptions.score} gives them. */
export interface Scored {
  value: tf.Tensor1D;
  success: tf.Tensor1D;
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

/** What one run of the loop hands back: its chosen candidate and the mean objective per step. */
interface RunOutcome {
  best: Candidate;
  means: tf.Scalar[];
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
  objective: InputObjective,
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
  const rng = new Rng(opts.seed ?? 0);

  let best: Candidate | undefined;
  const means: tf.Scalar[][] = [];
  try {
    for (let run = 0; run < restarts; run++) {
      const start = opts.randomStart ? opts.threat.randomStart(x0, rng) : tf.clone(x0);
      const outcome = runOnce(objective, x0, start, sign, opts);
      means.push(outcome.means);
      best = best ? pick(best, outcome.best, sign) : outcome.best;
    }
    return await readOut(best!, means);
  } catch (error) {
    // A throwing objective (e.g. a model whose output fails a check) must not leak the search.
    if (best) disposeCandidate(best);
    tf.dispose(means.flat());
    throw error;
  }
}

/** One run from `start` (which it takes over); on failure it disposes what it holds. */
function runOnce(
  objective: InputObjective,
  x0: tf.Tensor4D,
  start: tf.Tensor4D,
  sign: number,
  opts: ProjectedGradientOptions,
): RunOutcome {
  const { threat, steps, stepSize, succeeded } = opts;
  const keepBest = opts.keepBest ?? true;
  // Keeping the best iterate ranks success before the objective, so every iterate needs its
  // success; returning the last needs only the last one's.
  const scoreEvery = keepBest && succeeded !== undefined;
  const score = succeeded ? opts.score : undefined;
  // With `score`, a step's gradient pass also yields its iterate's success (one model pass).
  let stepSuccess: tf.Tensor1D | undefined;
  const valueAndGrad = tf.valueAndGrad(
    scoreEvery && score
      ? (x: tf.Tensor4D) => {
        const scored = score(x);
        stepSuccess = tf.keep(tf.cast(scored.success, "float32") as tf.Tensor1D);
        return scored.value;
      }
      : objective,
  );
  let x = start;
  let best: Candidate | undefined;
  const means: tf.Scalar[] = [];
  try {
    for (let t = 0; t <= steps; t++) {
      const last = t === steps;
      const { value, next } = tf.tidy(() => {
        if (last) {
          if (!score) return { value: objective(x), next: undefined };
          const scored = score(x);
          stepSuccess = tf.keep(tf.cast(scored.success, "float32") as tf.Tensor1D);
          return { value: scored.value, next: undefined };
        }
        const { value, grad } = valueAndGrad(x);
        const moved = threat.step(
          x,
          tf.mul(grad, sign) as tf.Tensor4D,
          stepSize,
        );
        return { value: value as tf.Tensor1D, next: threat.project(moved, x0) };
      });
      let success = stepSuccess;
      stepSuccess = undefined;
      if (scoreEvery && !success) {
        success = tf.tidy(() => tf.cast(succeeded!(x), "float32") as tf.Tensor1D);
      }
      means.push(tf.tidy(() => tf.mean(value)));
      const here: Candidate = { x, value, success };
      if (!keepBest) {
        if (last) best = here;
        else disposeCandidate(here);
      } else {
        // Success first, then the objective: a successful iterate is never dropped for an
        // unsuccessful one with a better objective.
        best = best ? pick(best, here, sign) : here;
        // pick() takes ownership of both; a first candidate is kept as is.
      }
      if (next) x = next;
    }
    const chosen = best!;
    if (succeeded && !chosen.success) {
      chosen.success = tf.tidy(() => tf.cast(succeeded(chosen.x), "float32"));
    }
    return { best: chosen, means };
  } catch (error) {
    // Disposing twice is harmless, so whatever x and best share is simply freed again.
    tf.dispose([x, ...means, ...(stepSuccess ? [stepSuccess] : [])]);
    if (best) disposeCandidate(best);
    freeAbandonedTape();
    throw error;
  }
}

/** `t` as float32, without a cast kernel when it already is. */
function asFloat(t: tf.Tensor): tf.Tensor {
  return t.dtype === "float32" ? t : tf.cast(t, "float32");
}

/**
 * The result, with every number the caller gets (history, objective, success) brought back
 * in one read. Disposes all of `best` but its point, and `means`.
 */
async function readOut(
  best: Candidate,
  means: tf.Scalar[][],
): Promise<ProjectedGradientResult> {
  const all = tf.tidy(() =>
    tf.concat([
      asFloat(tf.stack(means.flat())),
      asFloat(best.value),
      ...(best.success ? [best.success] : []),
    ])
  );
  const numbers = await all.data();
  all.dispose();
  const stepsPerRun = means[0].length;
  const history = means.map((_, run) =>
    Array.from(numbers.subarray(run * stepsPerRun, (run + 1) * stepsPerRun))
  );
  const valueStart = means.length * stepsPerRun;
  const valueEnd = valueStart + best.value.size;
  const value = Float32Array.from(numbers.subarray(valueStart, valueEnd));
  const success = best.success ? Uint8Array.from(numbers.subarray(valueEnd)) : undefined;
  tf.dispose([
    ...means.flat(),
    best.value,
    ...(best.success ? [best.success] : []),
  ]);
  return { x: best.x, value, success, history };
}
