/**
 * One estimate from several runs of the same experiment (seeds of a sweep): the Student-t
 * interval of the runs' mean when only their values are known, and a random-effects
 * meta-analysis (DerSimonian & Laird 1986) when each run came with its own interval. Both
 * count the run-to-run variation, which is what repeating an experiment over seeds measures.
 *
 * @module
 */

import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { type Estimate, requireEstimate } from "./estimate.ts";
import { normalQuantile } from "./intervals.ts";
import { confidenceLevel } from "./level.ts";
import { mean, sampleSd, sum } from "./descriptive.ts";
import { requireLevel } from "./validate.ts";

/**
 * The mean of runs' values with its Student-t interval (n − 1 degrees of freedom).
 *
 * @throws {RangeError} for fewer than two values or a value that is not finite.
 * @example
 * ```ts
 * meanOverRuns([1, 2, 3, 4]);
 * // { value: 2.5, lower: 0.4457, upper: 4.5543, level: 0.95, method: "Student t over 4 runs", n: 4 }
 * ```
 */
export function meanOverRuns(
  values: readonly number[],
  level: number = confidenceLevel(),
): Estimate {
  requireLevel("meanOverRuns", level);
  const n = values.length;
  if (n < 2 || !values.every(Number.isFinite)) {
    throw new RangeError(
      `meanOverRuns: needs at least two finite values (got ${JSON.stringify(values)}); ` +
        "one run has no spread to build an interval from.",
    );
  }
  const m = mean(values);
  const sd = sampleSd(values);
  const half = tQuantile((1 + level) / 2, n - 1) * sd / Math.sqrt(n);
  return {
    value: m,
    lower: m - half,
    upper: m + half,
    level,
    method: `Student t over ${n} runs`,
    n,
  };
}

/**
 * Pools runs' estimates by random effects (DerSimonian–Laird): each interval gives a standard
 * error (half-width over the normal quantile of its level), Cochran's Q gives the between-run
 * variance τ², and the pooled value is the mean weighted by 1 / (SE² + τ²) with a normal interval.
 * With one run, or runs that agree within their errors (τ² = 0), it is the fixed-effect pool.
 *
 * @throws {RangeError} when there is no estimate, or one is exact (zero width or level 1: no
 *   standard error to weight it by; use {@link meanOverRuns} on the values instead).
 * @example
 * ```ts
 * poolRandomEffects([
 *   { value: 1, lower: 0, upper: 2, level: 0.95, method: "…", n: 100 },
 *   { value: 3, lower: 2, upper: 4, level: 0.95, method: "…", n: 100 },
 * ]); // value 2, interval [0.0400, 3.9600]: τ² ≈ 1.74 widens it
 * ```
 */
export function poolRandomEffects(
  estimates: readonly Estimate[],
  level: number = confidenceLevel(),
): Estimate {
  requireLevel("poolRandomEffects", level);
  if (estimates.length === 0) throw new RangeError("poolRandomEffects: no estimates to pool.");
  for (const e of estimates) {
    requireEstimate("poolRandomEffects", e);
    if (!(e.upper > e.lower) || !(e.level < 1)) {
      throw new RangeError(
        `poolRandomEffects: the estimate ${e.value} (${e.method}) has no standard error to ` +
          "weight it by (its interval has zero width or level 1); pool the values with " +
          "meanOverRuns instead.",
      );
    }
  }
  const k = estimates.length;
  const x = estimates.map((e) => e.value);
  const variance = estimates.map((e) =>
    ((e.upper - e.lower) / (2 * normalQuantile((1 + e.level) / 2))) ** 2
  );
  const w = variance.map((v) => 1 / v);
  const sw = sum(w);
  const fixed = sum(x.map((xi, i) => w[i] * xi)) / sw;
  const q = sum(x.map((xi, i) => w[i] * (xi - fixed) ** 2));
  const tau2 = k > 1 ? Math.max(0, (q - (k - 1)) / (sw - sum(w.map((wi) => wi * wi)) / sw)) : 0;
  const weights = variance.map((v) => 1 / (v + tau2));
  const value = sum(x.map((xi, i) => weights[i] * xi)) / sum(weights);
  const half = normalQuantile((1 + level) / 2) / Math.sqrt(sum(weights));
  return {
    value,
    lower: value - half,
    upper: value + half,
    level,
    method: `random effects (DerSimonian–Laird) over ${k} run${k === 1 ? "" : "s"}`,
    n: sum(estimates.map((e) => e.n)),
  };
}
