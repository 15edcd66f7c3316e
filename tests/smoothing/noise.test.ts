import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/mod.ts";
import { mlp } from "../../lib/models/mod.ts";
import { fit } from "../../lib/train/mod.ts";
import { gaussianNoise, gaussianNoiseHook } from "../../lib/smoothing/mod.ts";
import { assertNoLeak, useCpu } from "../attacks/helpers.ts";
import { toyDataset } from "../train/fixtures.ts";

await useCpu();

async function noiseOf(sigma: number, seed: number, step = 0): Promise<Float32Array> {
  const hook = gaussianNoiseHook(sigma);
  const x = tf.fill([64, 8, 8, 1], 0.25) as tf.Tensor4D;
  const y = tf.tensor1d(new Int32Array(64), "int32");
  const out = await hook({ x, y }, {
    epoch: 0,
    step,
    seed: new Rng(seed).fork(`step-${step}`).seed,
  });
  const delta = tf.sub(out.x, x);
  const values = await delta.data() as Float32Array;
  assert.deepEqual(await out.y.data(), await y.data());
  tf.dispose([x, y, out.x, out.y, delta]);
  return values;
}

Deno.test("the noise hook adds N(0, σ²) noise, the same for the same seed and step", async () => {
  await assertNoLeak(async () => {
    const a = await noiseOf(0.5, 1);
    assert.deepEqual(a, await noiseOf(0.5, 1));
    assert.notDeepEqual(a, await noiseOf(0.5, 2));
    assert.notDeepEqual(a, await noiseOf(0.5, 1, 1));
    // 4096 draws: mean within 4 standard errors of 0, standard deviation within 5% of σ.
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / (a.length - 1));
    assert.ok(Math.abs(mean) < 4 * 0.5 / Math.sqrt(a.length), `mean ${mean}`);
    assert.ok(Math.abs(sd / 0.5 - 1) < 0.05, `sd ${sd}`);
  });
});

Deno.test("the noise hook describes itself for the model cache and checks σ", () => {
  assert.deepEqual(gaussianNoiseHook(0.25).config, { kind: "gaussian-noise", sigma: 0.25 });
  assert.throws(() => gaussianNoiseHook(0), /sigma/);
  assert.throws(() => gaussianNoiseHook(Number.NaN), /sigma/);
});

Deno.test("the noise hook keeps real-valued targets", async () => {
  const x = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
  const y = tf.tensor1d([0, 1], "int32");
  const targets = tf.tensor2d([[0.5, 1], [2, 3]]);
  await assertNoLeak(async () => {
    const out = await gaussianNoiseHook(0.1)({ x, y, targets }, { epoch: 0, step: 0, seed: 1 });
    assert.deepEqual(await out.targets!.data(), await targets.data());
    tf.dispose([out.x, out.y, out.targets!]);
  });
  tf.dispose([x, y, targets]);
});

Deno.test("gaussianNoise is a pure function of its seed", async () => {
  const a = gaussianNoise([3, 5], 2, 42), b = gaussianNoise([3, 5], 2, 42);
  assert.deepEqual(await a.data(), await b.data());
  tf.dispose([a, b]);
});

Deno.test("fit with the noise hook is reproducible and trains on noisy batches", async () => {
  const train = toyDataset(128, 1);
  const run = async (sigma?: number) => {
    const model = mlp({ seed: 0, inputShape: [4, 4, 1], widths: [8], numClasses: 2 });
    const { stepLosses } = await fit(model, train, {
      epochs: 1,
      batchSize: 32,
      seed: 0,
      optimizer: { name: "adam", lr: 0.01 },
      progress: "quiet",
      ...(sigma ? { beforeStep: gaussianNoiseHook(sigma) } : {}),
    });
    model.dispose();
    return stepLosses;
  };
  await assertNoLeak(async () => {
    const noisy = await run(0.5);
    assert.deepEqual(noisy, await run(0.5));
    assert.notDeepEqual(noisy, await run());
  });
});

Deno.test("gaussianNoise refuses seed 0, which tfjs would replace with Math.random", () => {
  assert.throws(
    () => gaussianNoise([2, 2], 1, 0),
    /seed 0 is not a seed to tfjs; pass rng\.tfSeed\(\)/,
  );
});
