/**
 * Confidence intervals for a proportion from its counts (accuracy, attack success, certified
 * share): the exact Clopper–Pearson interval, its one-sided lower bound as randomized smoothing's
 * CERTIFY uses it, and the Wilson score interval. Quantiles come from stdlib-js.
 *
 * @module
 */

import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import stdNormalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { confidenceLevel } from "./level.ts";
import { requireCounts, requireLevel, requireProbability } from "./validate.ts";

/** A closed interval `[lower, upper]`. */
export interface Interval {
  /** Lower end. */
  lower: number;
  /** Upper end. */
  upper: number;
}

/**
 * The standard normal quantile Φ⁻¹(p).
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // 1.959963984540054
 * ```
 */
export function normalQuantile(p: number): number {
  requireProbability("normalQuantile", "p", p);
  return stdNormalQuantile(p, 0, 1);
}

/**
 * The exact (Clopper–Pearson) two-sided interval for a proportion: the set of success
 * probabilities a two-sided binomial test at `1 - level` would not reject. Its coverage is at
 * least `level` for every true proportion, so it is conservative for small `n`.
 *
 * @param successes number of successes `k` (integer, 0 ≤ k ≤ n)
 * @param n number of trials (integer ≥ 1)
 * @param level confidence level in (0, 1); default {@link confidenceLevel} (0.95)
 * @example
 * ```ts
 * clopperPearson(34, 100); // { lower: 0.2482..., upper: 0.4415... }
 * clopperPearson(0, 10, 0.95).upper; // 1 - 0.025 ** (1 / 10) = 0.3084...
 * ```
 */
export function clopperPearson(
  successes: number,
  n: number,
  level: number = confidenceLevel(),
): Interval {
  requireCounts("clopperPearson", successes, n);
  requireLevel("clopperPearson", level);
  const tail = (1 - level) / 2;
  return {
    lower: successes === 0 ? 0 : betaQuantile(tail, successes, n - successes + 1),
    upper: successes === n ? 1 : betaQuantile(1 - tail, successes + 1, n - successes),
  };
}

/**
 * The one-sided Clopper–Pearson lower confidence bound at level `1 - alpha`: with probability at
 * least `1 - alpha` the true proportion is above it. This is `LowerConfBound` of Cohen et al.'s
 * CERTIFY (`proportion_confint(k, n, alpha=2*alpha, method="beta")[0]` in statsmodels).
 *
 * @param successes number of successes `k` (integer, 0 ≤ k ≤ n)
 * @param n number of trials (integer ≥ 1)
 * @param alpha one-sided error probability in (0, 1), e.g. 0.001
 * @example
 * ```ts
 * clopperPearsonLower(100, 100, 0.001); // 0.001 ** (1 / 100) = 0.9332...
 * ```
 */
export function clopperPearsonLower(successes: number, n: number, alpha: number): number {
  requireCounts("clopperPearsonLower", successes, n);
  requireProbability("clopperPearsonLower", "alpha", alpha);
  return successes === 0 ? 0 : betaQuantile(alpha, successes, n - successes + 1);
}

/**
 * The Wilson score interval for a proportion: the proportions a two-sided score (normal) test at
 * `1 - level` would not reject. Narrower than Clopper–Pearson, with coverage close to `level` on
 * average rather than at least `level` everywhere; stays inside [0, 1].
 *
 * @param successes number of successes `k` (integer, 0 ≤ k ≤ n)
 * @param n number of trials (integer ≥ 1)
 * @param level confidence level in (0, 1); default {@link confidenceLevel} (0.95)
 * @example
 * ```ts
 * wilson(34, 100); // { lower: 0.2546..., upper: 0.4372... }
 * ```
 */
export function wilson(
  successes: number,
  n: number,
  level: number = confidenceLevel(),
): Interval {
  requireCounts("wilson", successes, n);
  requireLevel("wilson", level);
  const z = stdNormalQuantile(1 - (1 - level) / 2, 0, 1);
  const p = successes / n;
  const z2n = (z * z) / n;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt(p * (1 - p) / n + z2n / (4 * n));
  // The ends are exact at k = 0 and k = n; clamp away rounding that would leave [0, 1].
  return {
    lower: successes === 0 ? 0 : Math.max(0, center - half),
    upper: successes === n ? 1 : Math.min(1, center + half),
  };
}
