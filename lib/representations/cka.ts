/**
 * Centered kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019, "Similarity of Neural
 * Network Representations Revisited"): how alike two representations of the same examples
 * are, invariant to orthogonal transforms and isotropic scaling of either, but not to arbitrary
 * invertible maps (unlike CCA, see cca.ts).
 *
 * CKA(K, L) = HSIC(K, L) / sqrt(HSIC(K, K) · HSIC(L, L)) for Gram matrices K = k(x_i, x_j),
 * L = k(y_i, y_j) of the examples. The large products (XᵀY or XXᵀ) run on the tensor backend;
 * the reductions of their entries to the three HSIC numbers run in float64, so the values agree
 * with the paper's numpy code to about 1e-6.
 *
 * Cases other CKA code turns into NaN are decided here on purpose:
 * - a representation with no variance (every feature constant across the examples): HSIC with
 *   itself is 0 and CKA is 0/0 — an error naming it. A few constant features among varying ones
 *   are fine: centring removes them, as in every CKA.
 * - debiased CKA on fewer than 4 examples: the unbiased HSIC estimator divides by n(n − 3) — an
 *   error asking for more examples.
 * - a debiased HSIC(X, X) that is not positive: the unbiased estimate of a representation's
 *   similarity to itself is a sum of squares of the U-centred Gram matrix (Székely & Rizzo
 *   2014), so it is ≥ 0 in exact arithmetic, but it is 0 for degenerate sets (four examples, one
 *   apart from three equal ones) and rounding can push a tiny one below 0; CKA's normaliser is
 *   then 0 or a square root of a negative number — an error. A negative *cross* term HSIC(X, Y)
 *   is a legitimate estimate near an independence, and is returned: debiased CKA can be < 0.
 * - NaN or ±Infinity in the activations — an error (the result would be NaN).
 *
 * @module
 */

import { tf } from "../tf.ts";
import { activationMatrix, type ActivationOptions, activationPair } from "./activations.ts";

/**
 * The linear-kernel statistics of column-centred X and Y: Frobenius inner products of their
 * Gram matrices (⟨K, L⟩ = ‖XᵀY‖², ⟨K, K⟩, ⟨L, L⟩), the diagonals of K and L (squared row
 * norms) and the total uncentred square sums (to tell a constant representation from rounding).
 */
interface LinearStatistics {
  n: number;
  kl: number;
  kk: number;
  ll: number;
  diagK: Float64Array;
  diagL: Float64Array;
  rawX: number;
  rawY: number;
}

function sumOfSquares(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return s;
}

function sumOfProducts(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Reads tensors into float64 arrays and disposes them. */
function readAll(tensors: tf.Tensor[]): Float64Array[] {
  try {
    return tensors.map((t) => Float64Array.from(t.dataSync()));
  } finally {
    tf.dispose(tensors);
  }
}

function linearStatistics(
  where: string,
  x: tf.Tensor,
  y: tf.Tensor,
  options: ActivationOptions,
  minExamples: number,
): LinearStatistics {
  const parts = tf.tidy(() => {
    const [mx, my] = activationPair(where, x, y, options, minExamples);
    const [n, dx] = mx.shape;
    const dy = my.shape[1];
    const xc = tf.sub(mx, tf.mean(mx, 0, true));
    const yc = tf.sub(my, tf.mean(my, 0, true));
    const rows = [tf.sum(tf.square(xc), 1), tf.sum(tf.square(yc), 1)];
    const raw = [tf.sum(tf.square(mx)), tf.sum(tf.square(my))];
    // ⟨XXᵀ, YYᵀ⟩ = ‖XᵀY‖²: feature space when the feature products are the smaller work
    // (dense layers), example space when they are not (flattened conv layers).
    const featureSpace = dx * dy + dx * dx + dy * dy <= n * (dx + dy);
    const products = featureSpace
      ? [
        tf.matMul(xc, yc, true, false),
        tf.matMul(xc, xc, true, false),
        tf.matMul(yc, yc, true, false),
      ]
      : [tf.matMul(xc, xc, false, true), tf.matMul(yc, yc, false, true)];
    return { featureSpace, n, rows, raw, products };
  });
  const [diagK, diagL] = readAll(parts.rows);
  const [rawX, rawY] = readAll(parts.raw).map((a) => a[0]);
  const products = readAll(parts.products);
  let kl: number, kk: number, ll: number;
  if (parts.featureSpace) {
    [kl, kk, ll] = products.map(sumOfSquares);
  } else {
    const [k, l] = products;
    [kl, kk, ll] = [sumOfProducts(k, l), sumOfSquares(k), sumOfSquares(l)];
  }
  if (![kl, kk, ll, rawX, rawY].every(Number.isFinite)) {
    throw new RangeError(
      `${where}: x or y holds NaN or ±Infinity (or values whose squares overflow float32); ` +
        `remove those examples or rescale the activations`,
    );
  }
  return { n: parts.n, kl, kk, ll, diagK, diagL, rawX, rawY };
}

/**
 * Float32 centring leaves a constant feature c as rounding noise of order 1e-7·c; a centred
 * square sum below 1e-10 of the raw one is such noise, not variance.
 */
function checkVaries(where: string, name: string, diag: Float64Array, raw: number): void {
  let centred = 0;
  for (const v of diag) centred += v;
  if (!(centred > 1e-10 * raw)) {
    throw new RangeError(
      `${where}: ${name} does not vary across the examples (every feature is constant, e.g. ` +
        `a dead layer), so its similarity to anything is 0/0; leave it out or feed other inputs`,
    );
  }
}

/**
 * Linear CKA of two representations of the same examples: rows are examples, columns
 * features (any numbers of features). 1 for X and XQ·s (Q orthogonal, s > 0), near 0 for
 * independent representations (biased upwards on few examples: see {@link debiasedLinearCka}).
 * Rank-4 conv activations need `{ spatial: "flatten" | "pool" }` (see activations.ts).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([100, 10], 0, 1, "float32", 1);
 * const q = tf.linalg.qr(tf.randomNormal([10, 10], 0, 1, "float32", 2))[0];
 * linearCka(x, tf.matMul(x, q).mul(3)); // 1 (up to rounding)
 * ```
 */
export function linearCka(x: tf.Tensor, y: tf.Tensor, options: ActivationOptions = {}): number {
  const s = linearStatistics("linearCka", x, y, options, 2);
  checkVaries("linearCka", "x", s.diagK, s.rawX);
  checkVaries("linearCka", "y", s.diagL, s.rawY);
  return s.kl / Math.sqrt(s.kk * s.ll);
}

/**
 * The unbiased HSIC estimator of Song et al. 2007 written through feature-space statistics
 * (Kornblith et al.'s derivation), times n(n − 3), which cancels in CKA.
 */
function unbiasedHsic(
  kl: number,
  diagK: Float64Array,
  diagL: Float64Array,
  n: number,
): number {
  let traceK = 0, traceL = 0;
  for (let i = 0; i < n; i++) {
    traceK += diagK[i];
    traceL += diagL[i];
  }
  return kl - (n / (n - 2)) * sumOfProducts(diagK, diagL) +
    (traceK * traceL) / ((n - 1) * (n - 2));
}

/**
 * Debiased linear CKA: linear CKA with the unbiased HSIC estimator in numerator and
 * denominator, which removes most of the upward bias of CKA on few examples (Kornblith et al.
 * 2019, Demo). Needs at least 4 examples; may return a value below 0 for unrelated
 * representations. Throws when the self-similarity estimate HSIC(X, X) is not positive (see
 * the module comment).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([20, 50], 0, 1, "float32", 1);
 * const y = tf.randomNormal([20, 50], 0, 1, "float32", 2);
 * linearCka(x, y);         // ≈ 0.7: independent, but only 20 examples
 * debiasedLinearCka(x, y); // ≈ 0
 * ```
 */
export function debiasedLinearCka(
  x: tf.Tensor,
  y: tf.Tensor,
  options: ActivationOptions = {},
): number {
  const where = "debiasedLinearCka";
  const s = linearStatistics(where, x, y, options, 4);
  checkVaries(where, "x", s.diagK, s.rawX);
  checkVaries(where, "y", s.diagL, s.rawY);
  const xy = unbiasedHsic(s.kl, s.diagK, s.diagL, s.n);
  const xx = unbiasedHsic(s.kk, s.diagK, s.diagK, s.n);
  const yy = unbiasedHsic(s.ll, s.diagL, s.diagL, s.n);
  for (const [name, value] of [["x", xx], ["y", yy]] as const) {
    if (!(value > 0)) {
      throw new RangeError(
        `${where}: the unbiased estimate of HSIC(${name}, ${name}) is ${value.toPrecision(3)} ` +
          `(≤ 0), so CKA's normaliser sqrt(HSIC(x, x)·HSIC(y, y)) is undefined; this happens ` +
          `only for degenerate, very small sets of examples: pass more (distinct) examples or ` +
          `use linearCka`,
      );
    }
  }
  return xy / Math.sqrt(xx * yy);
}

/** Double-centres a symmetric n×n matrix in place: H K H with H = I − 11ᵀ/n. */
function centreGram(k: Float64Array, n: number): void {
  const means = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += k[i * n + j];
    means[i] = s / n;
    total += s;
  }
  const grand = total / (n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) k[i * n + j] += grand - means[i] - means[j];
  }
}

/** Median of all entries (the mean of the two middle ones for an even count, as numpy). */
function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** RBF Gram matrix with bandwidth `threshold` × the median pairwise distance, in float64. */
function rbfGram(
  where: string,
  name: string,
  acts: tf.Tensor,
  options: ActivationOptions,
  threshold: number,
): Float64Array {
  const n = acts.shape[0];
  const [d] = readAll([tf.tidy(() => {
    const m = activationMatrix(acts, options.spatial);
    const c = tf.sub(m, tf.mean(m, 0, true));
    const sq = tf.sum(tf.square(c), 1);
    const dots = tf.matMul(c, c, false, true);
    return tf.sub(tf.add(sq.reshape([n, 1]), sq.reshape([1, n])), tf.mul(2, dots));
  })]);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(d[i])) {
      throw new RangeError(
        `${where}: ${name} holds NaN or ±Infinity (or values whose squares overflow float32); ` +
          `remove those examples or rescale the activations`,
      );
    }
    // Rounding leaves a distance from x_i to itself (or to a duplicate) slightly off zero.
    d[i] = i % (n + 1) === 0 ? 0 : Math.max(d[i], 0);
  }
  const med = median(d);
  if (!(med > 0)) {
    throw new RangeError(
      `${where}: the median squared distance between examples of ${name} is 0 (most examples ` +
        `share one representation), so the RBF bandwidth is undefined; pass more distinct ` +
        `examples`,
    );
  }
  const scale = 2 * threshold * threshold * med;
  for (let i = 0; i < n * n; i++) d[i] = Math.exp(-d[i] / scale);
  return d;
}

/**
 * CKA with an RBF kernel k(a, b) = exp(−‖a − b‖² / (2σ²)), σ = `threshold` × the median
 * distance between examples (the paper's heuristic; the demo's value uses 0.5). Builds n×n
 * Gram matrices: meant for up to a few thousand examples.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([100, 10], 0, 1, "float32", 1);
 * rbfCka(x, x.mul(2), 0.5); // 1: the bandwidth scales with the median distance
 * ```
 */
export function rbfCka(
  x: tf.Tensor,
  y: tf.Tensor,
  threshold: number,
  options: ActivationOptions = {},
): number {
  const where = "rbfCka";
  if (!(threshold > 0 && Number.isFinite(threshold))) {
    throw new RangeError(
      `${where}: threshold (the bandwidth as a fraction of the median distance) must be a ` +
        `positive number, got ${threshold}; the paper uses 0.5 or 1`,
    );
  }
  const n = tf.tidy(() => activationPair(where, x, y, options, 2)[0].shape[0]);
  const k = rbfGram(where, "x", x, options, threshold);
  const l = rbfGram(where, "y", y, options, threshold);
  centreGram(k, n);
  centreGram(l, n);
  return sumOfProducts(k, l) / Math.sqrt(sumOfSquares(k) * sumOfSquares(l));
}
