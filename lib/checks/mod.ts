/**
 * Input checks shared by the attacks, so bad input fails early with a message naming the
 * problem and the fix instead of a tfjs stack trace from deep inside a gradient.
 *
 * @module
 */

import { tf } from "../tf.ts";

/**
 * Tensors already read and found inside [0, 1]. Tensor values never change (variables aside),
 * so a batch attacked again (another radius, another training step) is not read again.
 */
const imagesInBox = new WeakSet<tf.Tensor>();

/**
 * Throws unless `x` is a rank-4 float batch [B, h, w, c] with every value in [0, 1]. Reads
 * the values once per tensor.
 *
 * @example
 * ```ts
 * await checkImages("pgd", x);
 * ```
 */
export async function checkImages(
  where: string,
  x: tf.Tensor,
): Promise<void> {
  if (!(x instanceof tf.Tensor)) {
    throw new TypeError(
      `${where}: images must be a tf.Tensor4D, got ${typeof x}`,
    );
  }
  if (x.rank !== 4) {
    throw new RangeError(
      `${where}: images must be a batch [B, height, width, channels], got shape [${x.shape}]; ` +
        `add a batch axis with x.expandDims(0) or reshape it`,
    );
  }
  if (x.size === 0) {
    throw new RangeError(
      `${where}: images batch is empty (shape [${x.shape}])`,
    );
  }
  if (imagesInBox.has(x) && !x.isDisposed) return;
  // Read asynchronously: webgpu in Deno cannot read tensors synchronously.
  const range = tf.tidy(() => tf.stack([tf.min(x), tf.max(x)]));
  const [lo, hi] = await range.data();
  range.dispose();
  if (!(lo >= 0 && hi <= 1)) {
    throw new RangeError(
      `${where}: image values must lie in [0, 1] (the attack box), got [${lo}, ${hi}]; ` +
        `scale the data to [0, 1] first`,
    );
  }
  if (!(x instanceof tf.Variable)) imagesInBox.add(x);
}

/** Values read from label tensors, so labels given again as the same tensor are not re-read. */
const labelReads = new WeakMap<tf.Tensor, ArrayLike<number>>();

/**
 * The values of class labels after checking their shape and count against the batch (from
 * shapes alone); their values are checked by {@link checkClassIndices} once the number of
 * classes is known. A tensor is read once; the result must not be modified.
 *
 * @example
 * ```ts
 * const values = await labelValues("pgd", "labels", y, x.shape[0]);
 * ```
 */
export async function labelValues(
  where: string,
  what: string,
  labels: tf.Tensor1D | ArrayLike<number>,
  batch: number,
): Promise<ArrayLike<number>> {
  if (!(labels instanceof tf.Tensor)) {
    checkLabelCount(where, what, labels.length, batch);
    return labels;
  }
  if (labels.rank !== 1) {
    throw new RangeError(
      `${where}: ${what} must be one integer per example (shape [${batch}]), got shape [${labels.shape}]`,
    );
  }
  checkLabelCount(where, what, labels.size, batch);
  const known = labelReads.get(labels);
  if (known && !labels.isDisposed) return known;
  const values = await labels.data();
  if (!(labels instanceof tf.Variable)) labelReads.set(labels, values);
  return values;
}

function checkLabelCount(
  where: string,
  what: string,
  count: number,
  batch: number,
): void {
  if (count !== batch) {
    throw new RangeError(
      `${where}: ${count} ${what} for a batch of ${batch} images; pass one per image`,
    );
  }
}

/**
 * Throws unless every value is an integer class index in [0, classes).
 *
 * @example
 * ```ts
 * checkClassIndices("pgd", "labels", [3, 1], 10);
 * ```
 */
export function checkClassIndices(
  where: string,
  what: string,
  values: ArrayLike<number>,
  classes: number,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(
        `${where}: ${what}[${i}] = ${v} is not a class index in [0, ${classes}) ` +
          `(the model outputs ${classes} logits)`,
      );
    }
  }
}

/**
 * Integer class labels as an int32 tensor [B] after checking their count against the batch
 * and their values against the number of classes. The caller disposes the result.
 *
 * @example
 * ```ts
 * const y = await labelTensor("pgd", "labels", [3, 1], 2, 10);
 * ```
 */
export async function labelTensor(
  where: string,
  what: string,
  labels: tf.Tensor1D | ArrayLike<number>,
  batch: number,
  classes: number,
): Promise<tf.Tensor1D> {
  const values = await labelValues(where, what, labels, batch);
  checkClassIndices(where, what, values, classes);
  return tf.tensor1d(Int32Array.from(values), "int32");
}

/**
 * Throws unless `logits`, the model's output for images `x`, is a [B, C] tensor.
 *
 * @example
 * ```ts
 * checkLogits("pgd", model(x), x);
 * ```
 */
export function checkLogits(
  where: string,
  logits: unknown,
  x: tf.Tensor4D,
): asserts logits is tf.Tensor2D {
  if (
    !(logits instanceof tf.Tensor) || logits.rank !== 2 ||
    logits.shape[0] !== x.shape[0]
  ) {
    const shape = logits instanceof tf.Tensor ? `[${logits.shape}]` : typeof logits;
    throw new RangeError(
      `${where}: the model must map images [${x.shape}] to logits [${x.shape[0]}, classes], ` +
        `got ${shape}`,
    );
  }
}

/**
 * Logits of `x` as a [B, C] tensor, checking the model's output shape. The caller disposes it.
 *
 * @example
 * ```ts
 * const logits = checkedLogits("pgd", model, x);
 * ```
 */
export function checkedLogits(
  where: string,
  logitsFn: (x: tf.Tensor4D) => tf.Tensor,
  x: tf.Tensor4D,
): tf.Tensor2D {
  const logits: unknown = tf.tidy(() => logitsFn(x));
  try {
    checkLogits(where, logits, x);
  } catch (error) {
    tf.dispose(logits as tf.Tensor);
    throw error;
  }
  return logits;
}

/**
 * Throws unless `value` is an integer >= `min`.
 *
 * @example
 * ```ts
 * checkInteger("pgd", "steps", 10, 0);
 * ```
 */
export function checkInteger(
  where: string,
  name: string,
  value: number,
  min: number,
): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(
      `${where}: ${name} must be an integer >= ${min}, got ${value}`,
    );
  }
}

/**
 * Throws unless `value` is a finite number > 0.
 *
 * @example
 * ```ts
 * checkPositive("pgd", "stepSize", 0.01);
 * ```
 */
export function checkPositive(
  where: string,
  name: string,
  value: number,
): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `${where}: ${name} must be a finite number > 0, got ${value}`,
    );
  }
}
