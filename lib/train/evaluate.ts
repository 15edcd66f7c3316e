/**
 * Evaluation over a data set in batches: loss, accuracy, predictions.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { type Dataset, forEachBatch, size } from "../data/dataset.ts";
import { crossEntropy } from "../optimize/losses.ts";
import { asImageFn, type Classifier } from "../models/types.ts";

/** Mean softmax cross-entropy over the batch, as a scalar: the default training loss. */
export function meanCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => tf.mean(crossEntropy(logits, labels)));
}

/** Number of correct predictions in a batch, as a scalar. */
export function correctCount(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), "float32")));
}

/**
 * 1 for each example of the batch that `model` classifies as its label, else 0.
 *
 * @example
 * ```ts
 * const right = await correctFlags(model, x, y); // Uint8Array [B]
 * ```
 */
export async function correctFlags(
  model: Classifier,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
): Promise<Uint8Array> {
  const f = asImageFn(model);
  const flags = tf.tidy(() => tf.equal(tf.argMax(f(x), 1), y));
  const out = Uint8Array.from(await flags.data());
  flags.dispose();
  return out;
}

/** Result of {@link evaluate}. */
export interface Evaluation {
  loss: number;
  accuracy: number;
  n: number;
}

/**
 * Mean cross-entropy and accuracy of `model` on `ds`.
 *
 * @example
 * ```ts
 * const { accuracy } = await evaluate(model, test);
 * ```
 */
export async function evaluate(
  model: Classifier,
  ds: Dataset,
  opts: { batchSize?: number } = {},
): Promise<Evaluation> {
  const f = asImageFn(model);
  let lossSum = 0;
  let correct = 0;
  await forEachBatch(ds, { batchSize: opts.batchSize ?? 256 }, async (batch) => {
    const [loss, right] = tf.tidy(() => {
      const logits = f(batch.x);
      return [
        tf.sum(crossEntropy(logits, batch.y)),
        correctCount(logits, batch.y),
      ];
    });
    lossSum += (await loss.data())[0];
    correct += (await right.data())[0];
    tf.dispose([loss, right]);
  });
  const n = size(ds);
  return { loss: n ? lossSum / n : NaN, accuracy: n ? correct / n : NaN, n };
}

/**
 * Logits and predicted classes for every example of `ds`.
 *
 * @example
 * ```ts
 * const { predictions } = await predict(model, test);
 * ```
 */
export async function predict(
  model: Classifier,
  ds: Dataset,
  opts: { batchSize?: number } = {},
): Promise<
  { logits: Float32Array; predictions: Int32Array; numClasses: number }
> {
  const f = asImageFn(model);
  const chunks: Float32Array[] = [];
  let numClasses = 0;
  await forEachBatch(ds, { batchSize: opts.batchSize ?? 256 }, async (batch) => {
    const logits = tf.tidy(() => f(batch.x));
    numClasses = logits.shape[1];
    chunks.push(await logits.data() as Float32Array);
    logits.dispose();
  });
  const n = size(ds);
  const all = new Float32Array(n * numClasses);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  const predictions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) {
      if (all[i * numClasses + k] > all[i * numClasses + best]) best = k;
    }
    predictions[i] = best;
  }
  return { logits: all, predictions, numClasses };
}
