/**
 * Criteria and verdicts. A claim fixes its criterion before the run — a threshold or a
 * comparison, with its direction — and the verdict follows from where the estimate's interval
 * lies: **holds** when all of it is on the claim's side, **does not hold** when all of it is on
 * the other side, **inconclusive** when it straddles the boundary. ("not run", the fourth verdict,
 * is decided by the claims table from the run's scale.)
 *
 * @module
 */

import { type Estimate, requireEstimate } from "./estimate.ts";

/** Outcome of a claim in a run. */
export type Verdict = "holds" | "does not hold" | "inconclusive" | "not run";

/**
 * The verdicts, in the order summaries list them.
 *
 * @example
 * ```ts
 * VERDICTS.includes("inconclusive"); // true
 * ```
 */
export const VERDICTS: readonly Verdict[] = ["holds", "does not hold", "inconclusive", "not run"];

/** The relation a criterion asks of the measured value. */
export type Relation = ">=" | ">" | "<=" | "<";

/** A criterion: the measured value must stand in `relation` to a threshold or another estimate. */
export interface Criterion {
  /** The relation the claim needs. */
  relation: Relation;
  /** A fixed threshold, or another run's estimate to compare with. */
  against: number | Estimate;
  /** Name of what is compared with, shown in the table (e.g. "standard model"). */
  label?: string;
}

function criterion(fn: string, relation: Relation, against: number | Estimate, label?: string) {
  if (typeof against === "number") {
    if (!Number.isFinite(against)) {
      throw new RangeError(`${fn}: the threshold must be a finite number (got ${against}).`);
    }
  } else {
    requireEstimate(fn, against);
  }
  if (label !== undefined && (typeof label !== "string" || label.trim() === "")) {
    throw new TypeError(`${fn}: label must be a non-empty string when given.`);
  }
  return label === undefined ? { relation, against } : { relation, against, label };
}

/**
 * The value must be at least `threshold` (≥).
 *
 * @example
 * ```ts
 * atLeast(0.3); // holds when the interval's lower end is ≥ 0.3
 * ```
 */
export function atLeast(threshold: number, label?: string): Criterion {
  return criterion("atLeast", ">=", threshold, label);
}

/**
 * The value must be at most `threshold` (≤).
 *
 * @example
 * ```ts
 * atMost(0.05); // holds when the interval's upper end is ≤ 0.05
 * ```
 */
export function atMost(threshold: number, label?: string): Criterion {
  return criterion("atMost", "<=", threshold, label);
}

/**
 * The value must exceed `other`: a threshold (a difference `greaterThan(0)`) or another
 * estimate. Against an estimate the verdict compares the two intervals, which is conservative;
 * for two models scored on the same items a paired difference (`pairedBootstrap`) with
 * `greaterThan(0)` decides more often.
 *
 * @example
 * ```ts
 * greaterThan(0); // a gain whose whole interval is above zero
 * greaterThan(proportion(310, 1000), "D_rand model"); // intervals must not overlap
 * ```
 */
export function greaterThan(other: number | Estimate, label?: string): Criterion {
  return criterion("greaterThan", ">", other, label);
}

/**
 * The value must be below `other` (a threshold or another estimate; see {@link greaterThan}).
 *
 * @example
 * ```ts
 * lessThan(0.1); // holds when the interval's upper end is < 0.1
 * ```
 */
export function lessThan(other: number | Estimate, label?: string): Criterion {
  return criterion("lessThan", "<", other, label);
}

/**
 * The verdict the interval of `estimate` gives on `criterion`: "holds", "does not hold" or
 * "inconclusive". Against another estimate the claim holds when the intervals are apart on the
 * claim's side and does not hold when they are apart on the other side.
 *
 * @example
 * ```ts
 * verdictOf({ value: 0.34, lower: 0.311, upper: 0.370, level: 0.95, method: "Clopper–Pearson",
 *   n: 1000 }, atLeast(0.3)); // "holds"
 * verdictOf(proportion(34, 100), atLeast(0.3)); // "inconclusive": [0.248, 0.442] straddles 0.3
 * ```
 */
export function verdictOf(
  estimate: Estimate,
  criterion: Criterion,
): "holds" | "does not hold" | "inconclusive" {
  requireEstimate("verdictOf", estimate);
  const { relation, against } = criterion;
  // The other side's nearest and farthest ends: a threshold is a point interval.
  const low = typeof against === "number" ? against : against.lower;
  const high = typeof against === "number" ? against : against.upper;
  switch (relation) {
    case ">=":
      return estimate.lower >= high
        ? "holds"
        : estimate.upper < low
        ? "does not hold"
        : "inconclusive";
    case ">":
      return estimate.lower > high
        ? "holds"
        : estimate.upper <= low
        ? "does not hold"
        : "inconclusive";
    case "<=":
      return estimate.upper <= low
        ? "holds"
        : estimate.lower > high
        ? "does not hold"
        : "inconclusive";
    case "<":
      return estimate.upper < low
        ? "holds"
        : estimate.lower >= high
        ? "does not hold"
        : "inconclusive";
    default:
      throw new RangeError(
        `verdictOf: unknown relation ${JSON.stringify(relation)}; build criteria with atLeast, ` +
          `atMost, greaterThan or lessThan.`,
      );
  }
}
