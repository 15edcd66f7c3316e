/**
 * The three benchmark workloads, built from lenses' own models, optimizers and attack: one
 * step of each is what a notebook's training loop or attack loop runs per batch.
 *
 * - cnn_train: reference CNN, batch 128, 28×28×1, Adam(1e-3), softmax cross-entropy.
 * - mlp_train: MLP 784-300-100-10 ReLU, batch 128, Adam(1e-3).
 * - cnn_pgd10: 10-step L∞ PGD (eps 0.3, step 0.03, cross-entropy, no random start) on the
 *   reference CNN, batch 128.
 *
 * @module
 */
import { tf } from "../lib/tf.ts";
import { Rng } from "../lib/random/rng.ts";
import { mlp, referenceCnn } from "../lib/models/builders.ts";
import { type Model } from "../lib/models/types.ts";
import { makeOptimizer } from "../lib/train/optimizers.ts";
import { meanCrossEntropy } from "../lib/train/evaluate.ts";
import { pgd } from "../lib/attacks/pgd.ts";
import { linf } from "../lib/optimize/mod.ts";

/** Workload names, as in the JSON output. */
export const WORKLOADS = ["cnn_train", "mlp_train", "cnn_pgd10"] as const;
/** One of {@link WORKLOADS}. */
export type WorkloadName = typeof WORKLOADS[number];

/** Images per step of every workload. */
export const BATCH = 128;

/** A workload ready to run: `step()` processes one batch; `dispose()` frees everything. */
export interface Workload {
  name: WorkloadName;
  step(): Promise<void>;
  dispose(): void;
}

/** A seeded batch: images uniform in [0, 1] and labels in 0..9. */
function batch(seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Rng(seed);
  const x = new Float32Array(BATCH * 28 * 28);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const y = Int32Array.from({ length: BATCH }, () => rng.int(10));
  return { x: tf.tensor4d(x, [BATCH, 28, 28, 1]), y: tf.tensor1d(y, "int32") };
}

function trainWorkload(name: WorkloadName, model: Model): Workload {
  const { x, y } = batch(1);
  const optimizer = makeOptimizer({ name: "adam", lr: 1e-3 });
  return {
    name,
    // deno-lint-ignore require-await
    async step() {
      const loss = optimizer.minimize(
        () =>
          meanCrossEntropy(
            model.apply(x, { training: true }) as tf.Tensor2D,
            y,
          ),
        true,
      );
      loss?.dataSync();
      loss?.dispose();
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

function pgdWorkload(model: Model): Workload {
  const { x, y } = batch(2);
  const logits = (images: tf.Tensor4D) => model.apply(images) as tf.Tensor2D;
  const threat = linf(0.3);
  return {
    name: "cnn_pgd10",
    async step() {
      const { adversarial } = await pgd(logits, x, y, {
        threat,
        steps: 10,
        stepSize: 0.03,
        keepBest: false,
      });
      adversarial.dispose();
    },
    dispose() {
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

/**
 * Builds workload `name` on the active backend.
 *
 * @example
 * ```ts
 * const w = makeWorkload("mlp_train");
 * await w.step();
 * w.dispose();
 * ```
 */
export function makeWorkload(name: WorkloadName): Workload {
  switch (name) {
    case "cnn_train":
      return trainWorkload(name, referenceCnn({ seed: 0 }));
    case "mlp_train":
      return trainWorkload(
        name,
        mlp({
          seed: 0,
          inputShape: [28, 28, 1],
          widths: [300, 100],
          activation: "relu",
        }),
      );
    case "cnn_pgd10":
      return pgdWorkload(referenceCnn({ seed: 0 }));
  }
}
