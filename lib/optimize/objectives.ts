/**
 * The objective vocabulary: what an optimisation over inputs climbs. An {@link Objective} is a
 * per-example function of a model's activations — any named layer, `logits` included — so the
 * same value serves an attack (the loss of a label), representation inversion (the distance to
 * a target representation), saliency (a sum of outputs) and feature visualisation (a channel, a
 * neuron, a direction). Objectives sum, scale and negate into new objectives, as Lucid's
 * `optvis.objectives` do; {@link onInputs} turns one into the function of input images that
 * lib/optimize's projected-gradient loop and the gradient helpers take, evaluating every layer it
 * reads in one forward pass.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { activations } from "../models/layers.ts";
import type { Classifier, ImageFn } from "../models/types.ts";
import type { AttackLoss } from "./losses.ts";

/** The layer name of every lenses model's output (the builders name it so). */
export const LOGITS = "logits";

/** Activations of one forward pass, by layer name. */
export type Activations = Readonly<Record<string, tf.Tensor>>;

/** A per-example objective of a model's activations. */
export interface Objective {
  /** The layers it reads. */
  readonly layers: readonly string[];
  /** What it measures, for legends, tables and cache keys. */
  readonly label: string;
  /** One value per example [B] from the activations of `layers`. */
  readonly value: (acts: Activations) => tf.Tensor1D;
}

/** A differentiable per-example function of input images [B, h, w, c] to values [B]. */
export type InputObjective = (x: tf.Tensor4D) => tf.Tensor1D;

/**
 * Computes named activations of a batch in one forward pass. {@link probe} makes one from a
 * model; extra named functions of the input (e.g. a layer before its activation) join the
 * model's own layers.
 */
export interface Probe {
  read(x: tf.Tensor4D, layers: readonly string[]): Activations;
}

/**
 * An objective from the layers it reads and a function of their activations.
 *
 * @example
 * ```ts
 * const energy = objective(["fc1"], "fc1 energy", (a) => tf.sum(tf.square(a.fc1), 1));
 * ```
 */
export function objective(
  layers: readonly string[],
  label: string,
  value: (acts: Activations) => tf.Tensor1D,
): Objective {
  if (layers.length === 0) {
    throw new Error(`objective "${label}": name at least one layer it reads (e.g. "${LOGITS}")`);
  }
  return { layers: [...new Set(layers)], label, value };
}

/** `t` as [B, k]: one row per example, every other axis flattened. */
function rows(t: tf.Tensor): tf.Tensor2D {
  return (t.rank === 2 ? t : tf.reshape(t, [t.shape[0], -1])) as tf.Tensor2D;
}

/** Channel-last activations as [B, positions, channels] (a dense layer has one position). */
function positions(t: tf.Tensor): tf.Tensor3D {
  const channels = t.shape[t.rank - 1];
  return tf.reshape(t, [t.shape[0], -1, channels]) as tf.Tensor3D;
}

function checkIndex(where: string, t: tf.Tensor, index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(
      `${where}: index ${index} is outside [0, ${size}) for activations of shape [${t.shape}]`,
    );
  }
}

/**
 * A per-example loss of the logits against `labels` (e.g. {@link crossEntropy}, {@link margin}),
 * as an objective: what an untargeted attack maximises and a targeted one minimises.
 *
 * @example
 * ```ts
 * const loss = labelLoss(crossEntropy, y); // reads "logits"
 * ```
 */
export function labelLoss(loss: AttackLoss, labels: tf.Tensor1D): Objective {
  return objective([LOGITS], loss.name || "loss", (a) => loss(a[LOGITS] as tf.Tensor2D, labels));
}

/**
 * The sum of a layer's values per example (default the outputs: a counter's predicted total).
 *
 * @example
 * ```ts
 * const total = outputSum(); // Σ_k logits_k per example
 * ```
 */
export function outputSum(layer = LOGITS): Objective {
  return objective([layer], `sum(${layer})`, (a) => tf.sum(rows(a[layer]), 1) as tf.Tensor1D);
}

/**
 * One channel of a layer, averaged over positions (Lucid's `channel`); for a dense layer, one
 * unit.
 *
 * @example
 * ```ts
 * const c7 = channel("conv2", 7);
 * ```
 */
export function channel(layer: string, index: number): Objective {
  return objective([layer], `${layer}:${index}`, (a) => {
    const t = positions(a[layer]);
    checkIndex("channel", a[layer], index, t.shape[2]);
    return tf.mean(tf.squeeze(tf.slice(t, [0, 0, index], [-1, -1, 1]), [2]), 1) as tf.Tensor1D;
  });
}

/**
 * One unit of a layer: channel `index` at the centre position of a convolutional layer (Lucid's
 * `neuron`), or unit `index` of a dense layer.
 *
 * @example
 * ```ts
 * const unit = neuron("fc1", 3);
 * ```
 */
export function neuron(layer: string, index: number): Objective {
  return objective([layer], `${layer}:${index}@centre`, (a) => {
    const t = positions(a[layer]);
    checkIndex("neuron", a[layer], index, t.shape[2]);
    const centre = Math.floor(t.shape[1] / 2);
    return tf.reshape(tf.slice(t, [0, centre, index], [-1, 1, 1]), [-1]) as tf.Tensor1D;
  });
}

/**
 * The activation's projection on `vector` (one value per channel), averaged over positions
 * (Lucid's `direction`).
 *
 * @example
 * ```ts
 * const d = direction("fc1", weights); // ⟨fc1(x), w⟩
 * ```
 */
export function direction(layer: string, vector: ArrayLike<number>): Objective {
  return objective([layer], `${layer}·v`, (a) => {
    const t = positions(a[layer]);
    if (vector.length !== t.shape[2]) {
      throw new Error(
        `direction: the vector has ${vector.length} values but layer "${layer}" has ` +
          `${t.shape[2]} channels`,
      );
    }
    const v = tf.tensor1d(Float32Array.from(vector));
    return tf.mean(tf.sum(tf.mul(t, v), 2), 1) as tf.Tensor1D;
  });
}

/** ‖v‖₂ per row of a [B, k] tensor, with a zero gradient (not NaN) where a row is all zeros. */
const rowNorms = tf.customGrad((...inputs) => {
  const v = inputs[0] as tf.Tensor2D;
  const save = inputs[1] as tf.GradSaveFunc;
  const norms = tf.norm(v, "euclidean", 1);
  save([v, norms]);
  return {
    value: norms,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.mul(tf.expandDims(dy, 1), tf.divNoNan(saved[0], tf.expandDims(saved[1], 1))),
  };
}) as (v: tf.Tensor2D) => tf.Tensor1D;

/**
 * The relative distance of a layer's representation to `goal` [B, k], per example:
 * ‖R(x) − goal‖₂ / ‖goal‖₂ (Engstrom et al. 2019's inversion objective, minimised).
 *
 * @example
 * ```ts
 * const miss = representationDistance("fc1", targetFeatures);
 * ```
 */
export function representationDistance(layer: string, goal: tf.Tensor2D): Objective {
  return objective([layer], `‖${layer} − goal‖/‖goal‖`, (a) =>
    tf.tidy(() => {
      const r = rows(a[layer]);
      if (r.shape[0] !== goal.shape[0] || r.shape[1] !== goal.shape[1]) {
        throw new Error(
          `representationDistance: layer "${layer}" gives [${r.shape}] but the goal is ` +
            `[${goal.shape}]`,
        );
      }
      return tf.div(rowNorms(tf.sub(r, goal)), rowNorms(goal)) as tf.Tensor1D;
    }));
}

/**
 * The sum of objectives, per example.
 *
 * @example
 * ```ts
 * const both = sum(channel("conv1", 0), scale(channel("conv1", 1), 0.5));
 * ```
 */
export function sum(...terms: Objective[]): Objective {
  if (terms.length === 0) throw new Error("sum: give at least one objective");
  if (terms.length === 1) return terms[0];
  return objective(
    terms.flatMap((t) => t.layers),
    terms.map((t) => t.label).join(" + "),
    (a) => tf.addN(terms.map((t) => t.value(a))) as tf.Tensor1D,
  );
}

/**
 * `factor` times an objective.
 *
 * @example
 * ```ts
 * const half = scale(channel("conv1", 0), 0.5);
 * ```
 */
export function scale(term: Objective, factor: number): Objective {
  if (!Number.isFinite(factor)) throw new RangeError(`scale: factor must be finite, got ${factor}`);
  return objective(
    term.layers,
    `${factor}·(${term.label})`,
    (a) => tf.mul(term.value(a), factor) as tf.Tensor1D,
  );
}

/**
 * The negative of an objective (maximising it minimises the original).
 *
 * @example
 * ```ts
 * const closer = negate(representationDistance("fc1", goal));
 * ```
 */
export function negate(term: Objective): Objective {
  return objective(term.layers, `−(${term.label})`, (a) => tf.neg(term.value(a)) as tf.Tensor1D);
}

/**
 * A probe of `model`'s activations: its named layers (for a tfjs-layers model; `logits` is its
 * output), plus `extra` named functions of the input. A function classifier offers `logits`
 * only. Layer sets are compiled once and reused.
 *
 * @example
 * ```ts
 * const read = probe(model, { "fc1:pre": penultimatePreActivation(model) });
 * const { fc1 } = read.read(x, ["fc1"]);
 * ```
 */
export function probe(model: Classifier, extra: Record<string, ImageFn> = {}): Probe {
  const compiled = new Map<string, (x: tf.Tensor) => Record<string, tf.Tensor>>();
  const read = (x: tf.Tensor4D, layers: readonly string[]): Activations => {
    const out: Record<string, tf.Tensor> = {};
    const own = layers.filter((name) => !(name in extra));
    for (const name of layers) if (name in extra) out[name] = extra[name](x);
    if (own.length === 0) return out;
    if (typeof model === "function") {
      const unknown = own.filter((name) => name !== LOGITS);
      if (unknown.length) {
        throw new Error(
          `probe: a function classifier offers only "${LOGITS}", not ${unknown.join(", ")}; ` +
            `pass the tfjs model, or the layers as extra functions`,
        );
      }
      out[LOGITS] = model(x);
    } else if (own.length === 1 && own[0] === LOGITS) {
      // The output alone needs no sub-model: the model's own forward pass.
      out[LOGITS] = model.apply(x) as tf.Tensor;
    } else {
      const key = own.join("\u0000");
      if (!compiled.has(key)) compiled.set(key, activations(model, own));
      Object.assign(out, compiled.get(key)!(x));
    }
    return out;
  };
  return { read };
}

/**
 * An objective as a function of input images, reading its layers through `source` (a model or
 * a {@link Probe}) in one forward pass.
 *
 * @example
 * ```ts
 * const f = onInputs(channel("conv1", 0), model);
 * const { x } = await projectedGradient(f, x0, { threat: unconstrained(), steps: 50, stepSize: 0.05 });
 * ```
 */
export function onInputs(term: Objective, source: Classifier | Probe): InputObjective {
  const { read } = isProbe(source) ? source : probe(source);
  return (x) => term.value(read(x, term.layers));
}

function isProbe(source: Classifier | Probe): source is Probe {
  return typeof source === "object" && "read" in source;
}
