/**
 * Canonical correlation analysis between two representations of the same examples, and the two
 * summaries used to compare networks with it: SVCCA (Raghu, Gilmer, Yosinski & Sohl-Dickstein
 * 2017) and projection-weighted CCA, PWCCA (Morcos, Raghu & Bengio 2018).
 *
 * CCA finds directions in X's and Y's feature spaces whose projections of the examples
 * correlate most; the canonical correlations ρ₁ ≥ ρ₂ ≥ … are the cosines of the principal
 * angles between the column spaces of the centred X and Y. So they are invariant to any
 * invertible linear map of either representation — which is also why CCA cannot tell a
 * network's features apart from any mixture of them (Kornblith et al. 2019; compare CKA).
 *
 * Computed stably the way the principal angles are: orthonormal bases of the two centred column
 * spaces from SVDs (rank-revealing: constant or collinear features drop out instead of making a
 * covariance singular), then the singular values of Uxᵀ Uy. The decompositions run in float64
 * on ml-matrix; they are small (features × features work per example).
 *
 * Defined behaviour where other CCA code fails: non-finite activations are an error before any
 * decomposition (an SVD of them "does not converge"); a decomposition that still returns
 * non-finite values is an error; features that are constant or linear combinations of others
 * are dropped (reported as `rankX`, `rankY`); a representation with no variance is an error, and
 * so are two whose dimensions together reach the number of examples (the column spaces must
 * then intersect, and that many correlations are 1 whatever the networks compute).
 *
 * @module
 */

import { Matrix, SVD } from "ml-matrix";
import { tf } from "../tf.ts";
import { type ActivationOptions, activationPair, centredFloat64 } from "./activations.ts";

/** Canonical correlations and their summaries. */
export interface CcaResult {
  /** ρ₁ ≥ ρ₂ ≥ … ≥ 0, min(rankX, rankY) of them. */
  correlations: number[];
  /** The mean of the correlations (SVCCA's similarity, Raghu et al. 2017). */
  mean: number;
  /** The mean of their squares, R²_CCA (Kornblith et al. 2019). */
  meanSquared: number;
  /** Dimensions of x's (and y's) centred column space that entered the CCA. */
  rankX: number;
  rankY: number;
}

/**
 * Singular values below this fraction of the largest count as zero: float32 activations
 * carry about 7 significant digits, so a direction 1e-6 weaker than the strongest is noise.
 */
const RANK_TOLERANCE = 1e-6;

interface Basis {
  /** Orthonormal basis of the centred column space, n × k (the kept left singular vectors). */
  u: Matrix;
  /** Its singular values (for SVCCA's variance criterion). */
  s: number[];
  /** The centred (scaled) data, n × d (for PWCCA's weights). */
  data: Matrix;
}

function checkedSvd(where: string, name: string, m: Matrix): SVD {
  const svd = new SVD(m, {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  const finite = svd.diagonal.every(Number.isFinite) &&
    svd.leftSingularVectors.to1DArray().every(Number.isFinite);
  if (!finite) {
    throw new RangeError(
      `${where}: the SVD of ${name} did not converge (non-finite values); check the ` +
        `activations for extreme magnitudes`,
    );
  }
  return svd;
}

/** Orthonormal basis of a centred representation's column space, rank-truncated. */
function basis(where: string, name: string, m: tf.Tensor2D, dims?: number): Basis {
  const [n, d] = m.shape;
  const data = new Matrix(n, d);
  const values = centredFloat64(where, name, m);
  for (let i = 0; i < n; i++) data.setRow(i, values.subarray(i * d, (i + 1) * d));
  const svd = checkedSvd(where, name, data);
  const s = svd.diagonal;
  let rank = s.filter((v) => v > RANK_TOLERANCE * s[0]).length;
  if (rank === 0) {
    throw new RangeError(
      `${where}: ${name} does not vary across the examples (every feature is constant, e.g. a ` +
        `dead layer); CCA with it is undefined. Leave it out or feed other inputs`,
    );
  }
  if (dims !== undefined) rank = Math.min(rank, dims);
  const u = svd.leftSingularVectors.subMatrix(0, n - 1, 0, rank - 1);
  return { u, s: s.slice(0, rank), data };
}

/** CCA of two orthonormal bases: ρ and the canonical variates of the first. */
function canonical(where: string, bx: Basis, by: Basis): { rho: number[]; variatesX: Matrix } {
  const [n, kx, ky] = [bx.u.rows, bx.u.columns, by.u.columns];
  if (kx + ky > n - 1) {
    throw new RangeError(
      `${where}: x and y span ${kx} + ${ky} dimensions in the ${n - 1}-dimensional space of ` +
        `centred examples, which forces ${kx + ky - n + 1} canonical correlations to 1; pass ` +
        `more examples than the two have features together, pool conv activations ` +
        `({ spatial: "pool" }), or use svcca to keep fewer directions`,
    );
  }
  const cross = bx.u.transpose().mmul(by.u);
  const svd = new SVD(cross, { autoTranspose: true });
  const k = Math.min(bx.u.columns, by.u.columns);
  const rho = svd.diagonal.slice(0, k).map((v) => Math.min(1, Math.max(0, v)));
  if (!rho.every(Number.isFinite)) {
    throw new RangeError(`${where}: the SVD of Uxᵀ Uy did not converge (non-finite values)`);
  }
  const a = svd.leftSingularVectors.subMatrix(0, bx.u.columns - 1, 0, k - 1);
  return { rho, variatesX: bx.u.mmul(a) };
}

function summary(rho: number[], bx: Basis, by: Basis): CcaResult {
  const sum = rho.reduce((a, b) => a + b, 0);
  const squares = rho.reduce((a, b) => a + b * b, 0);
  return {
    correlations: rho,
    mean: sum / rho.length,
    meanSquared: squares / rho.length,
    rankX: bx.u.columns,
    rankY: by.u.columns,
  };
}

function bases(
  where: string,
  x: tf.Tensor,
  y: tf.Tensor,
  options: ActivationOptions,
  dims: [number | undefined, number | undefined] = [undefined, undefined],
): [Basis, Basis] {
  const matrices = tf.tidy(() => activationPair(where, x, y, options, 2).map((m) => tf.keep(m)));
  try {
    return [
      basis(where, "x", matrices[0], dims[0]),
      basis(where, "y", matrices[1], dims[1]),
    ];
  } finally {
    matrices.forEach((m, i) => m !== [x, y][i] && m.dispose());
  }
}

/**
 * Canonical correlations between two representations [examples × features] of the same
 * examples (rank-4 conv activations need `{ spatial }`, see activations.ts). Needs more
 * examples than the two have features together; invariant to any invertible linear map of
 * either.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([200, 10], 0, 1, "float32", 1);
 * const y = tf.matMul(x, tf.randomNormal([10, 10], 0, 1, "float32", 2));
 * cca(x, y).mean; // 1: y is an invertible linear map of x
 * ```
 */
export function cca(x: tf.Tensor, y: tf.Tensor, options: ActivationOptions = {}): CcaResult {
  const [bx, by] = bases("cca", x, y, options);
  return summary(canonical("cca", bx, by).rho, bx, by);
}

/** Options of {@link svcca}. */
export interface SvccaOptions extends ActivationOptions {
  /** Keep the top singular directions that explain this fraction of variance (default 0.99). */
  varianceKept?: number;
  /** Or keep exactly this many top directions per representation (Raghu et al. also use 20+). */
  dims?: number;
}

/** How many leading singular values explain `fraction` of the variance Σ s². */
function dimsForVariance(s: number[], fraction: number): number {
  const total = s.reduce((a, v) => a + v * v, 0);
  let kept = 0;
  for (let k = 0; k < s.length; k++) {
    kept += s[k] * s[k];
    if (kept >= fraction * total) return k + 1;
  }
  return s.length;
}

/**
 * SVCCA (Raghu et al. 2017): each representation is first reduced to its top singular
 * directions (the ones that explain `varianceKept` of its variance, 0.99 in the paper, or a
 * fixed `dims`), which drops the noise directions CCA would otherwise match; then CCA.
 * `mean` is the SVCCA similarity.
 *
 * @example
 * ```ts
 * const r = svcca(actsA, actsB, { varianceKept: 0.99 });
 * r.mean;            // SVCCA similarity
 * r.rankX, r.rankY;  // directions kept
 * ```
 */
export function svcca(x: tf.Tensor, y: tf.Tensor, options: SvccaOptions = {}): CcaResult {
  const where = "svcca";
  const { varianceKept, dims } = options;
  if (varianceKept !== undefined && dims !== undefined) {
    throw new RangeError(`${where}: pass either varianceKept or dims, not both`);
  }
  if (dims !== undefined && !(Number.isInteger(dims) && dims >= 1)) {
    throw new RangeError(`${where}: dims must be a positive integer, got ${dims}`);
  }
  const fraction = varianceKept ?? 0.99;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`${where}: varianceKept must be in (0, 1], got ${fraction}`);
  }
  let [bx, by] = bases(where, x, y, options, [dims, dims]);
  if (dims === undefined) {
    const keep = (b: Basis): Basis => {
      const k = dimsForVariance(b.s, fraction);
      return { u: b.u.subMatrix(0, b.u.rows - 1, 0, k - 1), s: b.s.slice(0, k), data: b.data };
    };
    [bx, by] = [keep(bx), keep(by)];
  }
  return summary(canonical(where, bx, by).rho, bx, by);
}

/** PWCCA's result: the weighted mean and what it weighs. */
export interface PwccaResult extends CcaResult {
  /** Σ αᵢ ρᵢ with the projection weights αᵢ (summing to 1). */
  value: number;
  /** αᵢ, one per canonical correlation, in the same order. */
  weights: number[];
  /** Which representation's neurons the weights measure (the one with fewer dimensions). */
  weightedBy: "x" | "y";
}

/**
 * Projection-weighted CCA (Morcos et al. 2018): the canonical correlations averaged with
 * weights αᵢ ∝ Σⱼ |⟨hᵢ, zⱼ⟩|, how much of the neurons' centred activations zⱼ the i-th
 * canonical variate hᵢ accounts for. Directions that carry the representation count; the
 * small-ρ noise directions that drag SVCCA's plain mean down count little. The weights are
 * those of the representation with fewer dimensions (x on a tie), as in the authors' code, so
 * every canonical variate lies in its space. Not symmetric in general.
 *
 * @example
 * ```ts
 * const r = pwcca(actsA, actsB);
 * r.value;   // PWCCA similarity (1 for the same representation up to an invertible map)
 * r.weights; // αᵢ
 * ```
 */
export function pwcca(x: tf.Tensor, y: tf.Tensor, options: ActivationOptions = {}): PwccaResult {
  const where = "pwcca";
  const [bx, by] = bases(where, x, y, options);
  const flip = by.u.columns < bx.u.columns;
  const [first, second] = flip ? [by, bx] : [bx, by];
  const { rho, variatesX } = canonical(where, first, second);
  const projections = variatesX.transpose().mmul(first.data); // k × d: ⟨hᵢ, zⱼ⟩
  const raw = rho.map((_, i) => projections.getRow(i).reduce((a, v) => a + Math.abs(v), 0));
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / total);
  const base = summary(rho, bx, by);
  return {
    ...base,
    value: rho.reduce((a, r, i) => a + r * weights[i], 0),
    weights,
    weightedBy: flip ? "y" : "x",
  };
}
