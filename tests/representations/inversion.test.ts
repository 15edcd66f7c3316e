import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { invertRepresentation, relativeDistance } from "../../lib/representations/inversion.ts";
import { fakeRelu } from "../../lib/models/fake_relu.ts";
import { type ImageFn } from "../../lib/models/types.ts";
import { l2 } from "../../lib/optimize/mod.ts";
import { assertNoLeak, diffNorms, uniformImages, useCpu } from "../attacks/helpers.ts";

await useCpu();

// An invertible linear representation of 2×2 grey images (4 pixels → 4 features).
const M = tf.tensor2d([[2, 0.5, 0, 0], [0, 1, 0.3, 0], [0.2, 0, 1.5, 0.4], [
  0,
  0,
  0.1,
  1,
]]);
const linear: ImageFn = (x) => tf.matMul(tf.reshape(x, [x.shape[0], 4]), M);
// Pre-activations that are negative on dark images: a ReLU switches every unit off there.
const centred: ImageFn = (x) => tf.sub(tf.reshape(x, [x.shape[0], 4]), 0.5);

Deno.test("fakeRelu is a ReLU forward and the identity backward", async () => {
  await assertNoLeak(() =>
    tf.tidy(() => {
      const x = tf.tensor1d([-2, -0.5, 0.5, 3]);
      assert.deepEqual(Array.from(fakeRelu(x).dataSync()), [0, 0, 0.5, 3]);
      const dy = tf.tensor1d([1, 2, 3, 4]);
      const fake = tf.grad((t) => fakeRelu(t))(x, dy);
      const real = tf.grad((t) => tf.relu(t))(x, dy);
      assert.deepEqual(Array.from(fake.dataSync()), [1, 2, 3, 4]);
      assert.deepEqual(Array.from(real.dataSync()), [0, 0, 3, 4]);
    })
  );
});

Deno.test("relativeDistance is ‖R(x) − R(t)‖ / ‖R(t)‖ per example", () => {
  tf.tidy(() => {
    const x = tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 1]);
    const t = tf.tensor4d([1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 1]);
    const d = relativeDistance((v) => tf.reshape(v, [2, 4]), x, t).arraySync();
    assert.deepEqual(d, [1, 0]);
  });
});

Deno.test("inverting an invertible representation recovers the target image", async () => {
  const start = uniformImages([3, 2, 2, 1], 1);
  const target = uniformImages([3, 2, 2, 1], 2);
  await assertNoLeak(async () => {
    const r = await invertRepresentation(linear, start, target, {
      steps: 400,
      stepSize: 0.01,
    });
    r.distance.forEach((d) => assert.ok(d < 0.02, `relative distance ${d}`));
    diffNorms(r.images, target).linf.forEach((v) => assert.ok(v < 0.03, `pixel error ${v}`));
    assert.equal(r.history.length, 401);
    assert.ok(r.history[400] < r.history[0] / 10);
    assert.deepEqual(r.config, {
      steps: 400,
      stepSize: 0.01,
      norm: "none",
      eps: Infinity,
      lastRelu: "none",
    });
    r.images.dispose();
  });
  tf.dispose([start, target]);
});

Deno.test("gradients through a fake ReLU revive units a real ReLU leaves dead", async () => {
  const start = tf.fill([1, 2, 2, 1], 0.2) as tf.Tensor4D;
  const target = tf.tensor4d([0.8, 0.9, 0.7, 0.6], [1, 2, 2, 1]);
  const opts = { steps: 100, stepSize: 0.02 };
  const real = await invertRepresentation(centred, start, target, {
    ...opts,
    lastRelu: "relu",
  });
  const fake = await invertRepresentation(centred, start, target, {
    ...opts,
    lastRelu: "fake",
  });
  // Every unit is off at the start, so the real ReLU's gradient is zero and nothing moves.
  assert.ok(Math.abs(real.distance[0] - 1) < 1e-6);
  assert.deepEqual(real.images.dataSync(), start.dataSync());
  assert.ok(fake.distance[0] < 0.1, `fake ReLU distance ${fake.distance[0]}`);
  tf.dispose([start, target, real.images, fake.images]);
});

Deno.test("an L2 ball around the start limits how close the representation gets", async () => {
  const start = uniformImages([2, 2, 2, 1], 3);
  const target = uniformImages([2, 2, 2, 1], 4);
  const distances: number[] = [];
  for (const eps of [0.05, 0.2, Infinity]) {
    const r = await invertRepresentation(linear, start, target, {
      steps: 300,
      stepSize: 0.01,
      threat: Number.isFinite(eps) ? l2(eps) : undefined,
    });
    if (Number.isFinite(eps)) {
      diffNorms(r.images, start).l2.forEach((v) => assert.ok(v <= eps + 1e-5));
    }
    r.images.dispose();
    distances.push(Math.max(...r.distance));
  }
  assert.ok(
    distances[0] > distances[1] && distances[1] > distances[2],
    `${distances}`,
  );
  tf.dispose([start, target]);
});

Deno.test("inversion rejects mismatched or malformed input clearly", async () => {
  const a = uniformImages([2, 2, 2, 1], 5);
  const b = uniformImages([3, 2, 2, 1], 6);
  const opts = { steps: 1, stepSize: 0.1 };
  const before = tf.memory().numTensors;
  await assert.rejects(
    () => invertRepresentation(linear, a, b, opts),
    /start \[2,2,2,1\] and target \[3,2,2,1\] must have the same shape/,
  );
  const flat: ImageFn = (x) => tf.sum(x, [1, 2, 3]) as unknown as tf.Tensor2D;
  await assert.rejects(
    () => invertRepresentation(flat, a, a, opts),
    /must map images \[2,2,2,1\] to \[2, features\], got \[2\]/,
  );
  // An unknown mode, as a caller without types could pass.
  await assert.rejects(
    () =>
      invertRepresentation(linear, a, a, {
        ...opts,
        lastRelu: "leaky" as "relu",
      }),
    /lastRelu must be "none", "relu" or "fake"/,
  );
  await assert.rejects(
    () => invertRepresentation(linear, a, a, { ...opts, stepSize: -1 }),
    /stepSize must be a finite number > 0/,
  );
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([a, b]);
});

Deno.test("a target whose representation is zero is rejected (relative distance undefined)", async () => {
  const start = uniformImages([2, 2, 2, 1], 7);
  const target = tf.tensor4d([0.5, 0.5, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9], [
    2,
    2,
    2,
    1,
  ]);
  await assert.rejects(
    () => invertRepresentation(centred, start, target, { steps: 1, stepSize: 0.1 }),
    /target representation of example 0 is all zeros/,
  );
  tf.dispose([start, target]);
});

Deno.test("a start that already matches the target stays put (no NaN from a zero distance)", async () => {
  const target = uniformImages([2, 2, 2, 1], 8);
  const r = await invertRepresentation(linear, target, target, {
    steps: 5,
    stepSize: 0.1,
  });
  assert.deepEqual(Array.from(r.distance), [0, 0]);
  assert.deepEqual(r.images.dataSync(), target.dataSync());
  tf.dispose([target, r.images]);
});
