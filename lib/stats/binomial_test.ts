/**
 * The exact two-sided binomial test: randomized smoothing's PREDICT uses it to decide whether
 * the top class's count beats the runner-up's (Hung & Fithian 2019, as in Cohen et al. 2019).
 * Probabilities come from stdlib-js.
 *
 * @module
 */

import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";
import binomialPmf from "@stdlib/stats-base-dists-binomial-pmf";
import { requireCounts, requireProbability } from "./validate.ts";

/**
 * Relative slack when comparing probabilities of outcomes, so that outcomes exactly as likely as
 * the observed one (e.g. the mirror image at p = 1/2) are not lost to rounding; the value SciPy's
 * `binomtest` uses, so p-values agree with it.
 */
const RELATIVE_SLACK = 1 + 1e-7;

/**
 * The two-sided p-value of `successes` in `n` trials under success probability `p`: the total
 * probability of every outcome no more likely than the one observed (the "minimum likelihood"
 * rule of SciPy's `binomtest` and R's `binom.test`).
 *
 * @param successes number of successes `k` (integer, 0 ≤ k ≤ n)
 * @param n number of trials (integer ≥ 1)
 * @param p success probability under the null hypothesis, in (0, 1); default 1/2
 * @example
 * ```ts
 * binomialTest(7, 10); // 0.34375 (= 2 · P(X ≥ 7), X ~ Bin(10, 1/2))
 * binomialTest(5, 10); // 1
 * ```
 */
export function binomialTest(successes: number, n: number, p = 0.5): number {
  requireCounts("binomialTest", successes, n);
  requireProbability("binomialTest", "p", p);
  const k = successes;
  const mode = p * n;
  if (k === mode) return 1;
  const threshold = binomialPmf(k, n, p) * RELATIVE_SLACK;
  // The pmf rises up to the mode and falls after it, so on the far side of the mode the outcomes
  // no more likely than k form one tail, found by bisection.
  const pValue = k < mode
    ? binomialCdf(k, n, p) + upperTail(firstAtMost(threshold, n, p, Math.ceil(mode), n), n, p)
    : lowerTail(lastAtMost(threshold, n, p, 0, Math.floor(mode)), n, p) +
      upperTail(k, n, p);
  return Math.min(1, pValue);
}

/** P(X ≥ j). */
function upperTail(j: number, n: number, p: number): number {
  return j > n ? 0 : j <= 0 ? 1 : 1 - binomialCdf(j - 1, n, p);
}

/** P(X ≤ j). */
function lowerTail(j: number, n: number, p: number): number {
  return j < 0 ? 0 : binomialCdf(j, n, p);
}

/** Smallest j in [lo, hi] with pmf(j) ≤ threshold on the falling side (hi + 1 if none). */
function firstAtMost(threshold: number, n: number, p: number, lo: number, hi: number): number {
  let a = lo, b = hi + 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (binomialPmf(mid, n, p) <= threshold) b = mid;
    else a = mid + 1;
  }
  return a;
}

/** Largest j in [lo, hi] with pmf(j) ≤ threshold on the rising side (lo − 1 if none). */
function lastAtMost(threshold: number, n: number, p: number, lo: number, hi: number): number {
  let a = lo - 1, b = hi;
  while (a < b) {
    const mid = (a + b + 1) >>> 1;
    if (binomialPmf(mid, n, p) <= threshold) a = mid;
    else b = mid - 1;
  }
  return a;
}
