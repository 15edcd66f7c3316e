/**
 * Per-neuron analysis of weight vectors, for any layer (dense neurons, CNN filters): how a
 * neuron spreads over a basis (coefficients, the top atom's share of its energy, participation
 * ratio), how two versions of the same neuron relate (the purification decomposition
 * w = β·w' + v of Allen-Zhu & Li 2020), how much a trained neuron still remembers its random
 * initialisation (|cos(w, w⁰)| against what unrelated random vectors give), and the spectrum
 * of the change of a whole layer (singular values and effective rank of w' − w).
 *
 * @module
 */

import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { Rng } from "../random/mod.ts";
import { matchUnits, type UnitMatching } from "../representations/matching.ts";
import { type NeuronMatrix, neuronMatrix, row } from "./neurons.ts";

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function sameShape(where: string, a: NeuronMatrix, b: NeuronMatrix): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(
      `${where}: the two weight sets differ in shape (${a.rows}×${a.cols} vs ${b.rows}×${b.cols}); ` +
        "pass the same layer's weights at two times",
    );
  }
}

/**
 * Coefficients of every neuron in a basis: `basis` holds one atom per row ([atoms, cols], e.g.
 * a dictionary M stored as rows), the result one neuron per row ([rows, atoms]), entry (i, j) =
 * ⟨w_i, m_j⟩. For an orthonormal basis these are the neuron's coordinates.
 *
 * @example
 * ```ts
 * const c = basisCoefficients(layerNeurons(net, "hidden"), neuronMatrix(d, d, task.dictionary));
 * ```
 */
export function basisCoefficients(w: NeuronMatrix, basis: NeuronMatrix): NeuronMatrix {
  if (basis.cols !== w.cols) {
    throw new RangeError(
      `basisCoefficients: atoms have ${basis.cols} values, neurons ${w.cols}; ` +
        "pass a basis of the neurons' input space",
    );
  }
  const out = new Float32Array(w.rows * basis.rows);
  for (let i = 0; i < w.rows; i++) {
    const wi = row(w, i);
    for (let j = 0; j < basis.rows; j++) out[i * basis.rows + j] = dot(wi, row(basis, j));
  }
  return neuronMatrix(w.rows, basis.rows, out);
}

/** Per-neuron concentration of a coefficient matrix ({@link basisConcentration}). */
export interface Concentration {
  /** Index of the atom with the largest |coefficient|, per neuron. */
  topAtom: Int32Array;
  /** The top atom's share of the neuron's energy, c_top² / Σ c², per neuron (1: pure). */
  topShare: Float64Array;
  /** Participation ratio (Σ c²)² / Σ c⁴: 1 for one atom, n for n equal atoms. */
  participation: Float64Array;
}

/**
 * How concentrated each neuron is on its basis coefficients (rows of {@link basisCoefficients}).
 * A zero neuron gets share NaN and participation NaN.
 *
 * @example
 * ```ts
 * const { topShare, participation } = basisConcentration(coefficients);
 * ```
 */
export function basisConcentration(coefficients: NeuronMatrix): Concentration {
  const n = coefficients.rows;
  const topAtom = new Int32Array(n);
  const topShare = new Float64Array(n);
  const participation = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = row(coefficients, i);
    let energy = 0, fourth = 0, best = 0, bestIndex = 0;
    for (let j = 0; j < c.length; j++) {
      const e = c[j] * c[j];
      energy += e;
      fourth += e * e;
      if (e > best) [best, bestIndex] = [e, j];
    }
    topAtom[i] = bestIndex;
    topShare[i] = energy > 0 ? best / energy : NaN;
    participation[i] = energy > 0 ? energy * energy / fourth : NaN;
  }
  return { topAtom, topShare, participation };
}

/** The decomposition w = β·w' + v per neuron ({@link purification}). */
export interface Purification {
  /** β = ⟨w, w'⟩ / ‖w'‖²: the projection coefficient of w on w'. */
  beta: Float64Array;
  /** cos(w, w'). */
  cos: Float64Array;
  /** ‖β·w'‖ = |cos|·‖w‖. */
  featureNorm: Float64Array;
  /** ‖v‖ = ‖w − β·w'‖ = sin·‖w‖ (v is orthogonal to w'). */
  residualNorm: Float64Array;
  /** 1 where ‖β·w'‖ > ‖v‖, i.e. |cos(w, w')| > 1/√2. */
  dominant: Uint8Array;
}

/**
 * The purification decomposition of Allen-Zhu & Li: for neuron i with weights w_i before and
 * w'_i after (e.g. clean, then adversarially trained from it), w = β·w' + v with β the
 * projection coefficient, so v ⟂ w' and ‖β·w'‖ > ‖v‖ exactly when |cos(w, w')| > 1/√2. A
 * neuron whose w' is zero gets NaN.
 *
 * @example
 * ```ts
 * const p = purification(clean, adversarial);
 * const share = p.dominant.reduce((a, b) => a + b, 0) / p.dominant.length;
 * ```
 */
export function purification(w: NeuronMatrix, wPrime: NeuronMatrix): Purification {
  sameShape("purification", w, wPrime);
  const n = w.rows;
  const out: Purification = {
    beta: new Float64Array(n),
    cos: new Float64Array(n),
    featureNorm: new Float64Array(n),
    residualNorm: new Float64Array(n),
    dominant: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const a = row(w, i), b = row(wPrime, i);
    const ab = dot(a, b), aa = dot(a, a), bb = dot(b, b);
    const beta = bb > 0 ? ab / bb : NaN;
    out.beta[i] = beta;
    out.cos[i] = ab / Math.sqrt(aa * bb);
    out.featureNorm[i] = Math.abs(beta) * Math.sqrt(bb);
    let residual = 0;
    for (let q = 0; q < a.length; q++) residual += (a[q] - beta * b[q]) ** 2;
    out.residualNorm[i] = Math.sqrt(residual);
    out.dominant[i] = out.featureNorm[i] > out.residualNorm[i] ? 1 : 0;
  }
  return out;
}

/**
 * |cos(a_i, b_i)| per neuron i (e.g. trained weights against their initialisation).
 *
 * @example
 * ```ts
 * const memory = absCosines(trained, initial);
 * ```
 */
export function absCosines(a: NeuronMatrix, b: NeuronMatrix): Float64Array {
  sameShape("absCosines", a, b);
  return Float64Array.from({ length: a.rows }, (_, i) => {
    const x = row(a, i), y = row(b, i);
    return Math.abs(dot(x, y)) / Math.sqrt(dot(x, x) * dot(y, y));
  });
}

/**
 * |cos(a_i, b_j)| for every pair of neurons: rows of `a` against rows of `b` ([a.rows][b.rows]).
 * A zero neuron gets 0 (it resembles nothing).
 *
 * @example
 * ```ts
 * const s = cosineMatrix(cleanFilters, robustFilters);
 * ```
 */
export function cosineMatrix(a: NeuronMatrix, b: NeuronMatrix): number[][] {
  if (a.cols !== b.cols) {
    throw new RangeError(
      `cosineMatrix: neurons of A have ${a.cols} weights, of B ${b.cols}; compare one input space`,
    );
  }
  const norms = (w: NeuronMatrix) =>
    Array.from({ length: w.rows }, (_, i) => Math.sqrt(dot(row(w, i), row(w, i))));
  const na = norms(a), nb = norms(b);
  return Array.from({ length: a.rows }, (_, i) =>
    Array.from({ length: b.rows }, (_, j) => {
      const n = na[i] * nb[j];
      return n > 0 ? Math.abs(dot(row(a, i), row(b, j))) / n : 0;
    }));
}

/**
 * The one-to-one matching of the neurons of `a` to those of `b` with the largest total
 * |cos| (Hungarian assignment, the shared {@link matchUnits}). Two weight sets of one layer
 * that differ only by a permutation of neurons are matched exactly.
 *
 * @example
 * ```ts
 * const m = matchNeurons(modelA, modelB);
 * m.bOfA[3]; // the neuron of B matched to neuron 3 of A
 * ```
 */
export function matchNeurons(a: NeuronMatrix, b: NeuronMatrix): UnitMatching {
  return matchUnits(cosineMatrix(a, b));
}

/**
 * E|cos(u, v)| for independent, isotropically random u, v in `dim` dimensions: the value
 * {@link absCosines} has when a neuron has forgotten its initialisation. Exactly
 * Γ(d/2) / (√π Γ((d+1)/2)) ≈ √(2/(π d)), computed by the recursion r(d) = 2 / ((d−1) r(d−1)).
 *
 * @example
 * ```ts
 * randomAbsCosineMean(2); // 2/π ≈ 0.6366
 * ```
 */
export function randomAbsCosineMean(dim: number): number {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`randomAbsCosineMean: dim must be a positive integer, got ${dim}`);
  }
  let r = Math.sqrt(Math.PI); // Γ(1/2) / Γ(1)
  for (let d = 2; d <= dim; d++) r = 2 / ((d - 1) * r);
  return r / Math.sqrt(Math.PI);
}

function toMatrix(w: NeuronMatrix): Matrix {
  const m = new Matrix(w.rows, w.cols);
  for (let i = 0; i < w.rows; i++) {
    for (let j = 0; j < w.cols; j++) m.set(i, j, w.data[i * w.cols + j]);
  }
  return m;
}

/**
 * Singular values (descending) of a rows × cols matrix.
 *
 * @example
 * ```ts
 * singularValues(neuronMatrix(2, 2, new Float32Array([3, 0, 0, 4]))); // [4, 3]
 * ```
 */
export function singularValues(w: NeuronMatrix): Float64Array {
  const svd = new SingularValueDecomposition(toMatrix(w), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return Float64Array.from(svd.diagonal).sort().reverse();
}

/**
 * Effective rank (Roy & Vetterli 2007): exp of the entropy of the normalised singular values
 * p_i = s_i / Σ s. 1 for a rank-one matrix, n for n equal singular values.
 *
 * @example
 * ```ts
 * effectiveRank([1, 1, 1]); // 3
 * ```
 */
export function effectiveRank(singular: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < singular.length; i++) total += singular[i];
  if (!(total > 0)) return NaN;
  let entropy = 0;
  for (let i = 0; i < singular.length; i++) {
    const p = singular[i] / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

/** The spectrum of a layer's change ({@link updateSpectrum}). */
export interface UpdateSpectrum {
  /** Singular values of w' − w, descending. */
  singular: Float64Array;
  /** Effective rank of w' − w. */
  effectiveRank: number;
  /** Share of ‖w' − w‖²_F in the top singular direction. */
  topShare: number;
  /** The top right singular vector: the input-space direction the change moves most (unit). */
  topDirection: Float64Array;
  /** Effective ranks of `draws` Gaussian matrices with the same shape and row norms. */
  baseline: Float64Array;
}

/**
 * Singular values, effective rank and top direction of the change w' − w of a layer, against a
 * random baseline: Gaussian matrices of the same shape whose rows are rescaled to the change's
 * row norms, so the baseline differs from the change only in having no shared directions.
 *
 * @example
 * ```ts
 * const s = updateSpectrum(clean, adversarial, { seed: 0 });
 * console.log(s.effectiveRank, s.baseline);
 * ```
 */
export function updateSpectrum(
  w: NeuronMatrix,
  wPrime: NeuronMatrix,
  opts: { seed: number; draws?: number },
): UpdateSpectrum {
  sameShape("updateSpectrum", w, wPrime);
  const delta = neuronMatrix(w.rows, w.cols, wPrime.data.map((v, i) => v - w.data[i]));
  const svd = new SingularValueDecomposition(toMatrix(delta), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: true,
    autoTranspose: true,
  });
  const top = svd.diagonal.indexOf(Math.max(...svd.diagonal));
  const topDirection = Float64Array.from(svd.rightSingularVectors.getColumn(top));
  const singular = Float64Array.from(svd.diagonal).sort().reverse();
  const energy = singular.reduce((s, v) => s + v * v, 0);
  const draws = opts.draws ?? 5;
  const rng = new Rng(opts.seed);
  const baseline = new Float64Array(draws);
  for (let t = 0; t < draws; t++) {
    const r = rng.fork(`draw-${t}`);
    const g = new Float32Array(delta.data.length);
    for (let i = 0; i < delta.rows; i++) {
      let gn = 0, dn = 0;
      for (let q = 0; q < delta.cols; q++) {
        const v = r.normal();
        g[i * delta.cols + q] = v;
        gn += v * v;
        dn += delta.data[i * delta.cols + q] ** 2;
      }
      const scale = gn > 0 ? Math.sqrt(dn / gn) : 0;
      for (let q = 0; q < delta.cols; q++) g[i * delta.cols + q] *= scale;
    }
    baseline[t] = effectiveRank(singularValues(neuronMatrix(delta.rows, delta.cols, g)));
  }
  return {
    singular,
    effectiveRank: effectiveRank(singular),
    topShare: energy > 0 ? singular[0] ** 2 / energy : NaN,
    topDirection,
    baseline,
  };
}
