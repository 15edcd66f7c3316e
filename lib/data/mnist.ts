/**
 * Full MNIST (60,000 training and 10,000 test digits) from the four canonical IDX files in the
 * data cache, downloaded and verified against data/manifest.json when missing.
 *
 * @module
 */

import type { Dataset } from "./dataset.ts";
import { ensureBytes } from "./cache.ts";
import type { EnsureFileOptions } from "./cache.ts";
import { decompressIdx, idxDataset, parseIdxImages, parseIdxLabels } from "./idx.ts";

/** The four MNIST files, as named in the data manifest. */
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
} as const;

async function loadSplit(
  name: string,
  imagesFile: string,
  labelsFile: string,
  opts: EnsureFileOptions,
): Promise<Dataset> {
  const images = await ensureBytes(imagesFile, opts);
  const labels = await ensureBytes(labelsFile, opts);
  return idxDataset(
    name,
    parseIdxImages(await decompressIdx(images.bytes, images.path), images.path),
    parseIdxLabels(await decompressIdx(labels.bytes, labels.path), labels.path),
  );
}

/**
 * Loads full MNIST as [N, 28, 28, 1] data sets in [0, 1]: "mnist-train" (60,000) and
 * "mnist-test" (10,000). Files come from the data cache (see {@link ensureBytes}).
 *
 * @example
 * ```ts
 * const { train, test } = await loadMnist();
 * console.log(train.labels.length, test.labels.length); // 60000 10000
 * ```
 */
export async function loadMnist(
  opts: EnsureFileOptions = {},
): Promise<{ train: Dataset; test: Dataset }> {
  const f = MNIST_FILES;
  return {
    train: await loadSplit("mnist-train", f.trainImages, f.trainLabels, opts),
    test: await loadSplit("mnist-test", f.testImages, f.testLabels, opts),
  };
}
