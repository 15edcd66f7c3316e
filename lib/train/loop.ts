/**
 * The training loop: mini-batch gradient descent on a tfjs-layers model with any optimizer,
 * schedule and loss, a per-batch hook (adversarial training plugs in here), live progress,
 * per-epoch metrics, and a clear stop when the loss stops being a finite number.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { batches, type Dataset, size } from "../data/dataset.ts";
import { Rng } from "../random/rng.ts";
import { createProgress, type ProgressMode } from "../display/progress.ts";
import { makeOptimizer, type OptimizerSpec, setLearningRate } from "./optimizers.ts";
import { lrAt, type Schedule } from "./schedules.ts";
import { correctCount, evaluate, meanCrossEntropy } from "./evaluate.ts";

/** A training loss: batch logits (or outputs) and labels to a scalar. */
export type LossFn = (outputs: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar;

/** A mini-batch as the hook sees it. */
export interface TrainBatch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

/** Where the loop is when it calls the hook. */
export interface BatchContext {
  epoch: number;
  /** Global step, 0-based. */
  step: number;
  /** A generator for this step only (seeded from the run's seed and the step). */
  rng: Rng;
}

/**
 * Runs before each gradient step and may replace the batch (e.g. by adversarial examples of
 * the current model). Tensors it returns are disposed by the loop, as are the originals.
 */
export type BatchHook = (
  batch: TrainBatch,
  ctx: BatchContext,
) => TrainBatch | Promise<TrainBatch>;

/** Options of {@link fit}. Give exactly one of `epochs` and `steps`. */
export interface FitOptions {
  batchSize: number;
  epochs?: number;
  steps?: number;
  optimizer: OptimizerSpec;
  schedule?: Schedule;
  /** Seeds the batch order and the hook's generators. */
  seed: number;
  /** Default: softmax cross-entropy on integer labels. */
  loss?: LossFn;
  /** L2 penalty `weightDecay/2 · Σ‖W‖²` over kernels (weights of rank ≥ 2). */
  weightDecay?: number;
  onBatch?: BatchHook;
  /** Evaluated after every epoch. */
  validation?: Dataset;
  /** Progress display: "auto" (default), "jupyter", "terminal" or "quiet". */
  progress?: ProgressMode;
  /** Shown on the progress bar. */
  label?: string;
  /** Whether the default accuracy metric applies (classification); default true. */
  classification?: boolean;
}

/** Metrics of one epoch (or of the final partial epoch of a step-limited run). */
export interface EpochRecord {
  epoch: number;
  steps: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
}

/** What {@link fit} returns. */
export interface FitResult {
  epochs: EpochRecord[];
  /** Loss of every step, in order. */
  stepLosses: number[];
  steps: number;
  seconds: number;
  imagesPerSecond: number;
}

/** Thrown when the loss becomes NaN or infinite. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly loss: number,
    lr: number,
  ) {
    super(
      `Training diverged at step ${step} (epoch ${epoch + 1}): the loss is ${loss}. ` +
        `Lower the learning rate (it was ${lr.toPrecision(3)}), or check the inputs and labels ` +
        `for NaN or out-of-range values.`,
    );
    this.name = "TrainingDivergedError";
  }
}

function checkOptions(
  ds: Dataset,
  opts: FitOptions,
): { total: number; perEpoch: number } {
  if ((opts.epochs === undefined) === (opts.steps === undefined)) {
    throw new Error("fit: give exactly one of `epochs` and `steps`");
  }
  const n = size(ds);
  if (n === 0) throw new Error(`fit: the training set "${ds.name}" is empty`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0) {
    throw new Error(
      `fit: batchSize must be a positive integer, got ${opts.batchSize}`,
    );
  }
  const perEpoch = Math.ceil(n / opts.batchSize);
  const count = opts.epochs ?? opts.steps!;
  if (!Number.isInteger(count) || count <= 0) {
    throw new Error(
      `fit: ${opts.epochs !== undefined ? "epochs" : "steps"} must be a positive integer`,
    );
  }
  return {
    total: opts.epochs !== undefined ? opts.epochs * perEpoch : opts.steps!,
    perEpoch,
  };
}

/**
 * Trains `model` on `train`.
 *
 * @example
 * ```ts
 * const result = await fit(model, train, {
 *   epochs: 3, batchSize: 128, seed: 0, optimizer: { name: "adam", lr: 1e-3 },
 *   validation: test,
 * });
 * console.log(result.epochs.at(-1)?.valAccuracy);
 * ```
 */
export async function fit(
  model: tf.LayersModel,
  train: Dataset,
  opts: FitOptions,
): Promise<FitResult> {
  const { total, perEpoch } = checkOptions(train, opts);
  const lossFn = opts.loss ?? meanCrossEntropy;
  const classification = opts.classification ?? true;
  const optimizer = makeOptimizer(opts.optimizer);
  const schedule = opts.schedule ?? { kind: "constant" };
  const rng = new Rng(opts.seed);
  const kernels = model.trainableWeights.filter((w) => w.shape.length >= 2);
  const progress = createProgress({
    total,
    label: opts.label ?? model.name,
    mode: opts.progress,
  });
  const epochs: EpochRecord[] = [];
  const stepLosses: number[] = [];
  const start = performance.now();
  let step = 0;
  let images = 0;
  try {
    for (let epoch = 0; step < total; epoch++) {
      const epochStart = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let stepsInEpoch = 0;
      let lr = opts.optimizer.lr;
      const order = batches(train, {
        batchSize: opts.batchSize,
        seed: rng.seed,
        epoch,
      });
      for (const original of order) {
        if (step >= total) {
          tf.dispose([original.x, original.y]);
          break;
        }
        lr = lrAt(schedule, opts.optimizer.lr, step, total);
        setLearningRate(optimizer, lr);
        let batch: TrainBatch = { x: original.x, y: original.y };
        if (opts.onBatch) {
          batch = await opts.onBatch(batch, {
            epoch,
            step,
            rng: rng.fork(`step-${step}`),
          });
        }
        let right: tf.Scalar | undefined;
        const loss = optimizer.minimize(() => {
          const outputs = model.apply(batch.x, {
            training: true,
          }) as tf.Tensor2D;
          if (classification) right = tf.keep(correctCount(outputs, batch.y));
          const base = lossFn(outputs, batch.y);
          if (!opts.weightDecay) return base;
          const penalty = tf.addN(
            kernels.map((w) => tf.sum(tf.square(w.read()))),
          );
          return tf.add(
            base,
            tf.mul(penalty, opts.weightDecay / 2),
          ) as tf.Scalar;
        }, true)!;
        const value = (await loss.data())[0];
        const rightValue = right ? (await right.data())[0] : 0;
        const b = batch.x.shape[0];
        tf.dispose([loss, right!, original.x, original.y, batch.x, batch.y]);
        if (!Number.isFinite(value)) {
          throw new TrainingDivergedError(step, epoch, value, lr);
        }
        stepLosses.push(value);
        lossSum += value * b;
        correct += rightValue;
        seen += b;
        images += b;
        step++;
        stepsInEpoch++;
        progress.update(step, {
          epoch: epoch + 1,
          loss: lossSum / seen,
          ...(classification ? { acc: correct / seen } : {}),
        });
      }
      const record: EpochRecord = {
        epoch: epoch + 1,
        steps: stepsInEpoch,
        loss: lossSum / seen,
        lr,
        seconds: 0,
      };
      if (classification) record.accuracy = correct / seen;
      if (opts.validation) {
        const val = await evaluate(model, opts.validation);
        record.valLoss = val.loss;
        record.valAccuracy = val.accuracy;
      }
      record.seconds = (performance.now() - epochStart) / 1000;
      epochs.push(record);
      if (stepsInEpoch < perEpoch && step >= total) break;
    }
  } finally {
    optimizer.dispose();
  }
  const last = epochs[epochs.length - 1];
  progress.finish({
    loss: last.loss,
    ...(last.accuracy !== undefined ? { acc: last.accuracy } : {}),
    ...(last.valAccuracy !== undefined ? { val_acc: last.valAccuracy } : {}),
  });
  const seconds = (performance.now() - start) / 1000;
  return {
    epochs,
    stepLosses,
    steps: step,
    seconds,
    imagesPerSecond: images / seconds,
  };
}
