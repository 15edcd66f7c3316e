/**
 * Where an attack's perturbation goes in the sparse linear task: its coordinates in the
 * dictionary basis tell apart a change of the example's own features (its active atoms), a
 * dense push along the label direction M w* (every atom a little, each towards the target
 * label) and anything else.
 *
 * @module
 */

import { tf } from "../../tf.ts";
import { forEachBatch } from "../../data/dataset.ts";
import type { SparseLinearSample, SparseLinearTask } from "../../data/sparse_coding.ts";
import { asImageFn, type Classifier } from "../../models/types.ts";
import { pgd } from "../../attacks/pgd.ts";
import { type Norm, threatModel } from "../../optimize/threat_model.ts";
import { Rng } from "../../random/mod.ts";

/** Per-example anatomy of attack perturbations δ = x_adv − x ({@link perturbationAnatomy}). */
export interface PerturbationAnatomy {
  /** 1 where the attack changed the prediction. */
  success: Uint8Array;
  /** Share of ‖δ‖² on the atoms active in the example's own code z. */
  ownAtoms: Float64Array;
  /** What a random direction would put there: (active atoms) / d. */
  ownAtomsBaseline: Float64Array;
  /** cos(δ, M w*) signed so that positive pushes towards the other label. */
  towardTarget: Float64Array;
  /** Share of ‖δ‖² on atoms j whose w*_j pushes towards the other label. */
  targetAtoms: Float64Array;
  /** The coefficients Mᵀδ of the first examples, [rows][d], for pictures. */
  coefficients: number[][];
}

/**
 * Attacks `model` on `sample` with PGD (norm ball of radius `tau`) and decomposes every
 * perturbation in the task's dictionary basis.
 *
 * @example
 * ```ts
 * const a = await perturbationAnatomy(clean, test, task, { norm: "l2", tau: 0.1,
 *   steps: 10, seed: 0 });
 * ```
 */
export async function perturbationAnatomy(
  model: Classifier,
  sample: SparseLinearSample,
  task: SparseLinearTask,
  opts: {
    norm: Exclude<Norm, "none">;
    tau: number;
    steps: number;
    seed: number;
    /** Keep the coefficients of the first `keep` examples (default 0). */
    keep?: number;
    /** Start PGD at a random point of the ball (default true). */
    randomStart?: boolean;
  },
): Promise<PerturbationAnatomy> {
  const d = task.options.d;
  const n = sample.labels.length;
  const M = task.dictionary;
  const wStar = task.options.wStar;
  const out: PerturbationAnatomy = {
    success: new Uint8Array(n),
    ownAtoms: new Float64Array(n),
    ownAtomsBaseline: new Float64Array(n),
    towardTarget: new Float64Array(n),
    targetAtoms: new Float64Array(n),
    coefficients: [],
  };
  const wNorm = Math.sqrt(wStar.reduce((s, v) => s + v * v, 0));
  const threat = threatModel(opts.norm, opts.tau);
  const logits = asImageFn(model);
  await forEachBatch(sample, { batchSize: 128 }, async ({ x, y, indices, index }) => {
    const labels = Int32Array.from(await y.data());
    const { adversarial, success } = await pgd(logits, x, labels, {
      threat,
      steps: opts.steps,
      randomStart: opts.randomStart ?? true,
      seed: new Rng(opts.seed).fork(`batch-${index}`).seed,
    });
    const delta = tf.tidy(() => tf.sub(adversarial, x).dataSync());
    adversarial.dispose();
    indices.forEach((ex, r) => {
      const dv = delta.subarray(r * d, (r + 1) * d);
      const z = sample.z.subarray(ex * d, (ex + 1) * d);
      // Towards the other label: decreasing ⟨w*, z⟩ for label 1, increasing it for label 0.
      const toward = labels[r] === 1 ? -1 : 1;
      let total = 0, own = 0, target = 0, along = 0, active = 0;
      const c = new Array<number>(d);
      for (let j = 0; j < d; j++) {
        let cj = 0;
        for (let q = 0; q < d; q++) cj += M[j * d + q] * dv[q];
        c[j] = cj;
        const e = cj * cj;
        total += e;
        along += wStar[j] * cj;
        if (z[j] !== 0) [own, active] = [own + e, active + 1];
        if (Math.sign(wStar[j] * cj) === toward) target += e;
      }
      out.success[ex] = success[r];
      out.ownAtoms[ex] = total > 0 ? own / total : 0;
      out.ownAtomsBaseline[ex] = active / d;
      out.towardTarget[ex] = total > 0 ? toward * along / (wNorm * Math.sqrt(total)) : 0;
      out.targetAtoms[ex] = total > 0 ? target / total : 0;
      if (ex < (opts.keep ?? 0)) out.coefficients[ex] = c;
    });
  });
  return out;
}
