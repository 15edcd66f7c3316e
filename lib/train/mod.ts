/**
 * Training: optimizers and schedules as data, the training loop, evaluation, checkpoints and
 * the model cache.
 *
 * @module
 */

export { makeOptimizer, type OptimizerSpec, setLearningRate } from "./optimizers.ts";
export { lrAt, type Schedule } from "./schedules.ts";
export {
  type BatchContext,
  type BatchHook,
  type EpochRecord,
  fit,
  type FitOptions,
  type FitResult,
  type LossFn,
  type TrainBatch,
  TrainingDivergedError,
} from "./loop.ts";
export {
  correctByExample,
  correctCount,
  correctFlags,
  evaluate,
  type Evaluation,
  meanCrossEntropy,
  predict,
} from "./evaluate.ts";
export {
  type CheckpointMeta,
  loadCheckpoint,
  restoreCheckpoint,
  type RestoreCheckpointOptions,
  saveCheckpoint,
  type SaveCheckpointOptions,
} from "./checkpoint.ts";
export {
  cachedFit,
  type CachedFitResult,
  type CacheOptions,
  cacheRoot,
  type CodeFingerprint,
  codeFingerprint,
  type CodeFingerprintOptions,
  configHash,
  keyValue,
  stableStringify,
  type Trained,
  trainOrLoad,
} from "./model_cache.ts";
