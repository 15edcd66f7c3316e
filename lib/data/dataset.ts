/**
 * The data set value every part of lenses understands: images as one flat Float32Array in
 * NHWC order with values in [0, 1], integer labels, and the per-example shape. It is a plain
 * object (no tensors inside), so holding one costs no GPU memory and leaks nothing; tensors are
 * made per batch.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random/rng.ts";

/** A labelled image data set. */
export interface Dataset {
  /** Short name shown in tables and plots, e.g. "mnist-train". */
  readonly name: string;
  /** Per-example shape [height, width, channels]. */
  readonly shape: readonly [number, number, number];
  /** All images, NHWC, float32 in [0, 1]; length = size * h * w * c. */
  readonly x: Float32Array;
  /** Integer class labels in [0, numClasses). */
  readonly labels: Int32Array;
  /** Number of classes. */
  readonly numClasses: number;
  /** Optional human-readable class names, indexed by label. */
  readonly classNames?: readonly string[];
  /**
   * Real-valued targets, when the task is not classification (regression, soft labels):
   * `size × targetWidth` values, row-major. Training then fits these instead of `labels`.
   */
  readonly targets?: Float32Array;
  /** Values per example in `targets`. */
  readonly targetWidth?: number;
}

/** One mini-batch as tensors. The caller disposes them (the training loop does). */
export interface Batch {
  /** Images [b, h, w, c]. */
  x: tf.Tensor4D;
  /** Labels [b], int32. */
  y: tf.Tensor1D;
  /** Indices of these examples in the data set. */
  indices: Int32Array;
  /** Targets [b, targetWidth], float32, when the data set has them. */
  targets?: tf.Tensor2D;
}

/** Number of examples in `ds`. */
export function size(ds: Dataset): number {
  return ds.labels.length;
}

/** Number of values in one example. */
export function exampleLength(ds: Dataset): number {
  return ds.shape[0] * ds.shape[1] * ds.shape[2];
}

/**
 * Builds a data set, checking that the arrays agree with each other.
 *
 * @example
 * ```ts
 * const ds = makeDataset({ name: "toy", shape: [2, 2, 1], x: new Float32Array(8),
 *   labels: new Int32Array([0, 1]), numClasses: 2 });
 * ```
 */
export function makeDataset(ds: Dataset): Dataset {
  const per = exampleLength(ds);
  if (!ds.shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(
      `Dataset "${ds.name}": shape must be three positive integers, got [${ds.shape}]`,
    );
  }
  if (ds.x.length !== ds.labels.length * per) {
    throw new Error(
      `Dataset "${ds.name}": ${ds.labels.length} labels need ${ds.labels.length * per} pixel ` +
        `values for shape [${ds.shape}], but x has ${ds.x.length}`,
    );
  }
  if (ds.targets && ds.targets.length !== ds.labels.length * (ds.targetWidth ?? 0)) {
    throw new Error(
      `Dataset "${ds.name}": ${ds.labels.length} examples need ${ds.labels.length} × targetWidth ` +
        `target values (targetWidth ${ds.targetWidth}), but targets has ${ds.targets.length}`,
    );
  }
  for (let i = 0; i < ds.labels.length; i++) {
    const y = ds.labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= ds.numClasses) {
      throw new Error(
        `Dataset "${ds.name}": label ${y} at index ${i} is outside [0, ${ds.numClasses})`,
      );
    }
  }
  return ds;
}

/** A new data set holding the examples at `indices`, in that order. */
export function subset(
  ds: Dataset,
  indices: ArrayLike<number>,
  name?: string,
): Dataset {
  const per = exampleLength(ds);
  const n = size(ds);
  const x = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new RangeError(
        `subset of "${ds.name}": index ${i} is outside [0, ${n})`,
      );
    }
    x.set(ds.x.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = ds.labels[i];
  }
  return { ...ds, name: name ?? ds.name, x, labels, ...gatherTargets(ds, indices) };
}

/**
 * The pixels of examples `indices` of `ds` with their shape [n, ...ds.shape], the form image
 * grids take.
 *
 * @example
 * ```ts
 * await showImageGrid([imagesAt(train, [0, 1, 2])]);
 * ```
 */
export function imagesAt(
  ds: Dataset,
  indices: ArrayLike<number>,
): { data: Float32Array; shape: number[] } {
  return { data: subset(ds, indices).x, shape: [indices.length, ...ds.shape] };
}

/** The first `n` examples of `ds` (all of them if it has fewer). */
export function take(ds: Dataset, n: number, name?: string): Dataset {
  const m = Math.min(n, size(ds));
  return {
    ...ds,
    name: name ?? ds.name,
    x: ds.x.slice(0, m * exampleLength(ds)),
    labels: ds.labels.slice(0, m),
    ...(ds.targets ? { targets: ds.targets.slice(0, m * ds.targetWidth!) } : {}),
  };
}

/** The targets of the examples at `indices`, in that order (nothing if `ds` has none). */
function gatherTargets(
  ds: Dataset,
  indices: ArrayLike<number>,
): Pick<Dataset, "targets"> {
  if (!ds.targets) return {};
  const k = ds.targetWidth!;
  const targets = new Float32Array(indices.length * k);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    targets.set(ds.targets.subarray(i * k, (i + 1) * k), j * k);
  }
  return { targets };
}

/**
 * Splits `ds` into train and test parts with the same class proportions in each, using a
 * seeded shuffle within every class.
 *
 * @example
 * ```ts
 * const { train, test } = stratifiedSplit(all, { testFraction: 0.2, seed: 0 });
 * ```
 */
export function stratifiedSplit(
  ds: Dataset,
  opts: { testFraction: number; seed: number },
): { train: Dataset; test: Dataset } {
  const { testFraction, seed } = opts;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(
      `stratifiedSplit: testFraction must be in (0, 1), got ${testFraction}`,
    );
  }
  const rng = new Rng(seed);
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < ds.labels.length; i++) byClass[ds.labels[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (const members of byClass) {
    rng.shuffle(members);
    const nTest = Math.round(members.length * testFraction);
    test.push(...members.slice(0, nTest));
    train.push(...members.slice(nTest));
  }
  // Interleave classes so a prefix of either part is still roughly balanced.
  rng.shuffle(train);
  rng.shuffle(test);
  return {
    train: subset(ds, train, `${ds.name}-train`),
    test: subset(ds, test, `${ds.name}-test`),
  };
}

/** How {@link batches} orders and cuts a data set. */
export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this seed: epoch e's order is the seed's stream `epoch-e`. */
  seed?: number;
  epoch?: number;
  /**
   * Shuffle by drawing the permutation from this generator instead (advancing it), so that
   * successive calls continue one stream. Overrides `seed`.
   */
  rng?: Rng;
  /** Skip the last batch when it is smaller than `batchSize`. */
  dropRemainder?: boolean;
}

/**
 * Iterates over mini-batches. With `seed` (or `rng`), the order is a seeded shuffle (a
 * different one each epoch when `epoch` is given); without, the data set order. The last
 * partial batch is kept unless `dropRemainder`. Targets come along when the data set has them.
 *
 * @example
 * ```ts
 * for (const { x, y } of batches(train, { batchSize: 128, seed: 1, epoch: 0 })) {
 *   // ... use x, y, then dispose them
 *   tf.dispose([x, y]);
 * }
 * ```
 */
export function* batches(ds: Dataset, opts: BatchOptions): Generator<Batch> {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(
      `batches: batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const n = size(ds);
  const order = opts.rng
    ? opts.rng.permutation(n)
    : opts.seed === undefined
    ? Int32Array.from({ length: n }, (_, i) => i)
    : new Rng(opts.seed).fork(`epoch-${opts.epoch ?? 0}`).permutation(n);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    if (opts.dropRemainder && end - start < batchSize) break;
    const indices = order.slice(start, end);
    const part = subset(ds, indices);
    yield {
      x: tf.tensor4d(part.x, [indices.length, ...ds.shape]),
      y: tf.tensor1d(part.labels, "int32"),
      indices,
      ...(part.targets
        ? { targets: tf.tensor2d(part.targets, [indices.length, ds.targetWidth!]) }
        : {}),
    };
  }
}

/**
 * Disposes a batch's tensors (targets included).
 *
 * @example
 * ```ts
 * for (const batch of batches(train, { batchSize: 64 })) disposeBatch(batch);
 * ```
 */
export function disposeBatch(batch: Pick<Batch, "x" | "y" | "targets">): void {
  tf.dispose([batch.x, batch.y, ...(batch.targets ? [batch.targets] : [])]);
}

/** Where {@link forEachBatch} is. */
export interface BatchStep extends Batch {
  /** 0-based batch number. */
  index: number;
}

/**
 * Runs `fn` on every mini-batch of `ds`, in data set order unless `seed` shuffles it, and
 * disposes each batch's tensors after `fn` (also when it throws). `onProgress` hears the
 * examples done after every batch. The one batch loop of lib: attacks, relabelling, transfer
 * and inversion run over data sets through it.
 *
 * @example
 * ```ts
 * await forEachBatch(test, { batchSize: 128 }, async ({ x, y, index }) => {
 *   const { adversarial } = await pgd(model, x, y, { ...opts, seed: index });
 *   adversarial.dispose();
 * });
 * ```
 */
export async function forEachBatch(
  ds: Dataset,
  opts: BatchOptions & {
    onProgress?: (done: number, total: number) => void | Promise<void>;
  },
  fn: (batch: BatchStep) => void | Promise<void>,
): Promise<void> {
  const total = size(ds);
  let done = 0;
  let index = 0;
  for (const batch of batches(ds, opts)) {
    try {
      await fn({ ...batch, index });
    } finally {
      disposeBatch(batch);
    }
    done += batch.indices.length;
    index += 1;
    await opts.onProgress?.(done, total);
  }
}

/** The whole data set as tensors {x: [N,h,w,c], y: [N]}. The caller disposes them. */
export function toTensors(ds: Dataset): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.tensor4d(ds.x, [size(ds), ...ds.shape]),
    y: tf.tensor1d(ds.labels, "int32"),
  };
}
