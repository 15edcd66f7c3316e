/**
 * The network of Allen-Zhu & Li (2020), "Feature purification": a two-layer net whose hidden
 * units are symmetric pairs with a bias,
 *
 *   f(x) = Σ_i [σ(⟨w_i, x⟩ − b_i) − σ(−⟨w_i, x⟩ − b_i)],
 *
 * with σ a smoothed ReLU, so each unit is an odd function of ⟨w_i, x⟩ that stays at zero while
 * |⟨w_i, x⟩| ≤ b_i: a neuron ignores small projections, which is what lets a pure neuron (w_i a
 * single dictionary atom) shrug off a small dense perturbation. The model returns the two logits
 * [−f/2, f/2], so softmax cross-entropy on labels {0, 1} is the paper's logistic loss
 * log(1 + e^{−y f(x)}) with y = ±1, and every lenses attack and the training loop apply as is.
 * The ordinary ReLU variant is a plain one-hidden-layer MLP.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/mod.ts";
import { mlp } from "./builders.ts";

/**
 * The paper's smoothed ReLU: 0 for z ≤ 0, z²/(2ϱ) on [0, ϱ], z − ϱ/2 beyond; continuously
 * differentiable, so gradients of the loss are continuous in the weights.
 *
 * @example
 * ```ts
 * smoothedRelu(tf.tensor([-1, 0.05, 1]), 0.1).print(); // [0, 0.0125, 0.95]
 * ```
 */
export function smoothedRelu(z: tf.Tensor, rho: number): tf.Tensor {
  if (!(rho > 0 && Number.isFinite(rho))) {
    throw new RangeError(`smoothedRelu: rho must be a finite number > 0, got ${rho}`);
  }
  return tf.tidy(() => {
    const r = tf.relu(z);
    const quadratic = tf.div(tf.square(tf.minimum(r, rho)), 2 * rho);
    return tf.add(quadratic, tf.relu(tf.sub(r, rho)));
  });
}

interface PairsConfig {
  units: number;
  rho: number;
  kernelStd: number;
  biasInit: number;
  inputOffset: number;
  trainBias: boolean;
  relativeBias: number;
  seed: number;
  name?: string;
}

/** The hidden layer and the fixed output sum of {@link symmetricNet}, as one layer. */
class SymmetricPairs extends tf.layers.Layer {
  static className = "LensesSymmetricPairs";
  readonly config: PairsConfig;
  kernel?: tf.LayerVariable;
  bias?: tf.LayerVariable;

  constructor(config: PairsConfig) {
    super({ name: config.name });
    this.config = config;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const d = shape[shape.length - 1]!;
    const { units, kernelStd, biasInit, seed } = this.config;
    this.kernel = this.addWeight(
      "kernel",
      [d, units],
      "float32",
      tf.initializers.randomNormal({ mean: 0, stddev: kernelStd, seed }),
    );
    this.bias = this.addWeight(
      "bias",
      [units],
      "float32",
      tf.initializers.constant({ value: biasInit }),
      undefined,
      this.config.trainBias,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0], 2];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const centred = tf.sub(x, this.config.inputOffset) as tf.Tensor2D;
      const kernel = this.kernel!.read();
      const h = tf.matMul(centred, kernel as tf.Tensor2D);
      const b = this.config.relativeBias === 0 ? this.bias!.read() : tf.add(
        this.bias!.read(),
        tf.mul(tf.norm(kernel, "euclidean", 0), this.config.relativeBias),
      );
      const rho = this.config.rho;
      const pairs = tf.sub(
        smoothedRelu(tf.sub(h, b), rho),
        smoothedRelu(tf.sub(tf.neg(h), b), rho),
      );
      const f = tf.sum(pairs, 1, true);
      return tf.concat([tf.mul(f, -0.5), tf.mul(f, 0.5)], 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.config };
  }
}
tf.serialization.registerClass(SymmetricPairs);

/** Options of {@link symmetricNet}. */
export interface SymmetricNetOptions {
  /** Seeds the initial weights. */
  seed: number;
  /** Input shape without the batch dimension, e.g. [1, 64, 1] (flattened inside). */
  inputShape: readonly number[];
  /** Number of hidden pairs m. */
  width: number;
  /** Smoothing width ϱ of the smoothed ReLU (default 0.05). */
  rho?: number;
  /** Standard deviation of the initial weights (default 1/d, the paper's small random init). */
  initStd?: number;
  /** Initial bias b of every unit (default 0). */
  bias?: number;
  /** Whether b is trained with the weights (default true); false keeps every b_i at `bias`. */
  trainBias?: boolean;
  /**
   * Adds c·‖w_i‖ to each unit's bias (default c = 0): a threshold on the projection of x on the
   * unit direction w_i/‖w_i‖ that grows with the weights, as the paper's bias schedule does, so
   * a unit keeps ignoring projections below c however large its weights become.
   */
  relativeBias?: number;
  /**
   * Subtracted from every input value before the first layer (default 0): the `offset` a
   * `sparseLinearTask` adds to put x into the box [0, 1], so that the units see the
   * zero-centred x the paper's odd units need.
   */
  inputOffset?: number;
}

function checkWidth(where: string, width: number, inputShape: readonly number[]): number {
  if (!Number.isInteger(width) || width <= 0) {
    throw new RangeError(`${where}: width must be a positive integer, got ${width}`);
  }
  if (!inputShape.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(
      `${where}: inputShape must be positive integers, got [${inputShape.join(", ")}]`,
    );
  }
  return inputShape.reduce((a, b) => a * b, 1);
}

/**
 * The paper's two-layer network of symmetric pairs. Layers: `input`, `flatten`, `hidden`
 * (kernel [d, width]: column i is w_i; bias [width]: b_i). Outputs the logits [−f/2, f/2].
 *
 * @example
 * ```ts
 * const net = symmetricNet({ seed: 0, inputShape: [1, 64, 1], width: 64 });
 * await fit(net, task.sample(20000, 1), { epochs: 1, batchSize: 64, seed: 0,
 *   optimizer: { name: "sgd", lr: 0.1 } });
 * ```
 */
export function symmetricNet(opts: SymmetricNetOptions): tf.LayersModel {
  const d = checkWidth("symmetricNet", opts.width, opts.inputShape);
  const rho = opts.rho ?? 0.05;
  const kernelStd = opts.initStd ?? 1 / d;
  if (!(kernelStd > 0)) throw new RangeError(`symmetricNet: initStd must be > 0, got ${kernelStd}`);
  const input = tf.input({ shape: [...opts.inputShape], name: "input" });
  const flat = tf.layers.flatten({ name: "flatten" }).apply(input) as tf.SymbolicTensor;
  const out = new SymmetricPairs({
    name: "hidden",
    units: opts.width,
    rho,
    kernelStd,
    biasInit: opts.bias ?? 0,
    inputOffset: opts.inputOffset ?? 0,
    trainBias: opts.trainBias ?? true,
    relativeBias: opts.relativeBias ?? 0,
    seed: new Rng(opts.seed).tfSeed(),
  }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "symmetric-net" });
}

/**
 * The ordinary variant: one hidden ReLU layer (`dense1`, with biases) and a trained linear
 * output `logits` with two classes; Glorot initialisation as in {@link mlp}.
 *
 * @example
 * ```ts
 * const net = twoLayerRelu({ seed: 0, inputShape: [1, 64, 1], width: 64 });
 * ```
 */
export function twoLayerRelu(
  opts: { seed: number; inputShape: readonly number[]; width: number },
): tf.LayersModel {
  checkWidth("twoLayerRelu", opts.width, opts.inputShape);
  return mlp({ seed: opts.seed, inputShape: opts.inputShape, widths: [opts.width], numClasses: 2 });
}
