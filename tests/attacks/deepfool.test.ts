import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/rng.ts";
import { deepFool } from "../../lib/attacks/mod.ts";
import type { ImageFn } from "../../lib/models/types.ts";
import { affine, assertNoLeak, useCpu } from "./helpers.ts";

await useCpu();

const D = 8;
const C = 4;
const rng = new Rng(21);
const columns = Array.from(
  { length: C },
  () => Array.from({ length: D }, () => rng.normal()),
);
const bias = Array.from({ length: C }, () => 0.1 * rng.normal());
const model = affine(columns, bias);
// Images near mid-grey, so the minimal perturbation does not reach the box walls.
const images = Array.from(
  { length: 5 },
  () => Array.from({ length: D }, () => 0.5 + 0.05 * rng.normal()),
);

function logitsOf(x: number[]): number[] {
  return columns.map((w, k) => w.reduce((s, v, j) => s + v * x[j], bias[k]));
}

/** Minimal L2 distance to the region of another class for an affine classifier. */
function analyticMargin(
  x: number[],
  label: number,
): { distance: number; wNorm: number } {
  const z = logitsOf(x);
  let best = { distance: Infinity, wNorm: 0 };
  for (let k = 0; k < C; k++) {
    if (k === label) continue;
    const wNorm = Math.hypot(
      ...columns[k].map((v, j) => v - columns[label][j]),
    );
    const distance = Math.abs(z[k] - z[label]) / wNorm;
    if (distance < best.distance) best = { distance, wNorm };
  }
  return best;
}

Deno.test("DeepFool finds the analytic minimal L2 perturbation of an affine classifier in one step", async () => {
  const x = tf.tensor4d(images.flat(), [images.length, 2, 2, 2]);
  const labels = images.map((im) => {
    const z = logitsOf(im);
    return z.indexOf(Math.max(...z));
  });
  await assertNoLeak(async () => {
    const r = await deepFool(model, x, labels);
    images.forEach((im, i) => {
      const { distance, wNorm } = analyticMargin(im, labels[i]);
      // Each jump adds 1e-4 / ‖w‖ of slack; the total is scaled by 1 + overshoot.
      const expected = 1.02 * (distance + 1e-4 / wNorm);
      assert.ok(
        Math.abs(r.norms[i] - expected) < 1e-4,
        `${r.norms[i]} vs ${expected}`,
      );
    });
    assert.deepEqual(Array.from(r.iterations), [1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(r.success), [1, 1, 1, 1, 1]);
    assert.deepEqual(r.config, {
      attack: "deepfool",
      norm: "l2",
      overshoot: 0.02,
      maxIterations: 50,
    });
    r.adversarial.dispose();
  });
  x.dispose();
});

Deno.test("DeepFool with no overshoot stops on the boundary itself", async () => {
  const x = tf.tensor4d(images[0], [1, 2, 2, 2]);
  const z = logitsOf(images[0]);
  const label = z.indexOf(Math.max(...z));
  const r = await deepFool(model, x, [label], { overshoot: 0 });
  const { distance } = analyticMargin(images[0], label);
  assert.ok(Math.abs(r.norms[0] - distance) < 1e-3);
  tf.dispose([x, r.adversarial]);
});

Deno.test("examples the model already gets wrong need no perturbation", async () => {
  const x = tf.tensor4d(images.slice(0, 2).flat(), [2, 2, 2, 2]);
  const wrong = images.slice(0, 2).map((im) => {
    const z = logitsOf(im);
    return z.indexOf(Math.min(...z));
  });
  const r = await deepFool(model, x, wrong);
  assert.deepEqual(Array.from(r.norms), [0, 0]);
  assert.deepEqual(Array.from(r.iterations), [0, 0]);
  assert.deepEqual(Array.from(r.success), [1, 1]);
  tf.dispose([x, r.adversarial]);
});

Deno.test("DeepFool crosses the curved boundary of a small nonlinear model", async () => {
  const w1 = tf.tensor2d(Array.from({ length: D * 6 }, () => rng.normal()), [
    D,
    6,
  ]);
  const w2 = tf.tensor2d(Array.from({ length: 6 * 3 }, () => rng.normal()), [
    6,
    3,
  ]);
  const net: ImageFn = (xs) =>
    tf.tidy(() => tf.matMul(tf.tanh(tf.matMul(tf.reshape(xs, [xs.shape[0], -1]), w1)), w2));
  const x = tf.tensor4d(images.flat(), [images.length, 2, 2, 2]);
  const labels = tf.tidy(() => Array.from(tf.argMax(net(x), 1).dataSync()));
  const r = await deepFool(net, x, labels);
  assert.deepEqual(Array.from(r.success), [1, 1, 1, 1, 1]);
  r.norms.forEach((v) => assert.ok(v > 0 && v < 2, `norm ${v}`));
  r.adversarial.dataSync().forEach((v) => assert.ok(v >= 0 && v <= 1));
  tf.dispose([w1, w2, x, r.adversarial]);
});

Deno.test("DeepFool rejects bad settings clearly", async () => {
  const x = tf.tensor4d(images[0], [1, 2, 2, 2]);
  await assert.rejects(
    () => deepFool(model, x, [0], { overshoot: -1 }),
    /overshoot must be a finite number >= 0/,
  );
  await assert.rejects(
    () => deepFool(model, x, [0], { maxIterations: 0 }),
    /maxIterations must be an integer >= 1/,
  );
  await assert.rejects(
    () => deepFool(model, x, [0, 1]),
    /deepFool: 2 labels for a batch of 1 images/,
  );
  await assert.rejects(
    () => deepFool(model, x, [C]),
    /labels\[0\] = 4 is not a class index in \[0, 4\)/,
  );
  x.dispose();
});
