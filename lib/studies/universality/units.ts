/**
 * What the universality measures read from a network: its layers' activations on a probe set,
 * as matrices for the similarity measures or as unit responses for matching, and the
 * first-layer filters as vectors; and pictures of what single units respond to.
 *
 * @module
 */

import { tf } from "../../tf.ts";
import { activations, type Model } from "../../models/mod.ts";
import { matchUnits } from "../../representations/mod.ts";
import { neuronsOf, row } from "../../weights/mod.ts";
import { channel, onInputs } from "../../optimize/mod.ts";
import { fourierImage, render, standardTransforms } from "../../optvis/mod.ts";

/**
 * The activations of `layers` on images `x`, one tensor per layer, in order (the caller
 * disposes them).
 *
 * @example
 * ```ts
 * const [conv1, fc1] = layerActivations(model, ["conv1", "fc1"], probeImages);
 * ```
 */
export function layerActivations(
  model: Model,
  layers: readonly string[],
  x: tf.Tensor4D,
): tf.Tensor[] {
  const read = activations(model, layers);
  return tf.tidy(() => {
    const out = read(x);
    return layers.map((name) => out[name]);
  });
}

/**
 * Unit responses for Li et al.'s matching: one column per unit (a dense unit, or a conv
 * channel), one row per example — and, for a conv layer, per position: Li et al. correlate
 * channels over every image and every spatial position.
 *
 * @example
 * ```ts
 * unitResponses(tf.zeros([10, 7, 7, 16])).shape; // [490, 16]
 * ```
 */
export function unitResponses(acts: tf.Tensor): tf.Tensor2D {
  const units = acts.shape[acts.rank - 1];
  return tf.reshape(acts, [-1, units]) as tf.Tensor2D;
}

/**
 * The first layer's filters, one weight vector per unit (a conv kernel's k·k·c weights, or a
 * dense unit's input weights), bias left out.
 *
 * @example
 * ```ts
 * firstLayerFilters(model).length; // conv1's filter count
 * ```
 */
export function firstLayerFilters(model: Model): number[][] {
  const layer = model.layers.find((l) => l.getWeights().length > 0);
  if (!layer) throw new Error("firstLayerFilters: the model has no layer with weights");
  const filters = neuronsOf(layer.getWeights()[0]);
  return Array.from({ length: filters.rows }, (_, i) => Array.from(row(filters, i)));
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * Matches two networks' first-layer filters one to one by |cosine| (a filter and its negative
 * detect the same edge with the opposite sign) and returns each matched pair's |cosine|.
 *
 * @example
 * ```ts
 * const cosines = matchedFilterCosines(firstLayerFilters(a), firstLayerFilters(b));
 * ```
 */
export function matchedFilterCosines(a: number[][], b: number[][]): number[] {
  if (a.length === 0 || b.length === 0 || a[0].length !== b[0].length) {
    throw new RangeError(
      `matchedFilterCosines: both sides need filters of one length, got ${a.length} of ` +
        `${a[0]?.length} and ${b.length} of ${b[0]?.length}`,
    );
  }
  const similarity = a.map((fa) => b.map((fb) => Math.abs(cosine(fa, fb))));
  return matchUnits(similarity).pairs.map((p) => p.similarity);
}

/**
 * Feature visualisations of channels `units` of `layer` (one image each, Lucid's recipe: a
 * 1/f-scaled Fourier parameterisation and the standard jitter / scale / rotate robustness
 * transforms on a black background), returned as one batch [units, 28, 28, 1].
 *
 * @example
 * ```ts
 * const images = await visualiseUnits(model, "conv3", [0, 5], { steps: 128, seed: 0 });
 * ```
 */
export async function visualiseUnits(
  model: Model,
  layer: string,
  units: readonly number[],
  opts: { steps: number; seed: number },
): Promise<tf.Tensor4D> {
  const images: tf.Tensor4D[] = [];
  try {
    for (const unit of units) {
      const param = fourierImage({ height: 28, width: 28, seed: opts.seed + unit });
      try {
        const r = await render(onInputs(channel(layer, unit), model), param, {
          steps: opts.steps,
          transform: standardTransforms(0),
          seed: opts.seed,
        });
        images.push(r.images);
      } finally {
        param.dispose();
      }
    }
    return tf.concat(images) as tf.Tensor4D;
  } finally {
    tf.dispose(images);
  }
}
