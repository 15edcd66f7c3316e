import assert from "node:assert/strict";
import { tf } from "../../../lib/tf.ts";
import { initBackend } from "../../../lib/backend/mod.ts";
import type { Dataset } from "../../../lib/data/mod.ts";
import type { ImageFn } from "../../../lib/models/mod.ts";
import {
  agreement,
  attackItems,
  classMeans,
  meanDifferences,
  predictions,
  randomDirections,
  rowCosines,
  scoreDrawn,
  scoreGradient,
  stepAlong,
  targetedAttack,
  targetedDirection,
} from "../../../lib/studies/smoothed_gradients/mod.ts";

await initBackend({ backend: "cpu" });

/** Four 2×2×1 images of 2 classes. */
function tiny(): Dataset {
  return {
    name: "tiny",
    shape: [2, 2, 1],
    x: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1]),
    labels: Int32Array.from([0, 0, 1, 1]),
    numClasses: 2,
  };
}

/** A linear classifier on 2×2×1 images, logits = flatten(x)·W, W [4, classes]. */
function linear(w: number[][]): ImageFn {
  const weights = tf.tensor2d(w);
  return (x) => tf.matMul(tf.reshape(x, [x.shape[0], -1]), weights) as tf.Tensor2D;
}
const W = [[1, -1, 0], [0, 2, -1], [0.5, 0, 1], [-1, 0, 2]];

async function values(t: tf.Tensor): Promise<number[]> {
  const out = Array.from(await t.data());
  t.dispose();
  return out;
}

Deno.test("classMeans: the mean image per class; a missing class is an error", async () => {
  const means = classMeans(tiny());
  assert.deepEqual(means.shape, [2, 2, 2, 1]);
  assert.deepEqual(await values(means), [0.5, 0.5, 0, 0, 0, 0, 0.5, 1]);
  assert.throws(
    () => classMeans({ ...tiny(), labels: Int32Array.from([0, 0, 0, 0]) }),
    /no example of class 1/,
  );
});

Deno.test("meanDifferences: μ_target − μ_source per item", async () => {
  const means = classMeans(tiny());
  const d = meanDifferences(means, [0, 1], [1, 1]);
  assert.deepEqual(await values(d), [-0.5, -0.5, 0.5, 1, 0, 0, 0, 0]);
  assert.throws(() => meanDifferences(means, [0], [1, 0]), /one target per source/);
  means.dispose();
});

Deno.test("rowCosines: ±1 for (anti)parallel rows, 0 for orthogonal and zero rows", async () => {
  const a = tf.tensor2d([[1, 2, 0], [1, 0, 0], [3, 4, 0], [0, 0, 0]]);
  const b = tf.tensor2d([[2, 4, 0], [0, 5, 0], [-6, -8, 0], [1, 1, 1]]);
  const cos = await rowCosines(a, b);
  [1, 0, -1, 0].forEach((want, i) => assert.ok(Math.abs(cos[i] - want) < 1e-6, `row ${i}`));
  await assert.rejects(() => rowCosines(a, tf.zeros([4, 2])), /differ/);
  tf.dispose([a, b]);
});

Deno.test("attackItems: every source towards every class; the diagonal is not scored", async () => {
  const items = attackItems(tiny(), 3);
  assert.deepEqual(Array.from(items.labels), [0, 0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(items.targets), [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(Array.from(items.scored), [1, 2, 5]);
  // Sources cycle through the classes: images 0, 2, then the second image of class 0.
  const pixels = await values(items.x);
  assert.deepEqual(pixels.slice(0, 4), [1, 0, 0, 0]);
  assert.deepEqual(pixels.slice(8, 12), [0, 0, 1, 1]);
  assert.deepEqual(pixels.slice(16, 20), [0, 1, 0, 0]);
  assert.throws(() => attackItems(tiny(), 5), /too few images of class 0/);
});

Deno.test("targetedDirection: −∇ cross-entropy of the target, in closed form for a linear model", async () => {
  const f = linear(W);
  const x = tf.tensor4d([0.2, 0.4, 0.6, 0.8], [1, 2, 2, 1]);
  const { direction, variance } = await targetedDirection(f, x, [2]);
  assert.equal(variance, undefined);
  // −∇ℓ = W_t − Σ_c p_c W_c.
  const logits = await values(f(x));
  const p = logits.map(Math.exp);
  const z = p.reduce((s, v) => s + v, 0);
  const want = W.map((row) => row[2] - row.reduce((s, w, c) => s + (p[c] / z) * w, 0));
  const got = await values(direction);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-5, `pixel ${i}: ${g} vs ${want[i]}`));
  await assert.rejects(() => targetedDirection(f, x, [1, 2]), /one per image/);
  x.dispose();
});

Deno.test("targetedDirection with smoothing: a Monte-Carlo estimate with its variance, no leaks", async () => {
  const f = linear(W);
  const x = tf.tensor4d([0.2, 0.4, 0.6, 0.8, 0.1, 0.1, 0.9, 0.5], [2, 2, 2, 1]);
  const before = tf.memory().numTensors;
  const { direction, variance } = await targetedDirection(f, x, [2, 0], {
    sigma: 0.5,
    samples: 16,
    seed: 3,
  });
  assert.deepEqual(direction.shape, [2, 2, 2, 1]);
  assert.equal(variance?.length, 2);
  assert.ok(variance!.every((v) => Number.isFinite(v) && v >= 0));
  // Towards class 2 a linear model's direction has a positive component along W_2 − W_0 …
  const first = tf.slice(direction, [0], [1]);
  const along = tf.tensor4d(W.map((r) => r[2] - r[0]), [1, 2, 2, 1]);
  const [cos] = await rowCosines(first, along);
  assert.ok(cos > 0, `cos ${cos}`);
  tf.dispose([direction, first, along]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

Deno.test("scoreGradient: the class's weight column for a linear model", async () => {
  const x = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
  const g = await values(scoreGradient(linear(W), x, [1, 2]));
  assert.deepEqual(g, [...W.map((r) => r[1]), ...W.map((r) => r[2])]);
  x.dispose();
});

Deno.test("stepAlong: a step of length ε along the direction, clipped to the box", async () => {
  const x = tf.fill([1, 2, 2, 1], 0.5) as tf.Tensor4D;
  const d = tf.tensor4d([3, 0, 4, 0], [1, 2, 2, 1]);
  assert.deepEqual(
    (await values(stepAlong(x, d, 0.25))).map((v) => +v.toFixed(6)),
    [0.65, 0.5, 0.7, 0.5],
  );
  assert.deepEqual(await values(stepAlong(x, d, 10)), [1, 0.5, 1, 0.5]);
  tf.dispose([x, d]);
});

Deno.test("randomDirections: seeded, nearly orthogonal to a fixed direction in high dimension", async () => {
  const a = randomDirections([1, 28, 28, 1], 5), b = randomDirections([1, 28, 28, 1], 5);
  assert.deepEqual(await values(a.clone()), await values(b.clone()));
  const [cos] = await rowCosines(a, tf.ones([1, 28, 28, 1]));
  assert.ok(Math.abs(cos) < 0.15, `cos ${cos}`);
  tf.dispose([a, b]);
});

Deno.test("targetedAttack: reaches the target inside the L2 ball; predictions and scores agree", async () => {
  const f = linear(W);
  const x = tf.fill([3, 2, 2, 1], 0.5) as tf.Tensor4D;
  const targets = [0, 1, 2];
  const drawn = await targetedAttack(f, x, [1, 1, 1], targets, {
    eps: 1,
    steps: 20,
    stepSize: 0.1,
    batchSize: 2,
  });
  assert.deepEqual(Array.from(await predictions(f, drawn)), targets);
  const norms = await values(tf.norm(tf.reshape(tf.sub(drawn, x), [3, -1]), "euclidean", 1));
  assert.ok(norms.every((v) => v <= 1 + 1e-5), `norms ${norms}`);
  const toward = tf.ones([3, 2, 2, 1]) as tf.Tensor4D;
  const { hits, cosMean } = await scoreDrawn(f, drawn, x, [0, 0, 2], toward);
  assert.deepEqual(Array.from(hits), [1, 0, 1]);
  assert.equal(cosMean.length, 3);
  tf.dispose([x, drawn, toward]);
});

Deno.test("agreement: cosines, the relative Monte-Carlo variance, and the direction disposed", async () => {
  const d = tf.tensor4d([1, 0, 0, 0, 0, 2, 0, 0], [2, 2, 2, 1]);
  const ref = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0], [2, 2, 2, 1]);
  const exactOne = await agreement(d.clone(), ref);
  assert.ok(Number.isNaN(exactOne.relativeVariance));
  const { cos, relativeVariance } = await agreement(d, ref, Float32Array.from([0.5, 2]));
  assert.deepEqual(Array.from(cos), [1, 0]);
  assert.equal(relativeVariance, (0.5 / 1 + 2 / 4) / 2);
  assert.ok(d.isDisposed);
  ref.dispose();
});
