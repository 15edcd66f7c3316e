/**
 * Estimates and criteria as text: "34.0% [31.1, 37.0]", "≥ 30%", and the line that says how an
 * interval was computed ("95% Clopper–Pearson, n = 1000").
 *
 * @module
 */

import type { Criterion, Estimate, Relation } from "../stats/mod.ts";
import { formatNumber, formatPercent } from "./format.ts";

/**
 * How numbers of an estimate are written: "percent" (a proportion as 34.0%), "number" (three
 * significant digits), or a function from a number to its text.
 */
export type ValueFormat = "percent" | "number" | ((value: number) => string);

const SYMBOL: Record<Relation, string> = { ">=": "≥", ">": ">", "<=": "≤", "<": "<" };

/** A threshold without trailing zeros: 0.3 → "0.3", 30% → "30%". */
function compact(value: number): string {
  return String(Number(value.toPrecision(6)));
}

function formatters(
  format: ValueFormat,
): { value: (v: number) => string; end: (v: number) => string; threshold: (v: number) => string } {
  if (typeof format === "function") return { value: format, end: format, threshold: format };
  if (format === "percent") {
    return {
      value: (v) => formatPercent(v),
      end: (v) => (v * 100).toFixed(1),
      threshold: (v) => `${compact(v * 100)}%`,
    };
  }
  if (format === "number") {
    const three = (v: number) => formatNumber(v, 3);
    return { value: three, end: three, threshold: compact };
  }
  throw new RangeError(
    `format must be "percent", "number" or a function (got ${JSON.stringify(format)}).`,
  );
}

/**
 * The value and its interval, e.g. "34.0% [31.1, 37.0]"; an exact estimate shows its value only.
 *
 * @example
 * ```ts
 * formatEstimate(proportion(340, 1000), "percent"); // "34.0% [31.1, 37.0]"
 * formatEstimate(pairedBootstrap(a, b, { seed: 0 })); // "0.0412 [0.0103, 0.0731]"
 * ```
 */
export function formatEstimate(estimate: Estimate, format: ValueFormat = "number"): string {
  const f = formatters(format);
  if (estimate.lower === estimate.upper) return f.value(estimate.value);
  return `${f.value(estimate.value)} [${f.end(estimate.lower)}, ${f.end(estimate.upper)}]`;
}

/**
 * The criterion as text, e.g. "≥ 30%", "> 0", or "> D_rand model (31.0% [28.2, 33.9])".
 *
 * @example
 * ```ts
 * formatCriterion(atLeast(0.3), "percent"); // "≥ 30%"
 * ```
 */
export function formatCriterion(criterion: Criterion, format: ValueFormat = "number"): string {
  const symbol = SYMBOL[criterion.relation];
  if (symbol === undefined) {
    throw new RangeError(
      `unknown relation ${JSON.stringify(criterion.relation)}; build criteria with atLeast, ` +
        `atMost, greaterThan or lessThan.`,
    );
  }
  const { against, label } = criterion;
  if (typeof against === "number") {
    const threshold = formatters(format).threshold(against);
    return label === undefined ? `${symbol} ${threshold}` : `${symbol} ${label} (${threshold})`;
  }
  return `${symbol} ${label ?? "the other estimate"} (${formatEstimate(against, format)})`;
}

/**
 * How the interval was computed: level, method, n, and the correction when a best was picked.
 *
 * @example
 * ```ts
 * describeInterval(proportion(340, 1000)); // "95% Clopper–Pearson, n = 1000"
 * ```
 */
export function describeInterval(estimate: Estimate): string {
  if (estimate.method === "exact") return `exact, n = ${estimate.n}`;
  const level = `${Number((estimate.level * 100).toFixed(2))}%`;
  const base = `${level} ${estimate.method}, n = ${estimate.n}`;
  const c = estimate.correction;
  if (c === undefined) return base;
  const name = c.method === "holm" ? "Holm" : "Bonferroni";
  const family = c.picked === undefined
    ? `one of ${c.family} variants`
    : `best of ${c.family} variants ("${c.picked}")`;
  return `${base}; ${family}, ${name}-corrected`;
}
