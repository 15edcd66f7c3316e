/**
 * What a model's representation holds: inverting it (Engstrom et al. 2019), data sets rebuilt
 * from it (Ilyas et al. 2019's D_R / D_NR), data sets relabelled by targeted attacks (D_rand /
 * D_det), and how attacks transfer between models.
 *
 * @example
 * ```ts
 * import { invertRepresentation } from "./mod.ts";
 * const { images, distance } = await invertRepresentation(features, starts, targets,
 *   { steps: 200, stepSize: 0.1 });
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
