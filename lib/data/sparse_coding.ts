/**
 * A synthetic image classification task drawn from a sparse-coding model, with no camera, no
 * natural scene and no human in the loop: every image is a sparse sum of random unit-norm
 * dictionary atoms plus Gaussian noise (the data model of Allen-Zhu & Li 2020, "Feature
 * purification", made multi-class and image-shaped).
 *
 *   x = clip(0.5 + Σ_j z_j m_j + c_y + ξ, 0, 1)
 *
 * - Each class owns `atomsPerClass` atoms; an image of class y has all of them active with
 *   coefficients uniform in `classCoefficient`. These are robust features: moving from one
 *   class to another takes an L2 change of about the coefficient size. With probability
 *   `atomFlipProbability` an image shows the atoms of a uniformly drawn other class instead,
 *   so the robust features are imperfect predictors, as in natural data.
 * - `backgroundAtoms` atoms belong to no class; each is active with probability
 *   `backgroundProbability` and a coefficient uniform in ±`backgroundCoefficient`. They carry
 *   no label information.
 * - ξ is i.i.d. Gaussian pixel noise of standard deviation `noise`.
 * - c_y is an optional planted non-robust feature: a fixed random dense pattern per class of
 *   L2 norm `cueNorm` (default 0, none). Small in norm yet perfectly correlated with the label,
 *   it is exactly what Ilyas et al. call a useful, non-robust feature.
 *
 * Whether a task has non-robust features is therefore a switch, which lets a notebook ask if
 * adversarial examples carry generalising features when the data has none.
 *
 * @module
 */

import { Rng } from "../random/rng.ts";
import { type Dataset, makeDataset } from "./dataset.ts";

/** Settings of {@link sparseCodingTask}. */
export interface SparseCodingOptions {
  /** Seeds the dictionary and the class cues (samples take their own seed). */
  seed: number;
  /** Classes (default 10). */
  numClasses?: number;
  /** Images are side × side × 1 (default 28). */
  side?: number;
  /** Atoms owned by each class (default 2). */
  atomsPerClass?: number;
  /** Atoms owned by no class (default 40). */
  backgroundAtoms?: number;
  /** Range of the class atoms' coefficients (default [1.5, 2.5]). */
  classCoefficient?: readonly [number, number];
  /** Probability that a background atom is active (default 0.1). */
  backgroundProbability?: number;
  /** Largest |coefficient| of an active background atom (default 1). */
  backgroundCoefficient?: number;
  /** Standard deviation of the pixel noise (default 0.05). */
  noise?: number;
  /** L2 norm of the planted per-class non-robust pattern (default 0: none). */
  cueNorm?: number;
  /** Probability that an image shows another class's atoms (default 0). */
  atomFlipProbability?: number;
}

/** A task: its dictionary and a sampler of labelled data sets. */
export interface SparseCodingTask {
  /** The settings with defaults filled in. */
  readonly options: Required<SparseCodingOptions>;
  /** Atoms as rows [atoms, side²], unit L2 norm; class k owns rows k·atomsPerClass … */
  readonly dictionary: Float32Array;
  /** Number of atoms (classes · atomsPerClass + backgroundAtoms). */
  readonly atoms: number;
  /** Planted class patterns [numClasses, side²] (all zeros when cueNorm = 0). */
  readonly cues: Float32Array;
  /** `n` images with balanced labels, drawn with `seed`. */
  sample(n: number, seed: number, name?: string): Dataset;
  /**
   * The class each image's robust features point to: the class whose atoms the centred image
   * (x − 0.5) projects onto most. An oracle only a synthetic task has: it tells whether an
   * attack changed an image's robust features or only something smaller.
   */
  robustClass(ds: Dataset): Int32Array;
  /**
   * Per vector (rows of side² values, e.g. perturbations), the fraction of its squared L2 norm
   * that lies in the span of the class atoms: about classes · atomsPerClass / side² for a random
   * direction, 1 for a change made only of robust features.
   */
  classSpanFraction(vectors: Float32Array): Float32Array;
}

function unitGaussian(rng: Rng, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    v[i] = rng.normal();
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dim; i++) v[i] /= norm;
  return v;
}

/**
 * Gram-Schmidt on the rows of `rows` ([n, dim], row-major): an orthonormal basis of their span,
 * one row per linearly independent input row (rows within 1e-9 of the span so far are dropped).
 */
function orthonormalRows(rows: Float32Array, dim: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let a = 0; a < rows.length / dim; a++) {
    const v = Float64Array.from(rows.subarray(a * dim, (a + 1) * dim));
    // Two passes keep the basis orthogonal to machine precision (one pass loses it for d ≳ 100).
    for (let pass = 0; pass < 2; pass++) {
      for (const b of out) {
        let c = 0;
        for (let p = 0; p < dim; p++) c += v[p] * b[p];
        for (let p = 0; p < dim; p++) v[p] -= c * b[p];
      }
    }
    let norm = 0;
    for (let p = 0; p < dim; p++) norm += v[p] * v[p];
    norm = Math.sqrt(norm);
    if (norm > 1e-9) out.push(v.map((x) => x / norm));
  }
  return out;
}

function resolve(opts: SparseCodingOptions): Required<SparseCodingOptions> {
  const o: Required<SparseCodingOptions> = {
    seed: opts.seed,
    numClasses: opts.numClasses ?? 10,
    side: opts.side ?? 28,
    atomsPerClass: opts.atomsPerClass ?? 2,
    backgroundAtoms: opts.backgroundAtoms ?? 40,
    classCoefficient: opts.classCoefficient ?? [1.5, 2.5],
    backgroundProbability: opts.backgroundProbability ?? 0.1,
    backgroundCoefficient: opts.backgroundCoefficient ?? 1,
    noise: opts.noise ?? 0.05,
    cueNorm: opts.cueNorm ?? 0,
    atomFlipProbability: opts.atomFlipProbability ?? 0,
  };
  const where = "sparseCodingTask";
  if (!Number.isFinite(o.seed)) {
    throw new RangeError(`${where}: seed must be a number, got ${o.seed}`);
  }
  for (
    const [key, min] of [
      ["numClasses", 2],
      ["side", 1],
      ["atomsPerClass", 1],
      ["backgroundAtoms", 0],
    ] as const
  ) {
    if (!Number.isInteger(o[key]) || o[key] < min) {
      throw new RangeError(
        `${where}: ${key} must be an integer >= ${min}, got ${o[key]}`,
      );
    }
  }
  const [lo, hi] = o.classCoefficient;
  if (!(lo >= 0 && hi >= lo && Number.isFinite(hi))) {
    throw new RangeError(
      `${where}: classCoefficient must be [lo, hi] with 0 <= lo <= hi, got [${lo}, ${hi}]`,
    );
  }
  for (const key of ["backgroundProbability", "atomFlipProbability"] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) {
      throw new RangeError(
        `${where}: ${key} must be in [0, 1], got ${o[key]}`,
      );
    }
  }
  for (const key of ["backgroundCoefficient", "noise", "cueNorm"] as const) {
    if (!(o[key] >= 0 && Number.isFinite(o[key]))) {
      throw new RangeError(
        `${where}: ${key} must be a finite number >= 0, got ${o[key]}`,
      );
    }
  }
  return o;
}

/**
 * Builds a sparse-coding task; train and test sets drawn from one task share its dictionary.
 *
 * @example
 * ```ts
 * const task = sparseCodingTask({ seed: 0, cueNorm: 0.5 });
 * const train = task.sample(2000, 1, "sparse-train");
 * const test = task.sample(500, 2, "sparse-test");
 * ```
 */
export function sparseCodingTask(opts: SparseCodingOptions): SparseCodingTask {
  const o = resolve(opts);
  const dim = o.side * o.side;
  const atoms = o.numClasses * o.atomsPerClass + o.backgroundAtoms;
  const rng = new Rng(o.seed);
  const atomRng = rng.fork("atoms");
  const dictionary = new Float32Array(atoms * dim);
  for (let a = 0; a < atoms; a++) {
    dictionary.set(unitGaussian(atomRng, dim), a * dim);
  }
  const cueRng = rng.fork("cues");
  const cues = new Float32Array(o.numClasses * dim);
  if (o.cueNorm > 0) {
    for (let k = 0; k < o.numClasses; k++) {
      const v = unitGaussian(cueRng, dim);
      for (let i = 0; i < dim; i++) cues[k * dim + i] = o.cueNorm * v[i];
    }
  }
  const classAtoms = o.numClasses * o.atomsPerClass;

  function sample(n: number, seed: number, name = "sparse-coding"): Dataset {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(
        `sparseCodingTask.sample: n must be a positive integer, got ${n}`,
      );
    }
    const r = new Rng(seed).fork("sample");
    const labels = r.shuffle(
      Int32Array.from({ length: n }, (_, i) => i % o.numClasses),
    );
    const x = new Float32Array(n * dim);
    const signal = new Float32Array(dim);
    const [lo, hi] = o.classCoefficient;
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      signal.set(cues.subarray(y * dim, (y + 1) * dim));
      const add = (atom: number, coefficient: number) => {
        const m = dictionary.subarray(atom * dim, (atom + 1) * dim);
        for (let p = 0; p < dim; p++) signal[p] += coefficient * m[p];
      };
      // Drawn for every image so the stream does not depend on the probability's value.
      const flip = r.uniform() < o.atomFlipProbability;
      const other = (y + 1 + r.int(o.numClasses - 1)) % o.numClasses;
      const shown = flip ? other : y;
      for (let a = 0; a < o.atomsPerClass; a++) {
        add(shown * o.atomsPerClass + a, lo + (hi - lo) * r.uniform());
      }
      for (let a = 0; a < o.backgroundAtoms; a++) {
        if (r.uniform() < o.backgroundProbability) {
          add(classAtoms + a, o.backgroundCoefficient * (2 * r.uniform() - 1));
        }
      }
      for (let p = 0; p < dim; p++) {
        const v = 0.5 + signal[p] + o.noise * r.normal();
        x[i * dim + p] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
    return makeDataset({
      name,
      shape: [o.side, o.side, 1],
      x,
      labels,
      numClasses: o.numClasses,
      classNames: Array.from({ length: o.numClasses }, (_, k) => String(k)),
    });
  }

  function robustClass(ds: Dataset): Int32Array {
    if (ds.shape[0] * ds.shape[1] * ds.shape[2] !== dim) {
      throw new RangeError(
        `sparseCodingTask.robustClass: "${ds.name}" has images of shape [${ds.shape}], ` +
          `the task makes [${o.side}, ${o.side}, 1]`,
      );
    }
    const n = ds.labels.length;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const image = ds.x.subarray(i * dim, (i + 1) * dim);
      let best = 0;
      let bestScore = -Infinity;
      for (let k = 0; k < o.numClasses; k++) {
        let score = 0;
        for (let a = 0; a < o.atomsPerClass; a++) {
          const m = dictionary.subarray(
            (k * o.atomsPerClass + a) * dim,
            (k * o.atomsPerClass + a + 1) * dim,
          );
          for (let p = 0; p < dim; p++) score += (image[p] - 0.5) * m[p];
        }
        if (score > bestScore) [best, bestScore] = [k, score];
      }
      out[i] = best;
    }
    return out;
  }

  // An orthonormal basis of the class atoms' span, built on first use.
  let basis: Float64Array[] | undefined;
  function classBasis(): Float64Array[] {
    basis ??= orthonormalRows(dictionary.subarray(0, classAtoms * dim), dim);
    return basis;
  }

  function classSpanFraction(vectors: Float32Array): Float32Array {
    if (vectors.length % dim !== 0) {
      throw new RangeError(
        `sparseCodingTask.classSpanFraction: ${vectors.length} values are not whole vectors ` +
          `of ${dim} (side²) values`,
      );
    }
    const n = vectors.length / dim;
    const out = new Float32Array(n);
    const b = classBasis();
    for (let i = 0; i < n; i++) {
      const v = vectors.subarray(i * dim, (i + 1) * dim);
      let total = 0;
      for (let p = 0; p < dim; p++) total += v[p] * v[p];
      let inSpan = 0;
      for (const e of b) {
        let c = 0;
        for (let p = 0; p < dim; p++) c += v[p] * e[p];
        inSpan += c * c;
      }
      out[i] = total === 0 ? 0 : inSpan / total;
    }
    return out;
  }

  return {
    options: o,
    dictionary,
    atoms,
    cues,
    sample,
    robustClass,
    classSpanFraction,
  };
}

/**
 * Settings of {@link sparseLinearTask}, named after the symbols of Allen-Zhu & Li (2020):
 * x = M z + ξ, y = sign⟨w*, z⟩.
 */
export interface SparseLinearOptions {
  /** Seeds M and w* (samples take their own seed). */
  seed: number;
  /** Dimension of x and z; M is d × d (default 64). */
  d?: number;
  /** Expected number of active coordinates of z: each is active with probability k/d (default 4). */
  k?: number;
  /** Range of |z_i| for an active coordinate; its sign is random (default [0.2, 0.4]). */
  zRange?: readonly [number, number];
  /** Standard deviation σ of each coordinate of the Gaussian noise ξ (default 0.01). */
  sigma?: number;
  /** The label direction w* (length d); default: independent random signs ±1. */
  wStar?: ArrayLike<number>;
  /**
   * Smallest |⟨w*, z⟩| kept (default 0): codes closer to the decision boundary are drawn again,
   * so that every label survives any change of ⟨w*, z⟩ smaller than the margin. Robust
   * accuracy at a radius then has a ceiling of 100% rather than one set by codes that sit on
   * the boundary. The paper states its theorems for well-separated data; this is our way of
   * giving it that.
   */
  margin?: number;
  /**
   * Stored images are `offset + x`, so that the zero-centred x lies in the attacks' box [0, 1]
   * (default 0.5). The model is shift-equivariant; distances and radii are unchanged.
   */
  offset?: number;
}

/** A fixed sample of {@link SparseLinearTask}: a data set plus the latent codes behind it. */
export interface SparseLinearSample extends Dataset {
  /** The sparse codes z, [n, d] row-major. */
  readonly z: Float32Array;
  /** How many stored values fell outside [0, 1] and were clipped (0 at sensible settings). */
  readonly clipped: number;
}

/** The paper's sparse-coding task: its dictionary, label direction and a sampler. */
export interface SparseLinearTask {
  /** The settings with defaults filled in (wStar as drawn). */
  readonly options: Required<Omit<SparseLinearOptions, "wStar">> & { wStar: Float32Array };
  /** M as rows: atom j (column j of M in the paper) is row j, [d, d]; orthonormal. */
  readonly dictionary: Float32Array;
  /**
   * `n` examples drawn with `seed`: label 1 when ⟨w*, z⟩ > 0, else 0. z is drawn again when no
   * coordinate is active (its label would be undefined) or |⟨w*, z⟩| < margin, so without a
   * margin the mean number of active
   * coordinates is k / (1 − (1 − k/d)^d), slightly above k. A fresh sample trained for one
   * epoch is online SGD (every step sees new examples); a sample reused for many epochs is a
   * fixed training set.
   */
  sample(n: number, seed: number, name?: string): SparseLinearSample;
}

/**
 * The data model of Allen-Zhu & Li (2020), "Feature purification": x = M z + ξ with M a random
 * orthonormal dictionary, z sparse (each coordinate active with probability k/d, random sign,
 * magnitude uniform in `zRange`), ξ ~ N(0, σ² I), and the label sign⟨w*, z⟩. Images are
 * [1, d, 1], stored shifted by `offset` into the box [0, 1].
 *
 * @example
 * ```ts
 * const task = sparseLinearTask({ seed: 0, d: 64, k: 4 });
 * const train = task.sample(5000, 1, "train");
 * const test = task.sample(1000, 2, "test");
 * ```
 */
export function sparseLinearTask(opts: SparseLinearOptions): SparseLinearTask {
  const where = "sparseLinearTask";
  const d = opts.d ?? 64;
  const k = opts.k ?? 4;
  const zRange = opts.zRange ?? [0.2, 0.4];
  const sigma = opts.sigma ?? 0.01;
  const offset = opts.offset ?? 0.5;
  const margin = opts.margin ?? 0;
  if (!Number.isFinite(opts.seed)) {
    throw new RangeError(`${where}: seed must be a number, got ${opts.seed}`);
  }
  if (!Number.isInteger(d) || d < 2) {
    throw new RangeError(`${where}: d must be an integer >= 2, got ${d}`);
  }
  if (!(k > 0 && k <= d)) throw new RangeError(`${where}: k must be in (0, d], got ${k}`);
  const [lo, hi] = zRange;
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) {
    throw new RangeError(`${where}: zRange must be [lo, hi] with 0 < lo <= hi, got [${lo}, ${hi}]`);
  }
  if (!(sigma >= 0 && Number.isFinite(sigma))) {
    throw new RangeError(`${where}: sigma must be a finite number >= 0, got ${sigma}`);
  }
  if (!(offset >= 0 && offset <= 1)) {
    throw new RangeError(`${where}: offset must be in [0, 1], got ${offset}`);
  }
  if (!(margin >= 0 && margin < k * hi)) {
    throw new RangeError(
      `${where}: margin must be in [0, k·zRange[1]) = [0, ${k * hi}), got ${margin}; ` +
        "larger margins are (almost) never met",
    );
  }
  const rng = new Rng(opts.seed);
  const gaussian = rng.fork("M");
  const raw = new Float32Array(d * d).map(() => gaussian.normal());
  const rows = orthonormalRows(raw, d);
  // d Gaussian vectors in d dimensions are independent almost surely.
  const dictionary = new Float32Array(d * d);
  rows.forEach((r, j) => dictionary.set(r, j * d));
  let wStar: Float32Array;
  if (opts.wStar) {
    if (opts.wStar.length !== d) {
      throw new RangeError(`${where}: wStar has ${opts.wStar.length} entries, d is ${d}`);
    }
    wStar = Float32Array.from(opts.wStar);
  } else {
    const signs = rng.fork("wStar");
    wStar = new Float32Array(d).map(() => (signs.uniform() < 0.5 ? -1 : 1));
  }
  const p = k / d;

  function sample(n: number, seed: number, name = "sparse-linear"): SparseLinearSample {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`${where}.sample: n must be a positive integer, got ${n}`);
    }
    const r = new Rng(seed).fork("sample");
    const z = new Float32Array(n * d);
    const x = new Float32Array(n * d);
    const labels = new Int32Array(n);
    let clipped = 0;
    for (let i = 0; i < n; i++) {
      const zi = z.subarray(i * d, (i + 1) * d);
      let score = 0;
      let active = 0;
      while (active === 0 || Math.abs(score) < margin) {
        active = 0;
        score = 0;
        for (let j = 0; j < d; j++) {
          const on = r.uniform() < p;
          const magnitude = lo + (hi - lo) * r.uniform();
          const sign = r.uniform() < 0.5 ? -1 : 1;
          zi[j] = on ? sign * magnitude : 0;
          if (on) active++;
          score += wStar[j] * zi[j];
        }
      }
      labels[i] = score > 0 ? 1 : 0;
      const xi = x.subarray(i * d, (i + 1) * d);
      for (let q = 0; q < d; q++) xi[q] = offset + sigma * r.normal();
      for (let j = 0; j < d; j++) {
        if (zi[j] === 0) continue;
        const m = dictionary.subarray(j * d, (j + 1) * d);
        for (let q = 0; q < d; q++) xi[q] += zi[j] * m[q];
      }
      for (let q = 0; q < d; q++) {
        if (xi[q] < 0 || xi[q] > 1) {
          clipped++;
          xi[q] = xi[q] < 0 ? 0 : 1;
        }
      }
    }
    const ds = makeDataset({
      name,
      shape: [1, d, 1],
      x,
      labels,
      numClasses: 2,
      classNames: ["y = −1", "y = +1"],
    });
    return { ...ds, z, clipped };
  }

  return {
    options: { seed: opts.seed, d, k, zRange: [lo, hi], sigma, wStar, margin, offset },
    dictionary,
    sample,
  };
}
