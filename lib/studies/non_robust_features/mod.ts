/**
 * Code that serves notebook 01 (Ilyas et al. 2019, "Adversarial examples are not bugs, they are
 * features") only: its two architectures and how it trains them through the model cache, and
 * the synthetic sparse-coding D_det study of its §5.
 *
 * @example
 * ```ts
 * import { trainModel } from "../lib/studies/non_robust_features/mod.ts";
 * const standard = await trainModel("standard-mlp", train, { arch: "mlp", seed: 0, epochs: 10 });
 * ```
 *
 * @module
 */

export {
  type Arch,
  ARCHS,
  buildModel,
  type TrainedModel,
  trainModel,
  type TrainModelOptions,
} from "./models.ts";
export {
  type DetScores,
  SYNTHETIC_VARIANTS,
  syntheticDetExperiment,
  type SyntheticResult,
  type SyntheticRow,
  type SyntheticSettings,
  type SyntheticVariant,
} from "./synthetic.ts";
export { type ArchitecturePoint, type TransferTracking, transferTracksDRand } from "./transfer.ts";
