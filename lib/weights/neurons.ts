/**
 * A layer's weights as one row per neuron: what every per-neuron analysis in lib/weights
 * reads. A dense kernel [in, out] gives `out` rows of `in` values; a convolution kernel
 * [kh, kw, cin, cout] gives `cout` filters of kh·kw·cin values (tap-major, channel last).
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { Model } from "../models/types.ts";

/** Weights of `rows` neurons, each a vector of `cols` values, row-major. */
export interface NeuronMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/**
 * Checks the shape of a {@link NeuronMatrix} and returns it.
 *
 * @example
 * ```ts
 * const w = neuronMatrix(2, 3, new Float32Array([1, 0, 0, 0, 1, 0]));
 * ```
 */
export function neuronMatrix(rows: number, cols: number, data: Float32Array): NeuronMatrix {
  if (!Number.isInteger(rows) || rows <= 0 || !Number.isInteger(cols) || cols <= 0) {
    throw new RangeError(
      `neuronMatrix: rows and cols must be positive integers, got ${rows}, ${cols}`,
    );
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `neuronMatrix: ${data.length} values are not ${rows} rows of ${cols}; pass rows * cols values`,
    );
  }
  return { rows, cols, data };
}

/**
 * Row `i` of `w`: neuron i's weights (a view, not a copy).
 *
 * @example
 * ```ts
 * const w3 = row(layerNeurons(net, "hidden"), 3);
 * ```
 */
export function row(w: NeuronMatrix, i: number): Float32Array {
  return w.data.subarray(i * w.cols, (i + 1) * w.cols);
}

/**
 * The neurons of a kernel tensor: the last axis indexes neurons (dense [in, out], conv
 * [kh, kw, cin, cout]); everything before it is one neuron's weights.
 *
 * @example
 * ```ts
 * const filters = neuronsOf(model.getLayer("conv1").getWeights()[0]); // [32, 3·3·1]
 * ```
 */
export function neuronsOf(kernel: tf.Tensor): NeuronMatrix {
  if (kernel.rank < 2) {
    throw new RangeError(
      `neuronsOf: a kernel has rank >= 2 (last axis: neurons), got shape [${kernel.shape}]; ` +
        "pass a layer's kernel, not its bias",
    );
  }
  const out = kernel.shape[kernel.rank - 1];
  const per = kernel.size / out;
  const data = tf.tidy(() => tf.transpose(tf.reshape(kernel, [per, out])).dataSync());
  return neuronMatrix(out, per, Float32Array.from(data));
}

/**
 * The neurons of the layer named `layerName` of `model` (its first weight, the kernel).
 *
 * @example
 * ```ts
 * const w = layerNeurons(net, "hidden"); // symmetricNet: one row per hidden pair
 * ```
 */
export function layerNeurons(model: Model, layerName: string): NeuronMatrix {
  const layer = model.layers.find((l) => l.name === layerName);
  if (!layer) {
    throw new Error(
      `layerNeurons: model "${model.name}" has no layer "${layerName}"; its layers are ` +
        model.layers.map((l) => l.name).join(", "),
    );
  }
  const weights = layer.getWeights();
  if (weights.length === 0) {
    throw new Error(`layerNeurons: layer "${layerName}" has no weights`);
  }
  return neuronsOf(weights[0]);
}
