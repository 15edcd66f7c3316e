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
  saveCheckpoint,
} from "./checkpoint.ts";
export {
  cacheRoot,
  configHash,
  stableStringify,
  type Trained,
  trainOrLoad,
} from "./model_cache.ts";
