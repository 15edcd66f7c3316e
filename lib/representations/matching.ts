/**
 * One-to-one matching of units between two networks (Li, Yosinski, Clune, Lipson & Hopcroft
 * 2015, "Convergent Learning: Do different neural networks learn the same representations?"):
 * pair every unit of network A with a distinct unit of network B so that the summed similarity
 * of the pairs is largest — a bipartite assignment, solved exactly by the Hungarian algorithm
 * (npm `munkres`). Li et al.'s similarity is the correlation of two units' activations over the
 * same examples ({@link correlationMatrix}); the matcher takes any similarity matrix, e.g. the
 * |cosine| between first-layer weight vectors.
 *
 * @module
 */

import { munkres } from "munkres";
import { tf } from "../tf.ts";
import { type ActivationOptions, activationPair } from "./activations.ts";

/**
 * Pearson correlation of every unit (column) of x with every unit of y over the same examples
 * (rows): `r[i][j]` is corr(x[:, i], y[:, j]). Products on the tensor backend. A unit constant
 * over the examples (a dead ReLU) has correlation 0 with everything — Pearson's r is 0/0 there,
 * and "uncorrelated" is what a matching should read from it. Rank-4 conv activations need
 * `{ spatial }` (see activations.ts; with "flatten" every position is a unit, with "pool" every
 * channel).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([500, 8], 0, 1, "float32", 1);
 * const r = correlationMatrix(x, x.neg()); // r[i][i] = −1
 * ```
 */
export function correlationMatrix(
  x: tf.Tensor,
  y: tf.Tensor,
  options: ActivationOptions = {},
): number[][] {
  const where = "correlationMatrix";
  const r = tf.tidy(() => {
    const [mx, my] = activationPair(where, x, y, options, 2);
    const standardise = (m: tf.Tensor2D) => {
      const c = tf.sub(m, tf.mean(m, 0, true));
      const norm = tf.sqrt(tf.sum(tf.square(c), 0, true));
      // Float32 centring leaves a constant unit c as noise of order 1e-7·|c|: compare the
      // centred norm with the raw one, and give such units a zero (not an infinite) scale.
      const raw = tf.sqrt(tf.sum(tf.square(m), 0, true));
      const varies = tf.greater(norm, tf.mul(raw, 1e-5));
      return tf.mul(c, tf.where(varies, tf.div(1, tf.maximum(norm, 1e-30)), 0));
    };
    return tf.matMul(standardise(mx), standardise(my), true, false);
  });
  try {
    const values = r.arraySync() as number[][];
    if (!values.every((row) => row.every(Number.isFinite))) {
      throw new RangeError(
        `${where}: x or y holds NaN or ±Infinity; remove those examples or fix the activations`,
      );
    }
    return values.map((row) => row.map((v) => Math.min(1, Math.max(-1, v))));
  } finally {
    r.dispose();
  }
}

/** A one-to-one matching between the rows (units of A) and columns (units of B). */
export interface UnitMatching {
  /** The matched pairs, by increasing row `a`: min(rows, columns) of them. */
  pairs: { a: number; b: number; similarity: number }[];
  /** The column matched to each row, or −1 for a row left over (more rows than columns). */
  bOfA: number[];
  /** The row matched to each column, or −1 for a column left over. */
  aOfB: number[];
  /** Mean similarity over the pairs. */
  meanSimilarity: number;
}

function checkSimilarity(where: string, similarity: number[][]): void {
  if (!Array.isArray(similarity) || similarity.length === 0 || !Array.isArray(similarity[0])) {
    throw new TypeError(
      `${where}: similarity must be a non-empty matrix number[][] (rows: units of A, ` +
        `columns: units of B)`,
    );
  }
  const cols = similarity[0].length;
  if (cols === 0) throw new RangeError(`${where}: similarity has no columns (units of B)`);
  similarity.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new RangeError(
        `${where}: every row of similarity must have ${cols} entries; row ${i} has ` +
          `${Array.isArray(row) ? row.length : typeof row}`,
      );
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new RangeError(
          `${where}: similarity[${i}][${j}] is ${v}; every entry must be a finite number ` +
            `(give units with undefined similarity a value, e.g. 0)`,
        );
      }
    });
  });
}

/**
 * The one-to-one matching of rows to columns with the largest total similarity (Hungarian
 * algorithm). Rectangular matrices match min(rows, columns) pairs. For Li et al.'s matching,
 * pass {@link correlationMatrix}; for weight vectors, e.g. |cos|.
 *
 * @example
 * ```ts
 * const m = matchUnits([
 *   [0.9, 0.8],
 *   [0.85, 0.1],
 * ]);
 * m.bOfA; // [1, 0]: 0.8 + 0.85 beats the greedy 0.9 + 0.1
 * const neurons = matchUnits(correlationMatrix(actsA, actsB));
 * ```
 */
export function matchUnits(similarity: number[][]): UnitMatching {
  checkSimilarity("matchUnits", similarity);
  const rows = similarity.length;
  const cols = similarity[0].length;
  // munkres minimises cost; largest − s keeps costs non-negative and preserves the optimum.
  let largest = -Infinity;
  for (const row of similarity) for (const v of row) largest = Math.max(largest, v);
  const cost = similarity.map((row) => row.map((v) => largest - v));
  const bOfA = new Array<number>(rows).fill(-1);
  const aOfB = new Array<number>(cols).fill(-1);
  for (const [a, b] of munkres(cost)) {
    bOfA[a] = b;
    aOfB[b] = a;
  }
  const pairs = bOfA.flatMap((b, a) => b < 0 ? [] : [{ a, b, similarity: similarity[a][b] }]);
  const meanSimilarity = pairs.reduce((s, p) => s + p.similarity, 0) / pairs.length;
  return { pairs, bOfA, aOfB, meanSimilarity };
}

/**
 * For every row (unit of A), its most similar column (unit of B), with repeats allowed: Li et
 * al.'s "semi-matching", whose similarities bound the one-to-one matching's from above.
 *
 * @example
 * ```ts
 * bestMatches([[0.9, 0.8], [0.85, 0.1]]); // { b: [0, 0], similarity: [0.9, 0.85] }
 * ```
 */
export function bestMatches(similarity: number[][]): { b: number[]; similarity: number[] } {
  checkSimilarity("bestMatches", similarity);
  const b = similarity.map((row) => row.indexOf(Math.max(...row)));
  return { b, similarity: b.map((j, i) => similarity[i][j]) };
}
