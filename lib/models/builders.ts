/**
 * Model builders for the notebooks: MLPs with any activation (smooth ones included, for
 * second derivatives), a configurable CNN and the reference CNN of the benchmarks, all seeded
 * and all returning logits.
 *
 * Models are tfjs-layers `LayersModel`s, so they save and load through tfjs's IO handlers and
 * can be called inside `tf.grad` with `model.apply(x)`.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/rng.ts";
import type { Model } from "./types.ts";

/** Activations the builders accept. Smooth ones (all but relu) have non-zero second derivatives. */
export const ACTIVATIONS = [
  "relu",
  "softplus",
  "sigmoid",
  "tanh",
  "gelu",
  "elu",
  "linear",
] as const;
/** One of {@link ACTIVATIONS}. */
export type Activation = typeof ACTIVATIONS[number];

function checkActivation(name: string, where: string): Activation {
  if (!(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(
      `${where}: unknown activation "${name}"; use one of ${ACTIVATIONS.join(", ")}`,
    );
  }
  return name as Activation;
}

function checkPositiveInts(values: readonly number[], what: string): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(
        `${what} must be positive integers, got [${values.join(", ")}]`,
      );
    }
  }
}

/** Seeded initializers: Glorot-uniform kernels (Keras's default) and zero biases. */
function initializers(rng: Rng) {
  return {
    kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }),
    biasInitializer: tf.initializers.zeros(),
  };
}

/** Hidden dense layers `<prefix>1..K`, then the output layer `logits`. */
function denseHead(
  h: tf.SymbolicTensor,
  opts: {
    widths: readonly number[];
    prefix: string;
    activation: Activation;
    outputs: number;
    outputActivation: Activation;
    rng: Rng;
  },
): tf.SymbolicTensor {
  opts.widths.forEach((units, i) => {
    h = tf.layers.dense({
      units,
      activation: opts.activation,
      name: `${opts.prefix}${i + 1}`,
      ...initializers(opts.rng),
    }).apply(h) as tf.SymbolicTensor;
  });
  return tf.layers.dense({
    units: opts.outputs,
    activation: opts.outputActivation,
    name: "logits",
    ...initializers(opts.rng),
  }).apply(h) as tf.SymbolicTensor;
}

/** Options for {@link mlp}. */
export interface MlpOptions {
  /** Seed for the weights. */
  seed: number;
  /** Input shape without the batch dimension, e.g. [28, 28, 1] (flattened inside). */
  inputShape: readonly number[];
  /** Hidden layer widths, e.g. [300, 100]. */
  widths: readonly number[];
  /** Hidden activation (default relu). */
  activation?: Activation;
  /** Outputs (default 10). */
  numClasses?: number;
  /** Activation on the outputs (default linear: logits). */
  outputActivation?: Activation;
}

/**
 * A multi-layer perceptron. Layers are named `flatten`, `dense1`…`denseK`, `logits`.
 *
 * @example
 * ```ts
 * const model = mlp({ seed: 0, inputShape: [28, 28, 1], widths: [300, 100], activation: "gelu" });
 * const logits = model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor2D; // [2, 10]
 * ```
 */
export function mlp(opts: MlpOptions): Model {
  const activation = checkActivation(opts.activation ?? "relu", "mlp");
  const outputActivation = checkActivation(
    opts.outputActivation ?? "linear",
    "mlp output",
  );
  checkPositiveInts(opts.inputShape, "mlp: inputShape");
  checkPositiveInts(opts.widths, "mlp: widths");
  const rng = new Rng(opts.seed);
  const input = tf.input({ shape: [...opts.inputShape], name: "input" });
  // Flatten needs rank >= 3 ([batch, a, b, ...]); vector inputs are already flat.
  const h = opts.inputShape.length > 1
    ? tf.layers.flatten({ name: "flatten" }).apply(input) as tf.SymbolicTensor
    : input;
  const out = denseHead(h, {
    widths: opts.widths,
    prefix: "dense",
    activation,
    outputs: opts.numClasses ?? 10,
    outputActivation,
    rng,
  });
  return tf.model({ inputs: input, outputs: out, name: "mlp" });
}

/** One convolution stage of {@link cnn}. */
export interface ConvStage {
  filters: number;
  /** Square kernel size (default 3). */
  kernel?: number;
  /** Stride (default 1). Strided convolutions replace pooling where second derivatives matter. */
  stride?: number;
  /** Padding (default "same"). */
  padding?: "same" | "valid";
  /** Max-pooling window after the convolution (default none). */
  pool?: number;
}

/** Options for {@link cnn}. */
export interface CnnOptions {
  seed: number;
  inputShape: readonly [number, number, number];
  convs: readonly ConvStage[];
  /** Hidden dense widths after flattening. */
  dense: readonly number[];
  activation?: Activation;
  numClasses?: number;
  outputActivation?: Activation;
  /** Replace flatten by global average pooling (size-independent heads). */
  globalPool?: boolean;
  /**
   * Batch normalization between each convolution and its activation (the convolution then has
   * no bias, which the normalization would cancel). Default false.
   */
  batchNorm?: boolean;
}

/**
 * A convolutional network. Layers are named `conv1` (with `batchNorm`: `conv1`, `bn1`, `act1`),
 * `pool1`, …, `flatten` (or `gap`), `fc1`…, `logits`.
 *
 * @example
 * ```ts
 * const counter = cnn({ seed: 1, inputShape: [64, 64, 3], activation: "softplus",
 *   convs: [{ filters: 16, stride: 2 }, { filters: 32, stride: 2 }], dense: [64],
 *   numClasses: 2, outputActivation: "relu" });
 * ```
 */
export function cnn(opts: CnnOptions): Model {
  const activation = checkActivation(opts.activation ?? "relu", "cnn");
  const outputActivation = checkActivation(
    opts.outputActivation ?? "linear",
    "cnn output",
  );
  checkPositiveInts(opts.inputShape, "cnn: inputShape");
  checkPositiveInts(opts.dense, "cnn: dense widths");
  if (opts.convs.length === 0) {
    throw new Error("cnn: give at least one convolution stage");
  }
  const rng = new Rng(opts.seed);
  const input = tf.input({ shape: [...opts.inputShape], name: "input" });
  let h: tf.SymbolicTensor = input;
  opts.convs.forEach((stage, i) => {
    checkPositiveInts(
      [stage.filters, stage.kernel ?? 3, stage.stride ?? 1],
      `cnn: stage ${i + 1}`,
    );
    h = tf.layers.conv2d({
      filters: stage.filters,
      kernelSize: stage.kernel ?? 3,
      strides: stage.stride ?? 1,
      padding: stage.padding ?? "same",
      activation: opts.batchNorm ? "linear" : activation,
      name: `conv${i + 1}`,
      ...initializers(rng),
      ...(opts.batchNorm ? { useBias: false } : {}),
    }).apply(h) as tf.SymbolicTensor;
    if (opts.batchNorm) {
      h = tf.layers.batchNormalization({ name: `bn${i + 1}` }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.activation({ activation, name: `act${i + 1}` }).apply(h) as tf.SymbolicTensor;
    }
    if (stage.pool) {
      h = tf.layers.maxPooling2d({ poolSize: stage.pool, name: `pool${i + 1}` })
        .apply(h) as tf.SymbolicTensor;
    }
  });
  h =
    (opts.globalPool
      ? tf.layers.globalAveragePooling2d({ name: "gap" })
      : tf.layers.flatten({ name: "flatten" })).apply(h) as tf.SymbolicTensor;
  const out = denseHead(h, {
    widths: opts.dense,
    prefix: "fc",
    activation,
    outputs: opts.numClasses ?? 10,
    outputActivation,
    rng,
  });
  return tf.model({ inputs: input, outputs: out, name: "cnn" });
}

/**
 * The reference CNN of the benchmarks and notebooks: conv3×3·32 → maxpool2 → conv3×3·64 →
 * maxpool2 → fc128 → fc10, ReLU, "same" padding.
 *
 * @example
 * ```ts
 * const model = referenceCnn({ seed: 0 });
 * model.layers.map((l) => l.name); // input, conv1, pool1, conv2, pool2, flatten, fc1, logits
 * ```
 */
export function referenceCnn(
  opts: {
    seed: number;
    inputShape?: [number, number, number];
    numClasses?: number;
    activation?: Activation;
  },
): Model {
  return cnn({
    seed: opts.seed,
    inputShape: opts.inputShape ?? [28, 28, 1],
    convs: [{ filters: 32, pool: 2 }, { filters: 64, pool: 2 }],
    dense: [128],
    activation: opts.activation ?? "relu",
    numClasses: opts.numClasses ?? 10,
  });
}
