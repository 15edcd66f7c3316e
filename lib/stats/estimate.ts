/**
 * An estimate: a measured value with its confidence interval, the level, how the interval was
 * computed and how many observations it rests on. Every number a claim is judged on is one.
 *
 * @module
 */

import { clopperPearson, wilson } from "./intervals.ts";
import { confidenceLevel } from "./level.ts";
import { requireLevel } from "./validate.ts";

/** How an estimate's interval was widened because the best of several variants was picked. */
export interface Correction {
  /** The multiple-comparison correction applied. */
  method: "holm" | "bonferroni";
  /** How many variants were compared (the family size). */
  family: number;
  /** Name of the variant this estimate belongs to (the one picked). */
  picked?: string;
}

/** A measured value with its confidence interval. Plain data: it survives JSON. */
export interface Estimate {
  /** The point estimate (e.g. the observed proportion or mean). */
  value: number;
  /** Lower end of the interval. */
  lower: number;
  /** Upper end of the interval. */
  upper: number;
  /** Confidence level of the interval, in (0, 1); for a corrected estimate the per-comparison one. */
  level: number;
  /** How the interval was computed, e.g. "Clopper–Pearson" or "bootstrap (2000 resamples, seed 0)". */
  method: string;
  /** Number of observations (trials, examples, items) behind the estimate. */
  n: number;
  /** Present when the estimate is the best of several variants, corrected for the pick. */
  correction?: Correction;
}

/** Interval methods for a proportion. */
export type ProportionMethod = "clopper-pearson" | "wilson";

/** Options of {@link proportion}. */
export interface ProportionOptions {
  /** Confidence level; default the run's {@link confidenceLevel}. */
  level?: number;
  /** Interval method; default "clopper-pearson" (exact, never below the level). */
  method?: ProportionMethod;
}

/**
 * A proportion (accuracy, attack success, agreement) from its counts, with an exact
 * Clopper–Pearson interval by default or a Wilson interval.
 *
 * @param successes number of successes
 * @param n number of trials
 * @example
 * ```ts
 * const acc = proportion(340, 1000);
 * // { value: 0.34, lower: 0.3106, upper: 0.3703, level: 0.95, method: "Clopper–Pearson", n: 1000 }
 * ```
 */
export function proportion(
  successes: number,
  n: number,
  options: ProportionOptions = {},
): Estimate {
  const level = options.level ?? confidenceLevel();
  const method = options.method ?? "clopper-pearson";
  if (method !== "clopper-pearson" && method !== "wilson") {
    throw new RangeError(
      `proportion: method must be "clopper-pearson" or "wilson" (got ${JSON.stringify(method)}).`,
    );
  }
  const { lower, upper } = method === "wilson"
    ? wilson(successes, n, level)
    : clopperPearson(successes, n, level);
  return {
    value: successes / n,
    lower,
    upper,
    level,
    method: method === "wilson" ? "Wilson" : "Clopper–Pearson",
    n,
  };
}

/**
 * An estimate with no sampling error: a value computed exactly (an identity, a count over the
 * whole population). Its interval is the single point `[value, value]`, so a criterion decides it
 * outright. Use it for sanity checks such as "the second derivative is exactly zero".
 *
 * @param value the exact value
 * @param n how many values it summarises (default 1)
 * @example
 * ```ts
 * exact(0, 784); // { value: 0, lower: 0, upper: 0, level: 1, method: "exact", n: 784 }
 * ```
 */
export function exact(value: number, n = 1): Estimate {
  if (!Number.isFinite(value)) {
    throw new RangeError(`exact: value must be a finite number (got ${value}).`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`exact: n must be an integer ≥ 1 (got ${n}).`);
  }
  return { value, lower: value, upper: value, level: 1, method: "exact", n };
}

/**
 * Throws unless `estimate` is a well-formed {@link Estimate} (finite numbers, lower ≤ value ≤
 * upper, a level in (0, 1], n ≥ 1). Claims call it on what they are given, so a hand-built
 * estimate with swapped ends fails loudly instead of deciding a verdict.
 *
 * @example
 * ```ts
 * requireEstimate("claims.check", proportion(3, 10)); // ok
 * ```
 */
export function requireEstimate(fn: string, estimate: Estimate): void {
  if (typeof estimate !== "object" || estimate === null) {
    throw new TypeError(
      `${fn}: expected an estimate { value, lower, upper, level, method, n }, e.g. from ` +
        `proportion(successes, n) or bootstrapMean(values, { seed }); got ${estimate}.`,
    );
  }
  const { value, lower, upper, level, method, n } = estimate;
  for (const [name, v] of [["value", value], ["lower", lower], ["upper", upper]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`${fn}: estimate.${name} must be a finite number (got ${v}).`);
    }
  }
  if (!(lower <= value && value <= upper)) {
    throw new RangeError(
      `${fn}: estimate must satisfy lower ≤ value ≤ upper (got ${lower} ≤ ${value} ≤ ${upper}).`,
    );
  }
  if (level !== 1) requireLevel(fn, level);
  if (typeof method !== "string" || method === "") {
    throw new TypeError(`${fn}: estimate.method must name how the interval was computed.`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${fn}: estimate.n must be an integer ≥ 1 (got ${n}).`);
  }
}
