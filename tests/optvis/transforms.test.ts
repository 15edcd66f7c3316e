import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/mod.ts";
import {
  compose,
  jitter,
  randomRotate,
  randomScale,
  standardTransforms,
  type Transform,
} from "../../lib/optvis/transforms.ts";

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const images = () => tf.randomUniform([2, 9, 7, 3], 0, 1, "float32", 1) as tf.Tensor4D;

Deno.test("transforms preserve the shape [B, h, w, c]", () => {
  const x = images();
  const all: [string, Transform][] = [
    ["jitter", jitter(3)],
    ["scale", randomScale([0.8, 1.2])],
    ["rotate", randomRotate([-30, 45])],
    ["compose", compose(jitter(1), randomRotate([10]))],
    ["standard", standardTransforms(0)],
  ];
  for (const [name, t] of all) {
    for (let seed = 0; seed < 4; seed++) {
      const y = t(x, new Rng(seed));
      assert.deepEqual(y.shape, x.shape, name);
      y.dispose();
    }
  }
  x.dispose();
});

Deno.test("jitter shifts by whole pixels and fills what moves in", () => {
  const x = tf.tensor4d([[[[1], [2], [3]], [[4], [5], [6]], [[7], [8], [9]]]]);
  const seen = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const y = jitter(1, -1)(x, new Rng(seed)).arraySync()[0].map((r) => r.map((v) => v[0]));
    // Find the shift: the 5 (centre) lands at (1 + dy, 1 + dx).
    const at = y.flatMap((r, i) => r.flatMap((v, j) => (v === 5 ? [[i - 1, j - 1]] : [])))[0];
    const [dy, dx] = at;
    seen.add(`${dy},${dx}`);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const [si, sj] = [i - dy, j - dx];
        const expected = si >= 0 && si < 3 && sj >= 0 && sj < 3 ? 3 * si + sj + 1 : -1;
        assert.equal(y[i][j], expected, `shift (${dy}, ${dx}) at (${i}, ${j})`);
      }
    }
  }
  assert.equal(seen.size, 9, "every shift in [−1, 1]² is drawn");
  x.dispose();
});

Deno.test("rotation by 90° and 180° and scale 1 are exact resamplings", () => {
  const x = tf.randomUniform([1, 5, 5, 2], 0, 1, "float32", 2) as tf.Tensor4D;
  const identity = randomScale([1])(x, new Rng(0));
  assert.ok(maxAbsDiff(identity, x) < 1e-6);
  const turned = randomRotate([90])(x, new Rng(0));
  // +90° turns the picture clockwise on screen (rows down): out[i][j] = in[4 − j][i].
  const clockwise = tf.tidy(() => tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 2));
  const err = maxAbsDiff(turned, clockwise);
  assert.ok(err < 1e-5, `90° rotation is the clockwise pixel permutation (error ${err})`);
  const half = randomRotate([180])(x, new Rng(0));
  const flipped = tf.tidy(() => tf.reverse(x, [1, 2]));
  assert.ok(maxAbsDiff(half, flipped) < 1e-5);
  tf.dispose([x, identity, turned, clockwise, half, flipped]);
});

Deno.test("scaling up by 2 reads the centre half of the image (bilinear, fill outside)", () => {
  // A horizontal ramp: scaled ×2 about the centre column c = 2, out[j] = in(c + (j − c)/2).
  const ramp = tf.tensor4d([[[[0], [1], [2], [3], [4]]]]);
  const out = randomScale([2], 9)(ramp, new Rng(0)).dataSync();
  assert.deepEqual(Array.from(out), [1, 1.5, 2, 2.5, 3]);
  const shrunk = randomScale([0.5], 9)(ramp, new Rng(0)).dataSync();
  // out[j] = in(2 + 2(j − 2)): columns 0 and 4 read outside → fill.
  assert.deepEqual(Array.from(shrunk), [9, 0, 2, 4, 9]);
  ramp.dispose();
});

Deno.test("transforms: seeded, differentiable, no leaks, clear errors", () => {
  const x = images();
  const t = standardTransforms(0.5);
  const [a, b] = [t(x, new Rng(5)), t(x, new Rng(5))];
  assert.equal(maxAbsDiff(a, b), 0, "same seed, same draw");
  tf.dispose([a, b]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(t(v as tf.Tensor4D, new Rng(3))))(x);
  assert.ok(g.dataSync().some((v) => v !== 0), "gradient reaches the images");
  g.dispose();
  const before = tf.memory().numTensors;
  for (let seed = 0; seed < 3; seed++) tf.dispose(t(x, new Rng(seed)));
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => jitter(-1), /pixels must be a non-negative integer, got -1/);
  assert.throws(() => randomScale([]), /at least one finite scale/);
  assert.throws(() => randomScale([0]), /scales must be positive/);
  assert.throws(() => randomRotate([NaN]), /at least one finite angle/);
  assert.throws(() => jitter(1, NaN), /fill must be finite/);
  x.dispose();
});

Deno.test("scale and rotate: the gradient is the exact adjoint of the resampling", () => {
  // With fill 0 the transforms are linear maps W, so ⟨W x, r⟩ = ⟨x, ∇ₓ⟨W x, r⟩⟩ (= ⟨x, Wᵀ r⟩).
  const x = tf.randomNormal([2, 9, 7, 3], 0, 1, "float32", 7) as tf.Tensor4D;
  const r = tf.randomNormal([2, 9, 7, 3], 0, 1, "float32", 8);
  for (
    const [name, t] of [["scale", randomScale([0.7, 1.3], 0)], [
      "rotate",
      randomRotate([33], 0),
    ]] as const
  ) {
    for (let seed = 0; seed < 2; seed++) {
      const f = (v: tf.Tensor) => tf.sum(tf.mul(t(v as tf.Tensor4D, new Rng(seed)), r));
      const lhs = tf.tidy(() => f(x).dataSync()[0]);
      const rhs = tf.tidy(() => tf.sum(tf.mul(x, tf.grad(f)(x))).dataSync()[0]);
      assert.ok(
        Math.abs(lhs - rhs) < 1e-4 * Math.max(1, Math.abs(lhs)),
        `${name}: ${lhs} vs ${rhs}`,
      );
    }
  }
  tf.dispose([x, r]);
});
