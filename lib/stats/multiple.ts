/**
 * Multiple-comparison corrections. When several variants are compared and the best is picked,
 * the pick itself is a chance to be lucky: with three variants at 95% each, the chance that at
 * least one looks better by accident is up to 14%. Bonferroni tests each of `m` hypotheses at
 * `alpha / m`; Holm's step-down procedure controls the same family-wise error and rejects at
 * least as much (the smallest p-value is tested at `alpha / m`, the next at `alpha / (m - 1)`,
 * and so on, stopping at the first that fails).
 *
 * @module
 */

import { type Estimate, requireEstimate } from "./estimate.ts";
import { confidenceLevel } from "./level.ts";
import { requireLevel } from "./validate.ts";

/** Result of a correction: adjusted p-values and the decisions at `alpha`. */
export interface Adjusted {
  /** Correction used. */
  method: "holm" | "bonferroni";
  /** Family-wise error rate the decisions control. */
  alpha: number;
  /** Adjusted p-values, in the input order (each in [0, 1]). */
  adjusted: number[];
  /** Whether each hypothesis is rejected at `alpha` (adjusted p ≤ alpha). */
  reject: boolean[];
}

function requirePValues(fn: string, pValues: readonly number[], alpha: number): void {
  if (!Array.isArray(pValues) || pValues.length === 0) {
    throw new RangeError(`${fn}: pass a non-empty array of p-values (got ${pValues}).`);
  }
  const bad = pValues.findIndex((p) => typeof p !== "number" || !(p >= 0 && p <= 1));
  if (bad >= 0) {
    throw new RangeError(`${fn}: p-value ${bad} is ${pValues[bad]}; p-values lie in [0, 1].`);
  }
  if (typeof alpha !== "number" || !(alpha > 0 && alpha < 1)) {
    throw new RangeError(
      `${fn}: alpha must lie strictly between 0 and 1 (got ${alpha}); e.g. 0.05 for 95%.`,
    );
  }
}

/**
 * Bonferroni correction: each p-value times the number of hypotheses, capped at 1.
 *
 * @param pValues one p-value per hypothesis
 * @param alpha family-wise error rate; default `1 - confidenceLevel()` (0.05)
 * @example
 * ```ts
 * bonferroni([0.01, 0.04, 0.03, 0.005], 0.05);
 * // adjusted [0.04, 0.16, 0.12, 0.02], reject [true, false, false, true]
 * ```
 */
export function bonferroni(
  pValues: readonly number[],
  alpha: number = 1 - confidenceLevel(),
): Adjusted {
  requirePValues("bonferroni", pValues, alpha);
  const m = pValues.length;
  const adjusted = pValues.map((p) => Math.min(1, p * m));
  return { method: "bonferroni", alpha, adjusted, reject: adjusted.map((p) => p <= alpha) };
}

/**
 * Holm's step-down correction: sort the p-values, multiply the i-th smallest (from 0) by
 * `m - i`, and carry the running maximum so adjusted values never decrease; cap at 1.
 *
 * @param pValues one p-value per hypothesis
 * @param alpha family-wise error rate; default `1 - confidenceLevel()` (0.05)
 * @example
 * ```ts
 * holm([0.01, 0.04, 0.03, 0.005], 0.05);
 * // adjusted [0.03, 0.06, 0.06, 0.02], reject [true, false, false, true]
 * ```
 */
export function holm(pValues: readonly number[], alpha: number = 1 - confidenceLevel()): Adjusted {
  requirePValues("holm", pValues, alpha);
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return { method: "holm", alpha, adjusted, reject: adjusted.map((p) => p <= alpha) };
}

/** The best of several variants, from {@link pickBest}. */
export interface BestOf {
  /** Name of the variant with the best point value. */
  name: string;
  /** Its estimate at the corrected level, recording the pick in `correction`. */
  estimate: Estimate;
  /** Every variant's estimate at the corrected level, by name. */
  all: Record<string, Estimate>;
}

/**
 * Picks the best of several variants measured on their own (e.g. the accuracy of three models,
 * each a proportion), with Bonferroni-corrected intervals: each variant's estimate is computed at
 * level `1 - (1 - level) / m`, so the m intervals hold together at `level` and the one picked is
 * not favoured by the pick. For variants scored on the same items against one baseline, prefer
 * `compareVariants` (paired, with Holm).
 *
 * @param variants for each variant, a function from a confidence level to its estimate
 * @param options `level` (default the run's), and which values are `better` (default "higher")
 * @example
 * ```ts
 * const best = pickBest({
 *   mlp: (level) => proportion(okMlp, n, { level }),
 *   cnn: (level) => proportion(okCnn, n, { level }),
 *   resnet: (level) => proportion(okResnet, n, { level }),
 * });
 * claims.check({ id: "best-arch", ..., criterion: atLeast(0.9), estimate: best.estimate });
 * ```
 */
export function pickBest(
  variants: Record<string, (level: number) => Estimate>,
  options: { level?: number; better?: "higher" | "lower" } = {},
): BestOf {
  const names = Object.keys(variants ?? {});
  if (names.length === 0) {
    throw new RangeError(
      "pickBest: pass at least one variant, e.g. { a: (level) => proportion(k, n, { level }) }.",
    );
  }
  const level = options.level ?? confidenceLevel();
  requireLevel("pickBest", level);
  const better = options.better ?? "higher";
  if (better !== "higher" && better !== "lower") {
    throw new RangeError(`pickBest: better must be "higher" or "lower" (got ${better}).`);
  }
  const m = names.length;
  const corrected = 1 - (1 - level) / m;
  const all: Record<string, Estimate> = {};
  for (const name of names) {
    if (typeof variants[name] !== "function") {
      throw new TypeError(
        `pickBest: variant "${name}" must be a function from a level to an estimate, e.g. ` +
          `(level) => proportion(k, n, { level }), so its interval can be widened for the pick.`,
      );
    }
    const estimate = variants[name](corrected);
    requireEstimate(`pickBest (variant "${name}")`, estimate);
    all[name] = { ...estimate, correction: { method: "bonferroni", family: m } };
  }
  const sign = better === "higher" ? 1 : -1;
  const name = names.reduce((a, b) => sign * all[b].value > sign * all[a].value ? b : a);
  const estimate = {
    ...all[name],
    correction: { method: "bonferroni" as const, family: m, picked: name },
  };
  return { name, estimate, all };
}
