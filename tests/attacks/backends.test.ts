import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/rng.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { deepFool, pgd } from "../../lib/attacks/mod.ts";
import { l2 } from "../../lib/optimize/mod.ts";
import type { ImageFn } from "../../lib/models/types.ts";
import { invertRepresentation } from "../../lib/representations/inversion.ts";

// The attacks must give the same answers on the paths users take (wasm on CPUs, webgpu on
// GPUs; here on the software adapter) as on the reference cpu backend.

function seeded(seed: number, n: number, scale: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

const KERNEL = seeded(1, 3 * 3 * 1 * 4, 0.5);
const DENSE = seeded(2, 4 * 4 * 4 * 3, 0.3);
const IMAGES = Float32Array.from(
  seeded(3, 4 * 8 * 8, 0.2),
  (v) => Math.min(1, Math.max(0, 0.5 + v)),
);

interface Outcome {
  pgd: Float32Array;
  pgdSuccess: Uint8Array;
  deepFoolNorms: Float32Array;
  inversionDistance: Float32Array;
}

async function runAll(backend: "cpu" | "wasm" | "webgpu"): Promise<Outcome> {
  await initBackend({ backend });
  const kernel = tf.tensor4d(KERNEL, [3, 3, 1, 4]);
  const dense = tf.tensor2d(DENSE, [64, 3]);
  const features = (x: tf.Tensor4D) =>
    tf.tidy(() =>
      tf.reshape(tf.relu(tf.conv2d(x, kernel, 2, "same")), [
        x.shape[0],
        64,
      ]) as tf.Tensor2D
    );
  const model: ImageFn = (x) => tf.tidy(() => tf.matMul(features(x), dense));
  const x = tf.tensor4d(IMAGES, [4, 8, 8, 1]);
  const predicted = tf.tidy(() => tf.argMax(model(x), 1));
  // Read asynchronously: webgpu in Deno has no synchronous read-back.
  const labels = Array.from(await predicted.data());
  predicted.dispose();
  const attack = await pgd(model, x, labels, {
    threat: l2(1),
    steps: 10,
    stepSize: 0.25,
    randomStart: true,
    restarts: 2,
    seed: 5,
  });
  const fool = await deepFool(model, x, labels);
  const start = tf.reverse(x, 0) as tf.Tensor4D;
  const inverted = await invertRepresentation(features, start, x, {
    steps: 20,
    stepSize: 0.2,
  });
  const outcome = {
    pgd: Float32Array.from(await attack.adversarial.data()),
    pgdSuccess: attack.success,
    deepFoolNorms: fool.norms,
    inversionDistance: inverted.distance,
  };
  tf.dispose([
    kernel,
    dense,
    x,
    start,
    attack.adversarial,
    fool.adversarial,
    inverted.images,
  ]);
  return outcome;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const backend of ["wasm", "webgpu"] as const) {
  Deno.test({
    name: `PGD, DeepFool and inversion on ${backend} match the cpu backend`,
    ignore: backend === "webgpu" && !navigator.gpu,
    fn: async () => {
      const ref = await runAll("cpu");
      try {
        const got = await runAll(backend);
        assert.ok(
          maxDiff(got.pgd, ref.pgd) < 1e-3,
          `PGD images differ by ${maxDiff(got.pgd, ref.pgd)}`,
        );
        assert.deepEqual(got.pgdSuccess, ref.pgdSuccess);
        assert.ok(
          maxDiff(got.deepFoolNorms, ref.deepFoolNorms) < 1e-3,
          "DeepFool norms differ",
        );
        assert.ok(
          maxDiff(got.inversionDistance, ref.inversionDistance) < 1e-3,
          "inversion differs",
        );
        // The comparison is not vacuous: the attacks did something.
        assert.ok(ref.deepFoolNorms.every((v) => v > 0));
      } finally {
        await initBackend({ backend: "cpu" });
      }
    },
  });
}
