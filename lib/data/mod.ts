/**
 * Data sets for lenses: the {@link Dataset} value and its helpers (splits, batches), the
 * embedded MNIST (no download), full MNIST and CIFAR-10 from the verified data cache, and the
 * file-format parsers they are built on; and synthetic generators: scenes of shapes to count
 * (notebook 05) and sparse-coding tasks (notebooks 01, 02).
 *
 * @example
 * ```ts
 * import { batches, loadEmbeddedMnist } from "../lib/data/mod.ts";
 * const { train, test } = await loadEmbeddedMnist({ seed: 0 });
 * ```
 *
 * @module
 */

export * from "./dataset.ts";
export { loadEmbeddedMnist, loadEmbeddedMnistAll } from "./mnist_embedded.ts";
export { loadMnist, MNIST_FILES } from "./mnist.ts";
export {
  CIFAR10_ARCHIVE,
  CIFAR10_CLASS_NAMES,
  cifar10FromArchive,
  loadCifar10,
  parseCifarBatch,
} from "./cifar10.ts";
export type { Cifar10Options } from "./cifar10.ts";
export { dataDir, ensureBytes, ensureFile, MANIFEST } from "./cache.ts";
export type { EnsureFileOptions, ManifestEntry } from "./cache.ts";
export {
  decompressIdx,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  idxDataset,
  parseIdxImages,
  parseIdxLabels,
  readIdx,
} from "./idx.ts";
export type { IdxImages } from "./idx.ts";
export { gunzip, isGzip } from "./gzip.ts";
export { readTar } from "./tar.ts";
export type { TarEntry } from "./tar.ts";
export {
  generateScene,
  generateScenes,
  type PlacedShape,
  rasterizePolygon,
  type Scene,
  sceneAt,
  sceneDataset,
  type SceneOptions,
  type SceneSet,
  SHAPE_KINDS,
  type ShapeKind,
  shapeMask,
  shapeVertices,
  type SizeMode,
} from "./shapes.ts";
export {
  type SparseCodingOptions,
  type SparseCodingTask,
  sparseCodingTask,
  type SparseLinearOptions,
  type SparseLinearSample,
  type SparseLinearTask,
  sparseLinearTask,
} from "./sparse_coding.ts";
