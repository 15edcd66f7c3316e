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

  // An orthonormal basis of the class atoms' span (Gram-Schmidt), built on first use.
  let basis: Float64Array[] | undefined;
  function classBasis(): Float64Array[] {
    if (basis) return basis;
    basis = [];
    for (let a = 0; a < classAtoms; a++) {
      const v = Float64Array.from(dictionary.subarray(a * dim, (a + 1) * dim));
      for (const b of basis) {
        let c = 0;
        for (let p = 0; p < dim; p++) c += v[p] * b[p];
        for (let p = 0; p < dim; p++) v[p] -= c * b[p];
      }
      let norm = 0;
      for (let p = 0; p < dim; p++) norm += v[p] * v[p];
      norm = Math.sqrt(norm);
      // Random atoms in side² >= classAtoms dimensions are independent almost surely.
      if (norm > 1e-9) basis.push(v.map((x) => x / norm));
    }
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
