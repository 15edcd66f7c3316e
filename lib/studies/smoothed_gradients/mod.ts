/**
 * Code that serves notebook 03 (smoothed and perceptually aligned gradients: Kaur, Cohen &
 * Lipton 2019; Cohen et al. 2019; Engstrom et al. 2019) only: the model zoo it trains, CERTIFY
 * over a test set, and the measures of gradient alignment (targeted directions, large-ε targeted
 * attacks, class-mean directions, cosines, random-direction controls). lib/mod.ts does not
 * re-export it; the notebook imports it from here.
 *
 * @example
 * ```ts
 * import { classMeans, targetedAttack, trainZooModel } from "../lib/studies/smoothed_gradients/mod.ts";
 * ```
 *
 * @module
 */

export {
  type Agreement,
  agreement,
  type AttackItems,
  attackItems,
  classMeans,
  type Direction,
  type DrawnScores,
  meanDifferences,
  predictions,
  randomDirections,
  rowCosines,
  scoreDrawn,
  scoreGradient,
  stepAlong,
  targetedAttack,
  type TargetedAttackOptions,
  targetedDirection,
} from "./alignment.ts";
export {
  abstentions,
  accuracyUnderNoise,
  certifiedCorrect,
  certifyAll,
  predictAll,
} from "./certification.ts";
export {
  type Architecture,
  type Recipe,
  trainZooModel,
  type ZooModel,
  type ZooOptions,
} from "./zoo.ts";
