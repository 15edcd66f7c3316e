/**
 * The benchmark workloads, built from lenses' own models, optimizers, attack and smoothing: one
 * step of each is what a notebook's training loop, attack loop or certification runs per batch.
 *
 * - cnn_train: reference CNN, batch 128, 28×28×1, Adam(1e-3), softmax cross-entropy.
 * - mlp_train: MLP 784-300-100-10 ReLU, batch 128, Adam(1e-3).
 * - cnn_pgd10: 10-step L∞ PGD (eps 0.3, step 0.03, cross-entropy, no random start) on the
 *   reference CNN, batch 128.
 * - smooth_certify: the inner loop of randomized smoothing's CERTIFY (`sampleNoise`): 1000
 *   copies of one image plus N(0, 0.25²) noise, classified by the reference CNN, predictions
 *   counted per class.
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
import { sampleNoise } from "../lib/smoothing/certify.ts";

/** Workload names, as in the JSON output. */
export const WORKLOADS = ["cnn_train", "mlp_train", "cnn_pgd10", "smooth_certify"] as const;
/** One of {@link WORKLOADS}. */
export type WorkloadName = typeof WORKLOADS[number];

/** Images per step of the training and attack workloads. */
export const BATCH = 128;

/** Noisy copies per step of smooth_certify: the batch of Cohen et al.'s `certify.py`. */
export const NOISE_BATCH = 1000;

/** A workload ready to run: `step()` processes one batch; `dispose()` frees everything. */
export interface Workload {
  name: WorkloadName;
  /** Images one step processes. */
  images: number;
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
    images: BATCH,
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
    images: BATCH,
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

function certifyWorkload(model: Model): Workload {
  const { x } = batch(3);
  const image = tf.slice(x, [0, 0, 0, 0], [1, 28, 28, 1]);
  x.dispose();
  let seed = 0;
  return {
    name: "smooth_certify",
    images: NOISE_BATCH,
    async step() {
      await sampleNoise(model, image, NOISE_BATCH, {
        sigma: 0.25,
        seed: seed++,
        batchSize: NOISE_BATCH,
      });
    },
    dispose() {
      model.dispose();
      image.dispose();
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
    case "smooth_certify":
      return certifyWorkload(referenceCnn({ seed: 0 }));
  }
}
