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

import type { tf } from "../tf.ts";

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
