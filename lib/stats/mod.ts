/**
 * Statistics for claims: intervals for proportions from their counts (exact Clopper–Pearson,
 * Wilson), the run's one confidence level, and argument checks.
 *
 * @example
 * ```ts
 * import { clopperPearson, wilson } from "../lib/stats/mod.ts";
 *
 * const { lower, upper } = clopperPearson(correct, total); // 95% unless LENSES_CONFIDENCE is set
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
export { confidenceLevel, DEFAULT_LEVEL } from "./level.ts";
