/**
 * Layer-by-layer comparison of two networks (Kornblith, Norouzi, Lee & Hinton 2019, §6.1): the
 * similarity of every layer of network A with every layer of network B on the same examples,
 * and their *identification test* — for each layer of A, is the most similar layer of B the one
 * at the same place in the architecture? A measure that cannot pass this test between two
 * copies of one architecture trained from different seeds cannot be trusted to say which parts
 * of two networks correspond. Any measure of two activation matrices plugs in (linear or RBF
 * CKA, CCA, SVCCA, PWCCA: see cka.ts and cca.ts).
 *
 * @module
 */

import { tf } from "../tf.ts";
import { activationMatrix, type ActivationOptions } from "./activations.ts";

/** A similarity of two representations of the same examples (rows), larger = more alike. */
export type SimilarityMeasure = (x: tf.Tensor, y: tf.Tensor) => number;

/**
 * `measure(a[i], b[j])` for every layer i of A and j of B: rows are A's layers, columns B's.
 * The activations of each list hold the same examples in the same order.
 *
 * @example
 * ```ts
 * const s = similarityMatrix([a1, a2, a3], [b1, b2, b3], (x, y) => linearCka(x, y));
 * s[0][2]; // CKA of A's first layer with B's third
 * ```
 */
export function similarityMatrix(
  a: readonly tf.Tensor[],
  b: readonly tf.Tensor[],
  measure: SimilarityMeasure,
): number[][] {
  if (a.length === 0 || b.length === 0) {
    throw new RangeError(
      `similarityMatrix: give at least one layer's activations on each side ` +
        `(got ${a.length} and ${b.length})`,
    );
  }
  return a.map((x, i) =>
    b.map((y, j) => {
      const s = measure(x, y);
      if (!Number.isFinite(s)) {
        throw new RangeError(
          `similarityMatrix: the measure gave ${s} for layer ${i} of A and layer ${j} of B; ` +
            `it must give a finite number`,
        );
      }
      return s;
    })
  );
}

/**
 * Linear CKA of every layer of A with every layer of B, each layer's centred Gram matrix
 * (examples × examples) computed once instead of once per pair: the fast way to fill a
 * layer-by-layer matrix when conv layers are flattened into thousands of features (Kornblith
 * et al.'s form). Agrees with {@link linearCka} to float32 rounding (about 1e-5). Rank-4
 * activations need `{ spatial }`; a layer that does not vary across the examples is an error.
 *
 * @example
 * ```ts
 * const s = linearCkaMatrix([a1, a2], [b1, b2], { spatial: "flatten" });
 * ```
 */
export function linearCkaMatrix(
  a: readonly tf.Tensor[],
  b: readonly tf.Tensor[],
  options: ActivationOptions = {},
): number[][] {
  const where = "linearCkaMatrix";
  if (a.length === 0 || b.length === 0) {
    throw new RangeError(
      `${where}: give at least one layer's activations on each side (got ${a.length} and ` +
        `${b.length})`,
    );
  }
  const n = a[0].shape[0];
  const computed: tf.Tensor[] = [];
  const grams = (side: string, layers: readonly tf.Tensor[]) =>
    layers.map((acts, i) => {
      if (acts.shape[0] !== n) {
        throw new RangeError(
          `${where}: every layer must hold the same ${n} examples; ${side}[${i}] has ` +
            `${acts.shape[0]}`,
        );
      }
      const k = tf.tidy(() => {
        const m = activationMatrix(acts, options.spatial);
        const c = tf.sub(m, tf.mean(m, 0, true));
        // Scaled by the largest magnitude: CKA is scale invariant and float32 squares stay finite.
        const scaled = tf.div(c, tf.maximum(tf.max(tf.abs(c)), 1e-30));
        return tf.matMul(scaled, scaled, false, true);
      });
      computed.push(k);
      const norm = tf.tidy(() => tf.sqrt(tf.sum(tf.square(k))).dataSync()[0]);
      if (!(norm > 0) || !Number.isFinite(norm)) {
        throw new RangeError(
          `${where}: ${side}[${i}] does not vary across the examples (or holds NaN), so its ` +
            `CKA with anything is undefined; leave that layer out or feed other inputs`,
        );
      }
      return { k, norm };
    });
  try {
    const ka = grams("a", a);
    const kb = grams("b", b);
    return ka.map((x) =>
      kb.map((y) => {
        const dot = tf.tidy(() => tf.sum(tf.mul(x.k, y.k)).dataSync()[0]);
        return dot / (x.norm * y.norm);
      })
    );
  } finally {
    tf.dispose(computed);
  }
}

/** The outcome of {@link identifyLayers}. */
export interface Identification {
  /** For each layer of A (row), the layer of B (column) most similar to it. */
  picks: number[];
  /** Whether each pick is the corresponding layer (row i ↔ column i). */
  correct: boolean[];
  /** Number of correct picks. */
  hits: number;
  /** Number of layers tested (the rows). */
  tests: number;
}

/**
 * Kornblith et al.'s identification test on a square similarity matrix between two networks
 * of one architecture (row i and column i are the same layer): each row's most similar column
 * is its pick, and a pick is right when it is the row's own layer. A tie for the largest value
 * counts as wrong unless the row's own layer is the only maximum, so a measure that cannot
 * separate layers earns no credit.
 *
 * @example
 * ```ts
 * identifyLayers([[0.9, 0.2], [0.6, 0.5]]); // picks [0, 0]: 1 of 2 right
 * ```
 */
export function identifyLayers(similarity: readonly (readonly number[])[]): Identification {
  const n = similarity.length;
  if (n === 0 || similarity.some((row) => row.length !== n)) {
    throw new RangeError(
      `identifyLayers: the similarity matrix must be square (layer i of A ↔ layer i of B), got ` +
        `${n} rows of lengths [${similarity.map((r) => r.length)}]`,
    );
  }
  const picks: number[] = [];
  const correct: boolean[] = [];
  similarity.forEach((row, i) => {
    if (!row.every(Number.isFinite)) {
      throw new RangeError(`identifyLayers: row ${i} holds a non-finite similarity`);
    }
    const best = Math.max(...row);
    const pick = row.indexOf(best);
    picks.push(pick);
    correct.push(pick === i && row.filter((v) => v === best).length === 1);
  });
  return { picks, correct, hits: correct.filter(Boolean).length, tests: n };
}
