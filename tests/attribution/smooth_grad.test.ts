import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { classScore, smoothGrad, type SmoothGradResult } from "../../lib/attribution/mod.ts";
import { onInputs } from "../../lib/optimize/mod.ts";
import { smoothedLogits } from "../../lib/smoothing/mod.ts";
import { affine, assertNoLeak, uniformImages, useCpu } from "../attacks/helpers.ts";
import { smoothNet } from "../smoothing/helpers.ts";

await useCpu();

const f = smoothNet(1);
const classes = [1, 0, 2];

async function values(t: tf.Tensor): Promise<number[]> {
  const out = Array.from(await t.data());
  t.dispose();
  return out;
}

Deno.test("SmoothGrad of an affine model is its weight row, with zero variance", async () => {
  const w = [
    Array.from({ length: 16 }, (_, i) => i / 16 - 0.5),
    Array.from({ length: 16 }, (_, i) => (i % 3) - 1),
  ];
  const model = affine(w, [0.1, -0.2]);
  const x = uniformImages([2, 4, 4, 1], 1);
  await assertNoLeak(async () => {
    const { gradient, variance, score } = await smoothGrad(model, x, [1, 0], {
      sigma: 0.5,
      samples: 6,
      seed: 0,
    });
    const rows = await gradient.reshape([2, 16]).array() as number[][];
    for (let i = 0; i < 16; i++) {
      assert.ok(Math.abs(rows[0][i] - w[1][i]) < 1e-5);
      assert.ok(Math.abs(rows[1][i] - w[0][i]) < 1e-5);
    }
    for (const v of variance) assert.ok(v < 1e-9, `variance ${v}`);
    assert.equal(score.length, 2);
    gradient.dispose();
  }, 1); // the affine model's weights, created on first call
  x.dispose();
});

Deno.test("SmoothGrad is the gradient of the smoothed score at the same draws", async () => {
  const x = uniformImages([3, 4, 4, 1], 2, 0.2, 0.8);
  const opts = { sigma: 0.2, samples: 10, seed: 4, batchSize: 7 };
  const c = tf.tensor1d(classes, "int32");
  const objective = onInputs(classScore(c), smoothedLogits(f, opts));
  await assertNoLeak(async () => {
    const { gradient, score } = await smoothGrad(f, x, classes, opts);
    const auto = tf.grad((v) => tf.sum(objective(v as tf.Tensor4D)))(x);
    const gap = await values(tf.tidy(() => tf.max(tf.abs(tf.sub(auto, gradient)))));
    assert.ok(gap[0] < 1e-5, `SmoothGrad vs autodiff of the smoothed score: ${gap[0]}`);
    const direct = await values(tf.tidy(() => objective(x)));
    for (let b = 0; b < 3; b++) assert.ok(Math.abs(score[b] - direct[b]) < 1e-5);
    // Finite differences of the Monte-Carlo estimate (fixed draws) along a random direction.
    const h = 1e-2;
    const d = tf.randomNormal(x.shape, 0, 1, "float32", 9) as tf.Tensor4D;
    const plus = await values(tf.tidy(() => objective(tf.add(x, tf.mul(d, h)))));
    const minus = await values(tf.tidy(() => objective(tf.sub(x, tf.mul(d, h)))));
    const directional = await values(tf.tidy(() => tf.sum(tf.mul(gradient, d), [1, 2, 3])));
    for (let b = 0; b < 3; b++) {
      const fd = (plus[b] - minus[b]) / (2 * h);
      assert.ok(
        Math.abs(fd - directional[b]) < 2e-3 * (1 + Math.abs(fd)),
        `${fd} vs ${directional[b]}`,
      );
    }
    tf.dispose([gradient, auto, d]);
  });
  tf.dispose([x, c]);
});

Deno.test("SmoothGrad tends to the plain gradient as σ → 0", async () => {
  const x = uniformImages([3, 4, 4, 1], 3);
  await assertNoLeak(async () => {
    const { gradient } = await smoothGrad(f, x, classes, { sigma: 1e-5, samples: 2, seed: 0 });
    const mask = tf.tidy(() => tf.oneHot(tf.tensor1d(classes, "int32"), 3));
    const plain = tf.grad((v) => tf.sum(tf.mul(f(v as tf.Tensor4D), mask)))(x);
    const gap = await values(tf.tidy(() => tf.max(tf.abs(tf.sub(plain, gradient)))));
    assert.ok(gap[0] < 1e-3, `gap ${gap[0]}`);
    tf.dispose([gradient, mask, plain]);
  });
  x.dispose();
});

Deno.test("SmoothGrad's variance falls with the samples and matches the spread over seeds", async () => {
  const x = uniformImages([3, 4, 4, 1], 4);
  await assertNoLeak(async () => {
    const at = (samples: number, seed: number) =>
      smoothGrad(f, x, classes, { sigma: 0.5, samples, seed });
    const few = await at(4, 0), many = await at(64, 0);
    for (let b = 0; b < 3; b++) {
      assert.ok(
        many.variance[b] < few.variance[b] / 4,
        `m=4: ${few.variance[b]}, m=64: ${many.variance[b]}`,
      );
    }
    const runs: SmoothGradResult[] = [];
    for (let seed = 0; seed < 24; seed++) runs.push(await at(16, seed));
    const grads = tf.stack(runs.map((r) => r.gradient));
    const spread = await values(
      tf.tidy(() =>
        tf.div(tf.sum(tf.square(tf.sub(grads, tf.mean(grads, 0))), [0, 2, 3, 4]), runs.length - 1)
      ),
    );
    for (let b = 0; b < 3; b++) {
      const reported = runs.reduce((s, r) => s + r.variance[b], 0) / runs.length;
      assert.ok(
        reported / spread[b] > 0.5 && reported / spread[b] < 2,
        `${reported} vs ${spread[b]}`,
      );
    }
    tf.dispose([grads, few.gradient, many.gradient, ...runs.map((r) => r.gradient)]);
  });
  x.dispose();
});

Deno.test("SmoothGrad rejects bad classes and too few samples", async () => {
  const x = uniformImages([3, 4, 4, 1], 5);
  await assertNoLeak(async () => {
    await assert.rejects(smoothGrad(f, x, [0, 1], { sigma: 0.1, samples: 4, seed: 0 }), /labels/);
    await assert.rejects(
      smoothGrad(f, x, [0, 1, 7], { sigma: 0.1, samples: 4, seed: 0 }),
      /labels/,
    );
    await assert.rejects(smoothGrad(f, x, classes, { sigma: 0.1, samples: 1, seed: 0 }), /samples/);
    assert.throws(() => smoothedLogits(f, { sigma: 0, samples: 4, seed: 0 }), /sigma/);
  });
  x.dispose();
});
