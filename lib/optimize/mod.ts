/**
 * Optimisation over inputs: the one projected-gradient loop that attacks, representation
 * inversion and feature visualisation share; the sets it searches in (threat models: L∞ and L2
 * balls, the [0, 1] box); and the per-example objectives it climbs.
 *
 * @example
 * ```ts
 * import { l2, projectedGradient } from "./mod.ts";
 * const { x, value } = await projectedGradient((x) => x.mean([1, 2, 3]) as tf.Tensor1D, x0,
 *   { threat: l2(1), steps: 10, stepSize: 0.25 });
 * ```
 *
 * @module
 */

export {
  exampleNorms,
  l2,
  linf,
  noiseAtRadius,
  type Norm,
  type ThreatModel,
  threatModel,
  unconstrained,
} from "./threat_model.ts";
export {
  projectedGradient,
  type ProjectedGradientOptions,
  type ProjectedGradientResult,
  type Scored,
} from "./projected_gradient.ts";
export { type AttackLoss, crossEntropy, margin } from "./losses.ts";
export {
  type Activations,
  channel,
  direction,
  type InputObjective,
  labelLoss,
  LOGITS,
  negate,
  neuron,
  type Objective,
  objective,
  onInputs,
  outputSum,
  type Probe,
  probe,
  representationDistance,
  scale,
  sum,
} from "./objectives.ts";
export { freeAbandonedTape } from "./tape.ts";
