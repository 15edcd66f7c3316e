import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { makeDataset } from "../../lib/data/dataset.ts";
import { l2 } from "../../lib/optimize/mod.ts";
import { chooseTargets, relabelByAttack, shiftLabels } from "../../lib/representations/relabel.ts";
import { affine, assertNoLeak, useCpu } from "../attacks/helpers.ts";

await useCpu();

Deno.test("chooseTargets 'next' gives (y + 1) mod k", () => {
  const t = chooseTargets(new Int32Array([0, 3, 9, 9]), 10, "next");
  assert.deepEqual(Array.from(t), [1, 4, 0, 0]);
});

Deno.test("chooseTargets 'random' never keeps the label, covers the other classes evenly, and is seeded", () => {
  const labels = Int32Array.from({ length: 9000 }, (_, i) => i % 10);
  const t = chooseTargets(labels, 10, "random", 7);
  const counts = new Map<string, number>();
  for (let i = 0; i < labels.length; i++) {
    assert.notEqual(t[i], labels[i]);
    assert.ok(t[i] >= 0 && t[i] < 10);
    const key = `${labels[i]}->${t[i]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // 900 examples per class over 9 other classes: 100 expected per pair.
  assert.equal(counts.size, 90);
  for (const c of counts.values()) assert.ok(c > 60 && c < 140, `count ${c}`);
  assert.deepEqual(chooseTargets(labels, 10, "random", 7), t);
  assert.notDeepEqual(chooseTargets(labels, 10, "random", 8), t);
});

Deno.test("chooseTargets rejects bad input with a clear message", () => {
  assert.throws(
    () => chooseTargets([0, 10], 10, "next"),
    /label 10 at index 1 is outside \[0, 10\)/,
  );
  assert.throws(() => chooseTargets([0], 1, "next"), /numClasses/);
  assert.throws(
    // @ts-expect-error: a rule that does not exist
    () => chooseTargets([0], 10, "nearest"),
    /rule must be "random" or "next"/,
  );
});

Deno.test("shiftLabels shifts modulo the class count and shares the images", () => {
  const ds = makeDataset({
    name: "toy",
    shape: [1, 1, 1],
    x: new Float32Array([0.1, 0.2, 0.3]),
    labels: new Int32Array([0, 1, 2]),
    numClasses: 3,
  });
  assert.deepEqual(Array.from(shiftLabels(ds, 1).labels), [1, 2, 0]);
  assert.deepEqual(Array.from(shiftLabels(ds, -1).labels), [2, 0, 1]);
  assert.equal(shiftLabels(ds, 1).x, ds.x);
  assert.equal(shiftLabels(ds, 1).name, "toy-shift1");
  assert.deepEqual(Array.from(ds.labels), [0, 1, 2]);
  assert.throws(() => shiftLabels(ds, 0.5), /offset must be an integer/);
});

// Three classes on 2×2 images: class k is the pixel k's brightness; pixel 3 is unused.
const model = affine(
  [[4, 0, 0, 0], [0, 4, 0, 0], [0, 0, 4, 0]],
  [0, 0, 0],
);
const toy = makeDataset({
  name: "toy",
  shape: [2, 2, 1],
  x: new Float32Array([
    0.9,
    0.1,
    0.1,
    0.5,
    0.1,
    0.9,
    0.1,
    0.5,
    0.1,
    0.1,
    0.9,
    0.5,
    0.8,
    0.2,
    0.1,
    0.5,
  ]),
  labels: new Int32Array([0, 1, 2, 0]),
  numClasses: 3,
});

Deno.test("relabelByAttack moves every image to its target within the ball and relabels it", async () => {
  const targets = chooseTargets(toy.labels, 3, "next");
  await assertNoLeak(async () => {
    const r = await relabelByAttack(model, toy, {
      targets,
      threat: l2(1.5),
      steps: 30,
      stepSize: 0.1,
      batchSize: 3,
    });
    assert.equal(r.successRate, 1);
    assert.deepEqual(Array.from(r.success), [1, 1, 1, 1]);
    assert.deepEqual(Array.from(r.dataset.labels), Array.from(targets));
    assert.equal(r.dataset.name, "toy-relabelled");
    const logits = tf.tidy(() =>
      model(tf.tensor4d(r.dataset.x, [4, 2, 2, 1])).argMax(1).arraySync()
    ) as number[];
    assert.deepEqual(logits, Array.from(targets));
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let d2 = 0;
      for (let p = 0; p < 4; p++) {
        const v = r.dataset.x[i * 4 + p];
        assert.ok(v >= 0 && v <= 1);
        d2 += (v - toy.x[i * 4 + p]) ** 2;
      }
      assert.ok(Math.sqrt(d2) <= 1.5 + 1e-5);
      sum += Math.sqrt(d2);
      // The unused pixel has zero gradient and must not move.
      assert.ok(Math.abs(r.dataset.x[i * 4 + 3] - 0.5) < 1e-6);
    }
    assert.ok(Math.abs(r.meanPerturbation - sum / 4) < 1e-4);
    // The source data set is untouched.
    assert.deepEqual(Array.from(toy.labels), [0, 1, 2, 0]);
  });
});

Deno.test("relabelByAttack reports failure when the ball is too small", async () => {
  const r = await relabelByAttack(model, toy, {
    targets: chooseTargets(toy.labels, 3, "next"),
    threat: l2(0.05),
    steps: 5,
    stepSize: 0.02,
  });
  assert.equal(r.successRate, 0);
  assert.ok(r.meanPerturbation <= 0.05 + 1e-6);
});

Deno.test("relabelByAttack rejects mismatched or out-of-range targets", async () => {
  await assert.rejects(
    () =>
      relabelByAttack(model, toy, {
        targets: [1, 2],
        threat: l2(1),
        steps: 1,
        stepSize: 0.1,
      }),
    /2 targets for 4 examples/,
  );
  await assert.rejects(
    () =>
      relabelByAttack(model, toy, {
        targets: [1, 2, 3, 0],
        threat: l2(1),
        steps: 1,
        stepSize: 0.1,
      }),
    /target 3 at index 2 is outside \[0, 3\)/,
  );
});

Deno.test("relabelByAttack with random starts is seeded and stays in the ball", async () => {
  const opts = {
    targets: chooseTargets(toy.labels, 3, "random", 1),
    threat: l2(0.3),
    steps: 3,
    stepSize: 0.05,
    seed: 4,
  };
  const a = await relabelByAttack(model, toy, opts);
  const b = await relabelByAttack(model, toy, opts);
  const c = await relabelByAttack(model, toy, { ...opts, seed: 5 });
  assert.deepEqual(a.dataset.x, b.dataset.x);
  assert.notDeepEqual(a.dataset.x, c.dataset.x);
  for (let i = 0; i < 4; i++) {
    let d2 = 0;
    for (let p = 0; p < 4; p++) {
      d2 += (a.dataset.x[i * 4 + p] - toy.x[i * 4 + p]) ** 2;
    }
    assert.ok(Math.sqrt(d2) <= 0.3 + 1e-5);
  }
});
