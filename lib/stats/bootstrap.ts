/**
 * Seeded bootstrap intervals for statistics of per-example values: a mean, a difference of two
 * independent means, and a paired difference of two models or methods scored on the same items.
 * Intervals are percentile intervals over `resamples` resamples drawn from an {@link Rng} made
 * from `seed`, so the same call gives the same interval.
 *
 * @module
 */

import { Rng } from "../random/mod.ts";
import type { Estimate } from "./estimate.ts";
import { confidenceLevel } from "./level.ts";
import { bonferroni, holm } from "./multiple.ts";
import { requireLevel } from "./validate.ts";
import { mean } from "./descriptive.ts";

/**
 * Resamples drawn when the caller does not say: enough for 95–99% percentile ends.
 *
 * @example
 * ```ts
 * bootstrapMean(values, { seed: 0, resamples: 5 * DEFAULT_RESAMPLES }); // a steadier 99.9% end
 * ```
 */
export const DEFAULT_RESAMPLES = 2000;

/** Options shared by the bootstrap functions. */
export interface BootstrapOptions {
  /** Seed of the resampling; the same seed gives the same interval. */
  seed: number;
  /** Confidence level; default the run's {@link confidenceLevel}. */
  level?: number;
  /** Number of bootstrap resamples (integer ≥ 100; default {@link DEFAULT_RESAMPLES}). */
  resamples?: number;
}

/** A statistic of one sample, e.g. the median. */
export type Statistic = (sample: Float64Array) => number;
/** A statistic of two paired samples (same length, row i of each is the same item). */
export type PairedStatistic = (a: Float64Array, b: Float64Array) => number;

/** Checks `values` (finite numbers, at least 2) and copies them into a Float64Array. */
function requireValues(fn: string, name: string, values: ArrayLike<number>): Float64Array {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new TypeError(`${fn}: ${name} must be an array of numbers (got ${values}).`);
  }
  if (values.length < 2) {
    throw new RangeError(
      `${fn}: ${name} needs at least 2 values to resample (got ${values.length}); an interval ` +
        `from one example says nothing about the next.`,
    );
  }
  const out = Float64Array.from(values);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new RangeError(
      `${fn}: ${name}[${bad}] is ${values[bad]}; every value must be a finite number (drop or ` +
        `fix failed examples before estimating).`,
    );
  }
  return out;
}

/** The checked options with defaults filled in. */
function bootstrapSettings(
  fn: string,
  options: BootstrapOptions,
): { rng: Rng; level: number; resamples: number; seed: number } {
  const seed = options?.seed;
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new TypeError(
      `${fn}: pass a seed, e.g. { seed: 0 }, so the interval is the same on every run ` +
        `(got ${seed}).`,
    );
  }
  const level = options.level ?? confidenceLevel();
  requireLevel(fn, level);
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw new RangeError(`${fn}: resamples must be an integer ≥ 100 (got ${resamples}).`);
  }
  requireTailResamples(fn, level, resamples);
  return { rng: new Rng(seed), level, resamples, seed };
}

/** Fewest resamples beyond each end of a percentile interval for the end to be stable. */
const MIN_TAIL_RESAMPLES = 10;

/** Throws when so few resamples fall beyond an end at `level` that the end is mostly noise. */
function requireTailResamples(fn: string, level: number, resamples: number): void {
  const tail = (1 - level) / 2;
  // The slack absorbs rounding in 1 - level (e.g. 10 / 0.00125 = 8000.000000000001).
  if (tail * resamples < MIN_TAIL_RESAMPLES - 1e-9) {
    const needed = Math.ceil(MIN_TAIL_RESAMPLES / tail - 1e-6);
    throw new RangeError(
      `${fn}: ${resamples} resamples leave ${(tail * resamples).toFixed(1)} beyond each end of a ` +
        `${Number((level * 100).toFixed(3))}% interval; pass resamples ≥ ${needed}.`,
    );
  }
}

/** The `q`-quantile of sorted values, linear between order statistics (numpy's default). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** Percentile interval of a bootstrap distribution (sorted in place). */
function percentileInterval(
  distribution: Float64Array,
  level: number,
): { lower: number; upper: number } {
  distribution.sort();
  const tail = (1 - level) / 2;
  return {
    lower: quantileSorted(distribution, tail),
    upper: quantileSorted(distribution, 1 - tail),
  };
}

/** `n` indices drawn uniformly with replacement. */
function resampleIndices(rng: Rng, n: number, into: Int32Array = new Int32Array(n)) {
  for (let i = 0; i < n; i++) into[i] = rng.int(n);
  return into;
}

function gather(values: Float64Array, indices: Int32Array, into: Float64Array): Float64Array {
  for (let i = 0; i < indices.length; i++) into[i] = values[indices[i]];
  return into;
}

function finish(
  value: number,
  distribution: Float64Array,
  settings: { level: number; resamples: number; seed: number },
  kind: string,
  n: number,
): Estimate {
  const { lower, upper } = percentileInterval(distribution, settings.level);
  return {
    value,
    // A skewed statistic can put its point value just outside the percentile interval; widen to
    // keep lower ≤ value ≤ upper, which every verdict reads.
    lower: Math.min(lower, value),
    upper: Math.max(upper, value),
    level: settings.level,
    method: `${kind} (${settings.resamples} resamples, seed ${settings.seed})`,
    n,
  };
}

/**
 * A statistic of per-example values with a seeded percentile-bootstrap interval.
 *
 * @param values per-example values (at least 2, all finite)
 * @param statistic the statistic of a sample (it receives a resample; do not keep it)
 * @example
 * ```ts
 * const median = (s: Float64Array) => s.slice().sort()[s.length >> 1];
 * bootstrap(distances, median, { seed: 0 }); // { value, lower, upper, level: 0.95, ... }
 * ```
 */
export function bootstrap(
  values: ArrayLike<number>,
  statistic: Statistic,
  options: BootstrapOptions,
): Estimate {
  const x = requireValues("bootstrap", "values", values);
  const settings = bootstrapSettings("bootstrap", options);
  const indices = new Int32Array(x.length);
  const sample = new Float64Array(x.length);
  const distribution = new Float64Array(settings.resamples);
  for (let r = 0; r < settings.resamples; r++) {
    distribution[r] = statistic(
      gather(x, resampleIndices(settings.rng, x.length, indices), sample),
    );
  }
  return finish(statistic(x.slice()), distribution, settings, "bootstrap", x.length);
}

/**
 * The mean of per-example values with a seeded percentile-bootstrap interval.
 *
 * @example
 * ```ts
 * bootstrapMean(ious, { seed: 0 }); // { value: 0.41, lower: 0.38, upper: 0.44, ... }
 * ```
 */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions): Estimate {
  const x = requireValues("bootstrapMean", "values", values);
  const settings = bootstrapSettings("bootstrapMean", options);
  const n = x.length;
  const distribution = new Float64Array(settings.resamples);
  for (let r = 0; r < settings.resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[settings.rng.int(n)];
    distribution[r] = sum / n;
  }
  return finish(mean(x), distribution, settings, "bootstrap", n);
}

/**
 * The difference of means `mean(a) - mean(b)` of two independent samples (different items, e.g.
 * two test sets), each resampled on its own. For two models scored on the same items use
 * {@link pairedBootstrap}: it is sharper because it cancels the items' shared difficulty.
 *
 * @example
 * ```ts
 * bootstrapMeanDifference(robustLosses, standardLosses, { seed: 0 });
 * ```
 */
export function bootstrapMeanDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: BootstrapOptions,
): Estimate {
  const x = requireValues("bootstrapMeanDifference", "a", a);
  const y = requireValues("bootstrapMeanDifference", "b", b);
  const settings = bootstrapSettings("bootstrapMeanDifference", options);
  const distribution = new Float64Array(settings.resamples);
  for (let r = 0; r < settings.resamples; r++) {
    let sx = 0;
    for (let i = 0; i < x.length; i++) sx += x[settings.rng.int(x.length)];
    let sy = 0;
    for (let i = 0; i < y.length; i++) sy += y[settings.rng.int(y.length)];
    distribution[r] = sx / x.length - sy / y.length;
  }
  return finish(
    mean(x) - mean(y),
    distribution,
    settings,
    "two-sample bootstrap",
    x.length + y.length,
  );
}

/** Options of {@link pairedBootstrap}. */
export interface PairedBootstrapOptions extends BootstrapOptions {
  /** Statistic of the paired samples; default the mean difference `mean(a) - mean(b)`. */
  statistic?: PairedStatistic;
}

/** Checks two paired samples and returns them as Float64Arrays. */
function requirePairs(
  fn: string,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): [Float64Array, Float64Array] {
  const x = requireValues(fn, "a", a);
  const y = requireValues(fn, "b", b);
  if (x.length !== y.length) {
    throw new RangeError(
      `${fn}: paired samples must score the same items, so a and b need the same length ` +
        `(got ${x.length} and ${y.length}).`,
    );
  }
  return [x, y];
}

/** The mean difference of paired samples, `mean(a) - mean(b)`. */
const meanDifference: PairedStatistic = (a, b) => mean(a) - mean(b);

/**
 * Bootstrap distributions of `statistic(variant, baseline)` for each variant, resampling items
 * (the same rows of every sample together, so the variants see the same resampled items).
 */
function pairedDistributions(
  variants: readonly Float64Array[],
  baseline: Float64Array,
  statistic: PairedStatistic,
  rng: Rng,
  resamples: number,
): Float64Array[] {
  const n = baseline.length;
  const indices = new Int32Array(n);
  const sv = new Float64Array(n);
  const sb = new Float64Array(n);
  const out = variants.map(() => new Float64Array(resamples));
  for (let r = 0; r < resamples; r++) {
    resampleIndices(rng, n, indices);
    gather(baseline, indices, sb);
    variants.forEach((v, j) => out[j][r] = statistic(gather(v, indices, sv), sb));
  }
  return out;
}

/**
 * A paired comparison of two models or methods scored on the same items (`a[i]` and `b[i]` are
 * item i's scores): the statistic (default `mean(a) - mean(b)`) with a percentile interval from
 * resampling items. Resampling whole items keeps each item's shared difficulty in both samples,
 * so the interval reflects only how the two differ.
 *
 * @example
 * ```ts
 * const gain = pairedBootstrap(iouFixed, iouBaseline, { seed: 0 }); // mean(fixed) - mean(baseline)
 * gain.lower > 0; // the fix helps on these scenes, at the run's confidence level
 * ```
 */
export function pairedBootstrap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: PairedBootstrapOptions,
): Estimate {
  const [x, y] = requirePairs("pairedBootstrap", a, b);
  const settings = bootstrapSettings("pairedBootstrap", options);
  const statistic = options.statistic ?? meanDifference;
  const [distribution] = pairedDistributions([x], y, statistic, settings.rng, settings.resamples);
  return finish(
    statistic(x.slice(), y.slice()),
    distribution,
    settings,
    "paired bootstrap",
    x.length,
  );
}

/** Options of {@link compareVariants}. */
export interface CompareVariantsOptions extends PairedBootstrapOptions {
  /** Correction for comparing several variants and picking the best; default "holm". */
  correction?: "holm" | "bonferroni";
  /** Which scores are better; default "higher". */
  better?: "higher" | "lower";
}

/** One variant's paired comparison with the baseline, inside {@link VariantComparison}. */
export interface VariantResult {
  /** The variant's name (its key in the input). */
  name: string;
  /**
   * `statistic(variant, baseline)` with its interval at the family-corrected level
   * `1 - (1 - level) / m` (simultaneous over the m variants).
   */
  estimate: Estimate;
  /** One-sided bootstrap p-value of "no improvement over the baseline". */
  pValue: number;
  /** The p-value after the correction. */
  adjustedP: number;
  /** Whether the variant improves on the baseline after the correction. */
  improves: boolean;
}

/** Result of {@link compareVariants}. */
export interface VariantComparison {
  /** Every variant, in input order. */
  variants: VariantResult[];
  /** The variant with the best point value; its estimate records the pick. */
  best: VariantResult;
  /** The family-wise confidence level asked for. */
  level: number;
  /** The correction applied. */
  correction: "holm" | "bonferroni";
}

/**
 * Compares several variants (e.g. proposed fixes) with one baseline on the same items by paired
 * bootstrap, and picks the best, correcting for the pick. All variants are resampled on the same
 * items. Each variant's interval is widened to the level `1 - (1 - level) / m`, so the m
 * intervals hold together at `level` (Bonferroni; for the best variant this is also Holm's first
 * step); `improves` applies the chosen correction to one-sided bootstrap p-values at
 * `(1 - level) / 2`, matching the interval's lower (or upper) end. Judge the claim "the best fix
 * helps" on `best.estimate`, whose `correction` makes the table say that a best was picked.
 *
 * @param baseline per-item scores of the baseline
 * @param variants per-item scores of each variant, by name (same items, same order)
 * @example
 * ```ts
 * const cmp = compareVariants(iouBaseline, { a: iouA, b: iouB, c: iouC }, { seed: 0 });
 * claims.check({ id: "fixes-help", claim: "The best fix improves box IoU", paper: "thesis §5",
 *   estimate: cmp.best.estimate, criterion: greaterThan(0) });
 * ```
 */
export function compareVariants(
  baseline: ArrayLike<number>,
  variants: Record<string, ArrayLike<number>>,
  options: CompareVariantsOptions,
): VariantComparison {
  const fn = "compareVariants";
  const names = Object.keys(variants ?? {});
  if (names.length === 0) {
    throw new RangeError(`${fn}: pass at least one variant, e.g. { fixed: scores }.`);
  }
  const base = requireValues(fn, "baseline", baseline);
  const samples = names.map((name) => {
    const [v] = requirePairs(`${fn} (variant "${name}")`, variants[name], base);
    return v;
  });
  const settings = bootstrapSettings(fn, options);
  const correction = options.correction ?? "holm";
  if (correction !== "holm" && correction !== "bonferroni") {
    throw new RangeError(`${fn}: correction must be "holm" or "bonferroni" (got ${correction}).`);
  }
  const better = options.better ?? "higher";
  if (better !== "higher" && better !== "lower") {
    throw new RangeError(`${fn}: better must be "higher" or "lower" (got ${better}).`);
  }
  const statistic = options.statistic ?? meanDifference;
  const m = names.length;
  const distributions = pairedDistributions(
    samples,
    base,
    statistic,
    settings.rng,
    settings.resamples,
  );
  const corrected = { ...settings, level: 1 - (1 - settings.level) / m };
  requireTailResamples(fn, corrected.level, settings.resamples);
  const pValues = distributions.map((d) => {
    // Resamples at or past zero in the wrong direction: the share of worlds with no improvement.
    let against = 0;
    for (const x of d) if (better === "higher" ? x <= 0 : x >= 0) against++;
    return (1 + against) / (1 + d.length);
  });
  const adjusted = (correction === "holm" ? holm : bonferroni)(pValues, (1 - settings.level) / 2);
  const results = names.map((name, j): VariantResult => {
    const estimate = finish(
      statistic(samples[j].slice(), base.slice()),
      distributions[j],
      corrected,
      "paired bootstrap",
      base.length,
    );
    return {
      name,
      estimate: { ...estimate, correction: { method: correction, family: m } },
      pValue: pValues[j],
      adjustedP: adjusted.adjusted[j],
      improves: adjusted.reject[j],
    };
  });
  const sign = better === "higher" ? 1 : -1;
  const best = results.reduce((a, b) => sign * b.estimate.value > sign * a.estimate.value ? b : a);
  best.estimate.correction = { method: correction, family: m, picked: best.name };
  return { variants: results, best, level: settings.level, correction };
}
