/**
 * lenses: the shared library the notebooks import. One concept per folder, each with a
 * `mod.ts` face; this file is the curated list of what notebooks use.
 *
 * The data flow of an experiment, top to bottom:
 *
 * ```
 * notebook/   startNotebook: backend (backend/), scale, seed, run header
 *    │
 * data/       Dataset values (real MNIST / CIFAR-10, synthetic shapes and sparse codes)
 *    │
 * models/     seeded builders → Model; layers read as functions of the input
 *    │
 * train/      fit (any targets, any loss, hooks) → cachedFit / trainOrLoad (the model cache)
 *    │
 * optimize/   the one projected-gradient loop over inputs, threat models, objectives
 *    ├── attacks/          PGD, FGSM, DeepFool, adversarial training, robust accuracy
 *    ├── representations/  inversion, inverted / relabelled data sets, transfer; similarity
 *    │                     of activations (CKA, CCA / SVCCA / PWCCA, unit matching)
 *    ├── optvis/           feature visualisation: parameterisations, transforms, render
 *    ├── attribution/      saliency maps, SmoothGrad
 *    └── smoothing/        randomized smoothing: noise training, PREDICT, CERTIFY, SmoothAdv
 *    │
 * weights/    per-neuron weight analysis: basis coefficients, purification w = βw' + v,
 *             memory of the initialisation, update spectra, neuron matching
 * stats/      estimates with intervals, bootstrap, corrections, criteria and verdicts
 * display/    charts, image grids, tables, progress, the claims table
 * ```
 *
 * Code that serves one notebook only lives in `studies/<name>/` and is imported from there.
 *
 * @example
 * ```ts
 * import { fit, loadEmbeddedMnist, referenceCnn, startNotebook } from "../lib/mod.ts";
 * const run = await startNotebook({ id: "demo", seed: 0 });
 * const { train, test } = await loadEmbeddedMnist({ seed: run.seed });
 * const model = referenceCnn({ seed: run.seed });
 * await fit(model, train, { epochs: 1, batchSize: 64, seed: run.seed,
 *   optimizer: { name: "adam", lr: 1e-3 }, validation: test });
 * ```
 *
 * @module
 */

export { tf } from "./tf.ts";
export { Rng } from "./random/mod.ts";
export {
  atScale,
  currentScale,
  type NotebookRun,
  type Scale,
  scaleAtLeast,
  SCALES,
  seedFromEnv,
  startNotebook,
} from "./notebook/mod.ts";
export { type BackendInfo, backendInfo, initBackend } from "./backend/mod.ts";
export {
  batches,
  type Dataset,
  forEachBatch,
  generateScenes,
  loadCifar10,
  loadEmbeddedMnist,
  loadMnist,
  sceneAt,
  sceneDataset,
  type SceneSet,
  shapeMask,
  size,
  type SizeMode,
  sparseCodingTask,
  sparseLinearTask,
  stratifiedSplit,
  subset,
  take,
} from "./data/mod.ts";
export {
  activations,
  asImageFn,
  type Classifier,
  cnn,
  fakeRelu,
  type ImageFn,
  layerNames,
  mlp,
  type Model,
  parameterCount,
  penultimate,
  penultimatePreActivation,
  referenceCnn,
  symmetricNet,
  twoLayerRelu,
} from "./models/mod.ts";
export {
  cachedFit,
  evaluate,
  fit,
  type FitOptions,
  type FitResult,
  predict,
  restoreCheckpoint,
  saveCheckpoint,
  trainOrLoad,
} from "./train/mod.ts";
export {
  channel,
  crossEntropy,
  direction,
  l2,
  labelLoss,
  linf,
  margin,
  negate,
  neuron,
  type Objective,
  objective,
  onInputs,
  outputSum,
  probe,
  projectedGradient,
  representationDistance,
  scale,
  sum,
  type ThreatModel,
  unconstrained,
} from "./optimize/mod.ts";
export { deepFool, fgsm, pgd, pgdTrainingHook, robustAccuracy } from "./attacks/mod.ts";
export {
  activationMatrix,
  bestMatches,
  cca,
  chooseTargets,
  correlationMatrix,
  debiasedLinearCka,
  identifyLayers,
  invertedDataset,
  invertRepresentation,
  linearCka,
  linearCkaMatrix,
  matchUnits,
  pwcca,
  rbfCka,
  relabelByAttack,
  shiftLabels,
  similarityMatrix,
  svcca,
  transferMatrix,
} from "./representations/mod.ts";
export {
  classScore,
  inputSaliency,
  rootDisplay,
  secondOrderSaliency,
  smoothGrad,
} from "./attribution/mod.ts";
/** Randomized smoothing as one namespace (its `predict` is PREDICT, not train's `predict`). */
export * as smoothing from "./smoothing/mod.ts";
export {
  absCosines,
  basisCoefficients,
  basisConcentration,
  cosineMatrix,
  layerNeurons,
  matchNeurons,
  type NeuronMatrix,
  neuronMatrix,
  neuronsOf,
  purification,
  randomAbsCosineMean,
  updateSpectrum,
} from "./weights/mod.ts";
export {
  atLeast,
  atMost,
  bootstrap,
  bootstrapMean,
  bootstrapMeanDifference,
  clopperPearson,
  clopperPearsonLower,
  compareVariants,
  confidenceLevel,
  type Criterion,
  type Estimate,
  exact,
  greaterThan,
  kmeans1d,
  lessThan,
  mean,
  otsuThreshold,
  pairedBootstrap,
  pickBest,
  proportion,
  spearman,
  verdictOf,
  wilson,
} from "./stats/mod.ts";
export {
  colorCorrelationSqrt,
  compose,
  fourierImage,
  jitter,
  pixelImage,
  randomRotate,
  randomScale,
  render,
  standardTransforms,
} from "./optvis/mod.ts";
export {
  barChart,
  Claims,
  createProgress,
  formatPercent,
  heatmap,
  histogram,
  lineChart,
  scatterChart,
  showFigure,
  showImageGrid,
  showRunInfo,
  showTable,
} from "./display/mod.ts";
