/**
 * The scene families of notebook 05: the same scenes under the three ways of sizing shapes
 * (fixed, per shape, per image), each with a training and a test set drawn from its own seed.
 *
 * @module
 */

import {
  generateScenes,
  type Scene,
  type SceneOptions,
  type SceneSet,
  type SizeMode,
} from "../../data/shapes.ts";

/** The size modes, in the order the notebook shows them. */
export const SIZE_MODES: readonly SizeMode[] = ["fixed", "per-shape", "per-image"];

/** Sizes of the notebook's scenes (they change with the run's scale). */
export interface SceneSizes {
  /** Image side in pixels. */
  imageSize: number;
  /** Largest total count. */
  maxTotal: number;
  /** Smallest and largest square side as fractions of the image side: [min, max]. */
  sideFraction: readonly number[];
  /** Training scenes per size mode with a trained network (fixed, per image). */
  trainCount: number;
  /** Test scenes per size mode; also the per-shape "training" set, which only fits a shortcut. */
  testCount: number;
}

/**
 * The scene options of one size mode: a random side drawn from the fraction range, or, for
 * `fixed`, the middle of that range.
 *
 * @example
 * ```ts
 * sceneOptionsFor({ imageSize: 40, maxTotal: 4, sideFraction: [0.175, 0.275],
 *   trainCount: 3000, testCount: 500 }, "fixed"); // side 9
 * ```
 */
export function sceneOptionsFor(sizes: SceneSizes, sizeMode: SizeMode): SceneOptions {
  const [lo, hi] = sizes.sideFraction;
  if (sizes.sideFraction.length !== 2 || !(lo > 0 && lo <= hi && hi < 1)) {
    throw new Error(
      `sceneOptionsFor: sideFraction must be [min, max] with 0 < min ≤ max < 1, got ` +
        `[${sizes.sideFraction}]`,
    );
  }
  const range = { min: Math.round(sizes.imageSize * lo), max: Math.round(sizes.imageSize * hi) };
  return {
    imageSize: sizes.imageSize,
    maxTotal: sizes.maxTotal,
    sizeMode,
    side: sizeMode === "fixed" ? Math.round((range.min + range.max) / 2) : range,
  };
}

/**
 * Training and test scenes of every size mode. Each set has its own seed (`seed + 1` … `seed +
 * 6`, in {@link SIZE_MODES} order, training before test), so adding a mode never changes
 * another's scenes. No network trains on per-shape sizes: that "training" set, of `testCount`
 * scenes, only fits the pixel shortcut.
 *
 * @example
 * ```ts
 * const sets = sceneFamilies(sizes, run.seed);
 * sets["per-image"].test.counts; // N×2 counts
 * ```
 */
export function sceneFamilies(
  sizes: SceneSizes,
  seed: number,
): Record<SizeMode, { train: SceneSet; test: SceneSet }> {
  const entries = SIZE_MODES.map((mode, k) => {
    const options = sceneOptionsFor(sizes, mode);
    const trainCount = mode === "per-shape" ? sizes.testCount : sizes.trainCount;
    return [mode, {
      train: generateScenes(`${mode}-train`, trainCount, options, seed + 2 * k + 1),
      test: generateScenes(`${mode}-test`, sizes.testCount, options, seed + 2 * k + 2),
    }] as const;
  });
  return Object.fromEntries(entries) as Record<SizeMode, { train: SceneSet; test: SceneSet }>;
}

/**
 * A scene's pixels with their shape, as the saliency functions and the detection take an image.
 *
 * @example
 * ```ts
 * const map = await inputSaliency(model, sceneImage(sceneAt(test, 0)));
 * ```
 */
export function sceneImage(scene: Scene): { data: Float32Array; shape: [number, number, 3] } {
  return { data: scene.image, shape: [scene.size, scene.size, 3] };
}
