/**
 * Code that serves notebook 05 (subitization, Cutilli 2021) only: the counting network and its
 * metrics, the pixel-count shortcut, scene regions, and the thesis' second-derivative shape
 * detection with its grading. lib/mod.ts does not re-export it; the notebook imports it from here.
 *
 * @example
 * ```ts
 * import { counterNetwork, countingReport } from "../lib/studies/subitization/mod.ts";
 * ```
 *
 * @module
 */

export {
  type AccuracyAtCount,
  accuracyByCount,
  bluePixels,
  cornerCounts,
  type CornerShortcut,
  cornerShortcutCounts,
  counterNetwork,
  type CountErrors,
  countErrors,
  type CountingReport,
  countingReport,
  exactAccuracy,
  fitCornerShortcut,
  fitPixelShortcut,
  meanAbsDiff,
  type PixelShortcut,
  pixelShortcutTotals,
  predictCounts,
  startAtMeanCounts,
  totals,
} from "./counting.ts";
export {
  type ModelRegionShares,
  modelSaliencyByRegion,
  type Region,
  REGIONS,
  type RegionShare,
  regionShareByScene,
  saliencyByRegion,
  sceneRegions,
} from "./regions.ts";
export {
  sceneFamilies,
  sceneImage,
  sceneOptionsFor,
  type SceneSizes,
  SIZE_MODES,
} from "./scenes.ts";
export { betweenShapes, type BetweenShare, betweenShare, convexHull } from "./between.ts";
export {
  commonFinite,
  detectFromMaps,
  type Detection,
  type DetectionReport,
  detectionReport,
  type DetectionScore,
  type DetectionStep,
  type DetectOptions,
  detectShapes,
  perSceneMean,
  type SceneDetection,
  scoreDetection,
  type ScoreSummary,
  type SeedPlace,
  type SeedRule,
  type StepScore,
  summarizeScores,
  type SweepPoint,
  type ThresholdRule,
  thresholdSweep,
} from "./detection.ts";
