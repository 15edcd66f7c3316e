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
  classMeans,
  type Direction,
  meanDifferences,
  predictions,
  randomDirections,
  rowCosines,
  stepAlong,
  targetedAttack,
  type TargetedAttackOptions,
  targetedDirection,
} from "./alignment.ts";
export { abstentions, certifiedCorrect, certifyAll } from "./certification.ts";
export {
  type Architecture,
  type Recipe,
  trainZooModel,
  type ZooModel,
  type ZooOptions,
} from "./zoo.ts";
