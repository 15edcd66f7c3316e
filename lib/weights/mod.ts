/**
 * Per-neuron weight analysis for any layer, dense neurons and CNN filters alike: a layer's
 * weights as one row per neuron, their coefficients in a basis and how concentrated those are,
 * the purification decomposition w = β·w' + v (Allen-Zhu & Li 2020), correlation with the
 * initialisation against its random value, and the spectrum of a layer's change.
 *
 * @example
 * ```ts
 * import { basisCoefficients, basisConcentration, layerNeurons, neuronMatrix, purification }
 *   from "./mod.ts";
 * const clean = layerNeurons(cleanNet, "hidden");
 * const robust = layerNeurons(robustNet, "hidden");
 * const { topShare } = basisConcentration(basisCoefficients(clean, neuronMatrix(d, d, M)));
 * const { dominant } = purification(clean, robust);
 * ```
 *
 * @module
 */

export { layerNeurons, type NeuronMatrix, neuronMatrix, neuronsOf, row } from "./neurons.ts";
export {
  absCosines,
  basisCoefficients,
  basisConcentration,
  type Concentration,
  cosineMatrix,
  effectiveRank,
  matchNeurons,
  type Purification,
  purification,
  randomAbsCosineMean,
  singularValues,
  type UpdateSpectrum,
  updateSpectrum,
} from "./analysis.ts";
