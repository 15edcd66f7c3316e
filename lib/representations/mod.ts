/**
 * What a model's representation holds: inverting it (Engstrom et al. 2019), data sets rebuilt
 * from it (Ilyas et al. 2019's D_R / D_NR), data sets relabelled by targeted attacks (D_rand /
 * D_det), how attacks transfer between models, and how alike two representations are: CKA
 * (Kornblith et al. 2019), CCA / SVCCA / PWCCA (Raghu et al. 2017, Morcos et al. 2018) and
 * one-to-one unit matching (Li et al. 2015), all on activation matrices [examples × features],
 * and layer-by-layer matrices of any of them with Kornblith et al.'s identification test.
 *
 * @example
 * ```ts
 * import { invertRepresentation } from "./mod.ts";
 * const { images, distance } = await invertRepresentation(features, starts, targets,
 *   { steps: 200, stepSize: 0.1 });
 * const similarity = linearCka(actsA, actsB); // same examples, rows
 * const units = matchUnits(correlationMatrix(actsA, actsB));
 * ```
 *
 * @module
 */

export {
  type InversionOptions,
  type InversionResult,
  invertRepresentation,
  relativeDistance,
} from "./inversion.ts";
export {
  invertedDataset,
  type InvertedDatasetOptions,
  type InvertedDatasetResult,
} from "./inverted_dataset.ts";
export {
  chooseTargets,
  relabelByAttack,
  type RelabelOptions,
  type RelabelResult,
  shiftLabels,
  type TargetRule,
} from "./relabel.ts";
export {
  transferMatrix,
  type TransferModel,
  type TransferOptions,
  type TransferResult,
} from "./transfer.ts";
export { activationMatrix, type ActivationOptions, type Spatial } from "./activations.ts";
export { debiasedLinearCka, linearCka, rbfCka } from "./cka.ts";
export { cca, type CcaResult, pwcca, type PwccaResult, svcca, type SvccaOptions } from "./cca.ts";
export { bestMatches, correlationMatrix, matchUnits, type UnitMatching } from "./matching.ts";
export {
  type Identification,
  identifyLayers,
  linearCkaMatrix,
  similarityMatrix,
  type SimilarityMeasure,
} from "./layer_similarity.ts";
