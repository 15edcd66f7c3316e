/**
 * The training loop: mini-batch gradient descent on a tfjs-layers model with any optimizer,
 * schedule, targets (class labels, or the data set's real-valued targets: regression, soft
 * labels) and loss; hooks before each step (adversarial training and noise augmentation replace
 * the batch there) and after it (pruning masks, logging); live progress, per-epoch metrics, and
 * a clear stop when the loss stops being a finite number.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { batches, type Dataset, disposeBatch, size } from "../data/dataset.ts";
import { Rng } from "../random/rng.ts";
import { createProgress, type ProgressMode } from "../display/progress.ts";
import { makeOptimizer, type OptimizerSpec, setLearningRate } from "./optimizers.ts";
import { lrAt, type Schedule } from "./schedules.ts";
import { correctCount, evaluate, meanCrossEntropy } from "./evaluate.ts";

/** Mean squared error over the batch: the default loss for real-valued targets. */
function meanSquaredError(outputs: tf.Tensor2D, targets: tf.Tensor): tf.Scalar {
  return tf.losses.meanSquaredError(targets, outputs) as tf.Scalar;
}

/**
 * A training loss: batch outputs and targets to a scalar. The targets are the batch's integer
 * labels [b], or its real-valued targets [b, k] when the data set has them.
 */
export type LossFn = (outputs: tf.Tensor2D, targets: tf.Tensor) => tf.Scalar;

/** A mini-batch as the hooks see it. */
export interface TrainBatch {
  x: tf.Tensor4D;
  /** Integer labels [b]. */
  y: tf.Tensor1D;
  /** Real-valued targets [b, k], when the data set has them; the loss fits these. */
  targets?: tf.Tensor2D;
}

/** Where the loop is when it calls a hook. */
export interface BatchContext {
  epoch: number;
  /** Global step, 0-based. */
  step: number;
  /** A seed for this step only (derived from the run's seed and the step). */
  seed: number;
}

/**
 * Runs before each gradient step and may replace the batch (e.g. by adversarial examples of
 * the current model, or noisy copies). Tensors it returns are disposed by the loop, as are the
 * originals. A hook that changes what is learned carries a `config` (a JSON value describing
 * it) so that the model cache can key on it.
 */
export type BatchHook = (
  batch: TrainBatch,
  ctx: BatchContext,
) => TrainBatch | Promise<TrainBatch>;

/** What an after-step hook sees: the step just taken and the model it updated. */
export interface StepContext extends BatchContext {
  /** The loss of the step. */
  loss: number;
  model: tf.LayersModel;
}

/** Runs after each gradient step (e.g. re-applies a pruning mask to the weights). */
export type StepHook = (ctx: StepContext) => void | Promise<void>;

/** Options of {@link fit}. Give exactly one of `epochs` and `steps`. */
export interface FitOptions {
  batchSize: number;
  epochs?: number;
  steps?: number;
  optimizer: OptimizerSpec;
  schedule?: Schedule;
  /** Seeds the batch order and the hooks' seeds. */
  seed: number;
  /**
   * How batches are drawn. "per-epoch" (default): epoch e's order is the seed's stream
   * `epoch-e` and the last partial batch is kept. "stream": one generator draws every epoch's
   * permutation in turn and partial batches are skipped (notebook 05's counters train so).
   */
  shuffle?: "per-epoch" | "stream";
  /**
   * Default: softmax cross-entropy on integer labels, or mean squared error when the data set
   * has real-valued targets.
   */
  loss?: LossFn;
  /** L2 penalty `weightDecay/2 · Σ‖W‖²` over kernels (weights of rank ≥ 2). */
  weightDecay?: number;
  /** Called before each step; may replace the batch. */
  beforeStep?: BatchHook;
  /** Called after each step. */
  afterStep?: StepHook;
  /** Evaluated after every epoch. */
  validation?: Dataset;
  /** Progress display: "auto" (default), "jupyter", "terminal" or "quiet". */
  progress?: ProgressMode;
  /** Shown on the progress bar. */
  label?: string;
  /**
   * Whether the accuracy metric applies; default: true on class labels, false on real-valued
   * targets.
   */
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
  // "stream" shuffling skips partial batches, so its epochs hold only the full ones.
  const stream = opts.shuffle === "stream";
  const perEpoch = stream ? Math.floor(n / opts.batchSize) : Math.ceil(n / opts.batchSize);
  if (perEpoch === 0) {
    throw new Error(
      `fit: "${ds.name}" has fewer examples (${n}) than one batch ` +
        `(${opts.batchSize}) and shuffle "stream" skips partial batches; lower batchSize`,
    );
  }
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

/** A model whose outputs cannot match the data set's targets fails here, not deep in tfjs. */
function checkOutputs(model: tf.LayersModel, train: Dataset): void {
  const outputs = model.outputs[0].shape.at(-1);
  if (train.targets && outputs !== train.targetWidth) {
    throw new Error(
      `fit: the model has ${outputs} outputs but "${train.name}" has ${train.targetWidth} ` +
        `targets per example; build it with ${train.targetWidth} outputs (numClasses: ` +
        `${train.targetWidth})`,
    );
  }
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
  checkOutputs(model, train);
  const regression = train.targets !== undefined;
  const lossFn: LossFn = opts.loss ??
    (regression ? meanSquaredError : (o, labels) => meanCrossEntropy(o, labels as tf.Tensor1D));
  const classification = opts.classification ?? !regression;
  const optimizer = makeOptimizer(opts.optimizer);
  const schedule = opts.schedule ?? { kind: "constant" };
  const rng = new Rng(opts.seed);
  // "stream" shuffling continues one generator across epochs (see FitOptions.shuffle).
  const stream = opts.shuffle === "stream" ? new Rng(opts.seed) : undefined;
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
      const order = batches(
        train,
        stream
          ? { batchSize: opts.batchSize, rng: stream, dropRemainder: true }
          : { batchSize: opts.batchSize, seed: rng.seed, epoch },
      );
      for (const original of order) {
        if (step >= total) {
          disposeBatch(original);
          break;
        }
        lr = lrAt(schedule, opts.optimizer.lr, step, total);
        setLearningRate(optimizer, lr);
        const context: BatchContext = { epoch, step, seed: rng.fork(`step-${step}`).seed };
        let batch: TrainBatch = { x: original.x, y: original.y, targets: original.targets };
        if (opts.beforeStep) batch = await opts.beforeStep(batch, context);
        let right: tf.Scalar | undefined;
        const loss = optimizer.minimize(() => {
          const outputs = model.apply(batch.x, {
            training: true,
          }) as tf.Tensor2D;
          if (classification) right = tf.keep(correctCount(outputs, batch.y));
          const base = lossFn(outputs, batch.targets ?? batch.y);
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
        tf.dispose([loss, right!]);
        disposeBatch(original);
        disposeBatch(batch);
        if (!Number.isFinite(value)) {
          throw new TrainingDivergedError(step, epoch, value, lr);
        }
        await opts.afterStep?.({ ...context, loss: value, model });
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
