/**
 * The lower-bound experiment: clean training by online SGD (one pass over fresh examples, so
 * more data means more steps on new examples), with and without weight decay, and the robust
 * accuracy each network reaches.
 *
 * @module
 */

import type { FitOptions } from "../../train/loop.ts";
import { cachedFit } from "../../train/model_cache.ts";
import type { Dataset } from "../../data/dataset.ts";
import type { SparseLinearTask } from "../../data/sparse_coding.ts";
import { asImageFn, type Model } from "../../models/types.ts";
import { robustAccuracy } from "../../attacks/evaluate.ts";
import type { Norm } from "../../optimize/threat_model.ts";

/** One network of {@link onlineRobustness}. */
export interface OnlineRow {
  examples: number;
  weightDecay: number;
  clean: number;
  robust: number;
  /** Test examples behind `clean` and `robust`. */
  n: number;
}

/**
 * For every count in `counts` and every decay in `weightDecays`: a fresh network from `build`,
 * one epoch over `count` fresh examples of `task` (cached as `nb02-online`), evaluated on
 * `test` clean and under a PGD attack of radius `tau`.
 *
 * @example
 * ```ts
 * const rows = await onlineRobustness({ task, build, counts: [2000, 8000], weightDecays: [0, 1e-3],
 *   test, fit: { batchSize: 64, seed: 0, optimizer: { name: "adam", lr: 0.01 } },
 *   norm: "l2", tau: 0.1, evalSteps: 10 });
 * ```
 */
export async function onlineRobustness(opts: {
  task: SparseLinearTask;
  build: () => Model;
  counts: readonly number[];
  weightDecays: readonly number[];
  test: Dataset;
  fit: Omit<FitOptions, "epochs" | "steps" | "weightDecay">;
  norm: Exclude<Norm, "none">;
  tau: number;
  evalSteps: number;
}): Promise<OnlineRow[]> {
  const rows: OnlineRow[] = [];
  for (const n of opts.counts) {
    const stream = opts.task.sample(n, opts.fit.seed + 100 + n, `online-${n}`);
    for (const decay of opts.weightDecays) {
      const model = opts.build();
      const fit: FitOptions = { ...opts.fit, epochs: 1, label: `online ${n}` };
      if (decay > 0) fit.weightDecay = decay;
      await cachedFit(model, stream, fit, { name: "nb02-online", studies: ["purification"] });
      const r = await robustAccuracy(asImageFn(model), opts.test, {
        norm: opts.norm,
        epsilons: [0, opts.tau],
        steps: opts.evalSteps,
        seed: opts.fit.seed,
      });
      rows.push({
        examples: n,
        weightDecay: decay,
        clean: r[0].accuracy,
        robust: r[1].accuracy,
        n: r[1].n,
      });
      model.dispose();
    }
  }
  return rows;
}
