/**
 * §5 of notebook 01: the D_det experiment on synthetic sparse-coding data whose features are
 * known exactly (lib/data/sparse_coding.ts), with and without a planted non-robust feature.
 * Because the generator is known, an oracle (the class whose atoms an image projects onto
 * most) tells whether an attack changed an image's robust features, and how much of each
 * perturbation lies along the class atoms.
 *
 * @module
 */

import { type Dataset, take } from "../../data/dataset.ts";
import { type SparseCodingTask, sparseCodingTask } from "../../data/sparse_coding.ts";
import { correctByExample, evaluate } from "../../train/evaluate.ts";
import { l2 } from "../../optimize/mod.ts";
import {
  calibrateTargetedEpsilon,
  chooseTargets,
  type EpsilonSweepRow,
  relabelByAttack,
  shiftLabels,
} from "../../representations/relabel.ts";
import { mean } from "../../stats/descriptive.ts";
import { type Arch, trainModel } from "./models.ts";

/** One synthetic task: how strong its planted cue is and how often its atoms lie. */
export interface SyntheticVariant {
  name: string;
  /** L2 norm of the planted per-class non-robust pattern (0: none). */
  cueNorm: number;
  /** Probability that an image shows another class's atoms. */
  atomFlipProbability: number;
}

/** The notebook's three tasks: A (atoms always right), B (80% right), C (B plus a cue). */
export const SYNTHETIC_VARIANTS: readonly SyntheticVariant[] = [
  { name: "A. robust only, always right", cueNorm: 0, atomFlipProbability: 0 },
  { name: "B. robust only, 80% right", cueNorm: 0, atomFlipProbability: 0.2 },
  { name: "C. B + planted non-robust cue", cueNorm: 1, atomFlipProbability: 0.2 },
];

/** Sizes and budgets of {@link syntheticDetExperiment}. */
export interface SyntheticSettings {
  arch: Arch;
  epochs: number;
  seed: number;
  /** Training images (the D_det construction attacks each). */
  trainSize: number;
  testSize: number;
  /** Training images of the ε sweep. */
  probeSize: number;
  /** Radii of the ε sweep, increasing. */
  epsilons: readonly number[];
  /** Targeted PGD steps. */
  steps: number;
  /** PGD step length as a multiple of ε. */
  relativeStepSize: number;
  /** Progress display of the D_det construction. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** Per test example, 1 where a fresh model trained on a D_det variant is right. */
export interface DetScores {
  /** Against the true labels. */
  trueLabels: Uint8Array;
  /** Against the labels (y+1) mod 10. */
  shiftedLabels: Uint8Array;
}

/** What {@link syntheticDetExperiment} measured on one task. */
export interface SyntheticRow {
  data: string;
  /** Clean test accuracy of the standard model. */
  standardClean: number;
  /** Accuracy of the atom oracle on the test set (the ceiling the atoms allow). */
  oracleClean: number;
  /** The targeted-attack ε sweep on the probe images. */
  sweep: EpsilonSweepRow[];
  /** The radius D_det was built at. */
  eps: number;
  attackSuccess: number;
  /** D_det images whose atom class the attack left alone. */
  oracleUnchanged: number;
  /** Mean share of the perturbations' energy along the class atoms. */
  atomEnergy: number;
  /** Clean test accuracy of a fresh model trained on D_det, true labels. */
  detTrueLabels: number;
  /** The same model against the labels (y+1) mod 10. */
  detShiftedLabels: number;
  /**
   * Mean share of the perturbations' energy along the atoms of the class they aim at: how
   * much of D_det is a faint copy of the target's robust features (leakage).
   */
  targetAtomEnergy: number;
  /** Clean test accuracy (true labels) of a model trained on D_det with the class-atom component of its perturbations removed. */
  strippedTrueLabels: number;
  /** That model against the labels (y+1) mod 10. */
  strippedShiftedLabels: number;
}

/** A row, the per-example scores behind it and the data sets (for pictures). */
export interface SyntheticResult {
  row: SyntheticRow;
  /** The model trained on D_det. */
  det: DetScores;
  /** The model trained on D_det without the class-atom component of the perturbations. */
  stripped: DetScores;
  /** Per D_det image, the share of its perturbation's energy along its target's atoms. */
  targetAtomEnergy: Float32Array;
  task: SparseCodingTask;
  train: Dataset;
  test: Dataset;
  detSet: Dataset;
}

/** Share of positions where `a` and `b` hold the same value. */
function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return mean(Array.from(a, (v, i) => (v === b[i] ? 1 : 0)));
}

/**
 * Trains a standard model on task `variant`, builds D_det (every training image attacked
 * towards (y+1) mod 10 at the smallest swept ε where ≥ 95% of probe attacks succeed, and
 * relabelled so), trains a fresh model on D_det alone and scores it on clean test images
 * against the true and the shifted labels, with the oracle's view of the perturbations. As a
 * test of robust-feature leakage it also trains a model on D_det with the class-atom component
 * of every perturbation removed (what is left: the cue and everything outside the atoms).
 *
 * @example
 * ```ts
 * const { row } = await syntheticDetExperiment(SYNTHETIC_VARIANTS[2], {
 *   arch: "mlp", epochs: 10, seed: 0, trainSize: 2000, testSize: 1000, probeSize: 200,
 *   epsilons: [0.5, 1, 2], steps: 40, relativeStepSize: 1 / 16,
 * });
 * ```
 */
export async function syntheticDetExperiment(
  variant: SyntheticVariant,
  s: SyntheticSettings,
): Promise<SyntheticResult> {
  const task = sparseCodingTask({
    seed: s.seed,
    cueNorm: variant.cueNorm,
    atomFlipProbability: variant.atomFlipProbability,
  });
  const train = task.sample(s.trainSize, s.seed + 1, `${variant.name} train`);
  const test = task.sample(s.testSize, s.seed + 2, `${variant.name} test`);
  const id = `synthetic-${variant.cueNorm}-${variant.atomFlipProbability}`;
  const std = await trainModel(id, train, { arch: s.arch, seed: s.seed, epochs: s.epochs });
  const probe = take(train, s.probeSize);
  const { eps, sweep } = await calibrateTargetedEpsilon(std.logits, probe, {
    targets: chooseTargets(probe.labels, 10, "next"),
    epsilons: s.epsilons,
    threat: l2,
    steps: s.steps,
    relativeStepSize: s.relativeStepSize,
  });
  const det = await relabelByAttack(std.logits, train, {
    targets: chooseTargets(train.labels, 10, "next"),
    threat: l2(eps),
    steps: s.steps,
    stepSize: s.relativeStepSize * eps,
    name: `${variant.name} D_det`,
    onProgress: s.onProgress,
  });
  const fresh = await trainModel(`${id}-det`, det.dataset, {
    arch: s.arch,
    seed: s.seed + 1,
    epochs: s.epochs,
  });
  const delta = Float32Array.from(det.dataset.x, (x, i) => x - train.x[i]);
  const outsideAtoms = task.withoutClassSpan(delta);
  const strippedSet: Dataset = {
    ...det.dataset,
    name: `${variant.name} D_det without class atoms`,
    x: Float32Array.from(train.x, (x, i) => Math.min(1, Math.max(0, x + outsideAtoms[i]))),
  };
  const strippedModel = await trainModel(`${id}-det-stripped`, strippedSet, {
    arch: s.arch,
    seed: s.seed + 1,
    epochs: s.epochs,
  });
  const shifted = shiftLabels(test, 1);
  const scores = async (model: typeof fresh): Promise<DetScores> => ({
    trueLabels: await correctByExample(model.model, test),
    shiftedLabels: await correctByExample(model.model, shifted),
  });
  const detScores = await scores(fresh);
  const stripped = await scores(strippedModel);
  const targetAtomEnergy = task.classAtomFraction(delta, det.dataset.labels);
  const row: SyntheticRow = {
    data: variant.name,
    standardClean: (await evaluate(std.model, test)).accuracy,
    oracleClean: agreement(task.robustClass(test), test.labels),
    sweep,
    eps,
    attackSuccess: det.successRate,
    oracleUnchanged: agreement(task.robustClass(det.dataset), task.robustClass(train)),
    atomEnergy: mean(task.classSpanFraction(delta)),
    detTrueLabels: mean(detScores.trueLabels),
    detShiftedLabels: mean(detScores.shiftedLabels),
    targetAtomEnergy: mean(targetAtomEnergy),
    strippedTrueLabels: mean(stripped.trueLabels),
    strippedShiftedLabels: mean(stripped.shiftedLabels),
  };
  return {
    row,
    det: detScores,
    stripped,
    targetAtomEnergy,
    task,
    train,
    test,
    detSet: det.dataset,
  };
}
