/**
 * Statistics for claims. A measured value is an {@link Estimate}: a value with a confidence
 * interval at the run's one level ({@link confidenceLevel}: `LENSES_CONFIDENCE`, default 0.95).
 *
 * - proportions from counts: {@link proportion} (exact Clopper–Pearson or Wilson), and the bare
 *   interval functions {@link clopperPearson}, {@link clopperPearsonLower}, {@link wilson}, and
 *   the exact two-sided {@link binomialTest};
 * - statistics of per-example values by seeded bootstrap: {@link bootstrapMean},
 *   {@link bootstrap}, {@link bootstrapMeanDifference}; two models on the same items:
 *   {@link pairedBootstrap}; several variants against a baseline, best picked and corrected:
 *   {@link compareVariants} (with {@link holm} / {@link bonferroni}); the best of several
 *   separately measured variants: {@link pickBest};
 * - criteria fixed before the run ({@link atLeast}, {@link atMost}, {@link greaterThan},
 *   {@link lessThan}) and the verdict an interval gives on one: {@link verdictOf};
 * - one estimate from several runs (seeds of a sweep): {@link meanOverRuns} (Student t over the
 *   runs' values), {@link poolRandomEffects} (DerSimonian–Laird over the runs' estimates);
 * - small descriptive helpers: {@link mean}, {@link pearson}, {@link spearman}, {@link otsuThreshold},
 *   {@link kmeans1d}.
 *
 * @example
 * ```ts
 * import { atLeast, proportion, verdictOf } from "../lib/stats/mod.ts";
 *
 * const transfer = proportion(correct, total); // 0.34 [0.311, 0.370] at 95%
 * verdictOf(transfer, atLeast(0.3)); // "holds": the whole interval is ≥ 30%
 * ```
 *
 * @module
 */

export {
  clopperPearson,
  clopperPearsonLower,
  type Interval,
  normalQuantile,
  wilson,
} from "./intervals.ts";
export { binomialTest } from "./binomial_test.ts";
export { confidenceLevel, DEFAULT_LEVEL } from "./level.ts";
export { kmeans1d, mean, otsuThreshold, pearson, sampleSd, spearman, sum } from "./descriptive.ts";
export {
  type Correction,
  type Estimate,
  exact,
  proportion,
  type ProportionMethod,
  type ProportionOptions,
  requireEstimate,
} from "./estimate.ts";
export {
  bootstrap,
  bootstrapMean,
  bootstrapMeanDifference,
  type BootstrapOptions,
  compareVariants,
  type CompareVariantsOptions,
  DEFAULT_RESAMPLES,
  pairedBootstrap,
  type PairedBootstrapOptions,
  type PairedStatistic,
  type Statistic,
  type VariantComparison,
  type VariantResult,
} from "./bootstrap.ts";
export { meanOverRuns, poolRandomEffects } from "./pooling.ts";
export { type Adjusted, type BestOf, bonferroni, holm, pickBest } from "./multiple.ts";
export {
  atLeast,
  atMost,
  type Criterion,
  greaterThan,
  lessThan,
  type Relation,
  type Verdict,
  verdictOf,
  VERDICTS,
} from "./criterion.ts";
