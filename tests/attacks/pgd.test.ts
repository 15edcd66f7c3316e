import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { fgsm, madryStepSize, pgd } from "../../lib/attacks/mod.ts";
import type { ProjectedGradientResult } from "../../lib/optimize/mod.ts";
import { l2, linf, projectedGradient, unconstrained } from "../../lib/optimize/mod.ts";
import { margin } from "../../lib/optimize/losses.ts";
import { affine, assertNoLeak, diffNorms, useCpu } from "./helpers.ts";

await useCpu();

// Binary affine model: z1 − z0 = w·x + b. Every image is 0.5 everywhere, far from the box.
const W = [0.7, -1.2, 0.3, 2.0, -0.5, 0.9, -1.5, 0.1];
const B = -0.2;
const model = affine([W.map(() => 0), W], [0, B]);
const SHAPE: [number, number, number, number] = [3, 2, 2, 2];
const x0 = () => tf.fill(SHAPE, 0.5) as tf.Tensor4D;
const LABELS = [1, 1, 1];
const W_NORM = Math.hypot(...W);

function rows(t: tf.Tensor): number[][] {
  return tf.tidy(() => tf.reshape(t, [t.shape[0], -1]).arraySync() as number[][]);
}

Deno.test("L∞ PGD on an affine model reaches the analytic optimum x0 − eps·sign(w)", async () => {
  const x = x0();
  await assertNoLeak(async () => {
    const r = await pgd(model, x, LABELS, {
      threat: linf(0.1),
      steps: 10,
      stepSize: 0.025,
    });
    for (const row of rows(r.adversarial)) {
      row.forEach((v, j) => assert.ok(Math.abs(v - (0.5 - 0.1 * Math.sign(W[j]))) < 1e-6));
    }
    // Loss rises step after step (a linear model has no local optima to wander through).
    const h = r.lossHistory[0];
    assert.equal(h.length, 11);
    for (let t = 1; t < h.length; t++) {
      assert.ok(h[t] >= h[t - 1] - 1e-6, `loss fell at ${t}`);
    }
    assert.ok(h[10] > h[0]);
    r.adversarial.dispose();
  });
  x.dispose();
});

Deno.test("L2 PGD on an affine model reaches x0 − eps·w/‖w‖ and its closed-form loss", async () => {
  const x = x0();
  const r = await pgd(model, x, LABELS, {
    threat: l2(0.3),
    steps: 10,
    stepSize: 0.075,
  });
  for (const row of rows(r.adversarial)) {
    row.forEach((v, j) => assert.ok(Math.abs(v - (0.5 - 0.3 * W[j] / W_NORM)) < 1e-5));
  }
  // At the optimum the margin is w·x0 + b − eps‖w‖; CE of label 1 is softplus(−margin).
  const m = 0.5 * W.reduce((s, v) => s + v, 0) + B - 0.3 * W_NORM;
  const ce = Math.log1p(Math.exp(-m));
  r.loss.forEach((v) => assert.ok(Math.abs(v - ce) < 1e-5, `${v} vs ${ce}`));
  assert.deepEqual(r.config, {
    attack: "pgd",
    norm: "l2",
    eps: 0.3,
    steps: 10,
    stepSize: 0.075,
    loss: "crossEntropy",
    targeted: false,
    randomStart: false,
    restarts: 1,
    keepBest: true,
    seed: 0,
  });
  tf.dispose([x, r.adversarial]);
});

Deno.test("success is exactly 'misclassified at the adversarial point' (analytic L2 margin)", async () => {
  // Distance to the boundary is |w·x0 + b| / ‖w‖; PGD succeeds iff eps exceeds it.
  const distance = Math.abs(0.5 * W.reduce((s, v) => s + v, 0) + B) / W_NORM;
  const x = x0();
  for (const [eps, expected] of [[0.9 * distance, 0], [1.1 * distance, 1]]) {
    const r = await pgd(model, x, LABELS, {
      threat: l2(eps),
      steps: 20,
      stepSize: eps / 4,
    });
    assert.deepEqual(Array.from(r.success), [expected, expected, expected]);
    r.adversarial.dispose();
  }
  x.dispose();
});

Deno.test("FGSM is one signed step of length eps", async () => {
  const x = x0();
  const r = await fgsm(model, x, LABELS, { eps: 0.05 });
  for (const row of rows(r.adversarial)) {
    row.forEach((v, j) => assert.ok(Math.abs(v - (0.5 - 0.05 * Math.sign(W[j]))) < 1e-6));
  }
  assert.equal(r.config.attack, "fgsm");
  assert.equal(r.config.steps, 1);
  tf.dispose([x, r.adversarial]);
});

Deno.test("targeted PGD reaches an easy target and lowers the target's loss", async () => {
  // Three classes on 2 pixels: 0 where pixel 0 is bright, 1 where it is dark, 2 where pixel 1
  // is bright. All three images start as class 0.
  const three = affine([[1, 0], [-1, 0], [0, 1]], [0, 0.5, -0.3]);
  const x = tf.tensor4d([0.8, 0.1, 0.9, 0.2, 0.6, 0.0], [3, 1, 2, 1]);
  await assertNoLeak(async () => {
    const r = await pgd(three, x, [0, 0, 0], {
      threat: linf(0.6),
      targets: [2, 2, 1],
      steps: 20,
      stepSize: 0.05,
    });
    const predicted = tf.tidy(() => tf.argMax(three(r.adversarial), 1).arraySync());
    assert.deepEqual(predicted, [2, 2, 1]);
    assert.deepEqual(Array.from(r.success), [1, 1, 1]);
    assert.ok(r.lossHistory[0][20] < r.lossHistory[0][0]);
    assert.equal(r.config.targeted, true);
    r.adversarial.dispose();
  });
  x.dispose();
});

Deno.test("the margin loss drives the same attack", async () => {
  const x = x0();
  const r = await pgd(model, x, LABELS, {
    threat: linf(0.1),
    steps: 10,
    stepSize: 0.025,
    loss: margin,
  });
  for (const row of rows(r.adversarial)) {
    row.forEach((v, j) => assert.ok(Math.abs(v - (0.5 - 0.1 * Math.sign(W[j]))) < 1e-6));
  }
  assert.equal(r.config.loss, "margin");
  tf.dispose([x, r.adversarial]);
});

Deno.test("restarts keep, per example, the best of the independent runs", async () => {
  // A bumpy objective with many local maxima, so runs from different starts end differently.
  const bumpy = (x: tf.Tensor4D) =>
    tf.sin(
      tf.mul(
        tf.sum(tf.mul(x, tf.linspace(1, 3, 8).reshape([1, 2, 2, 2])), [
          1,
          2,
          3,
        ]),
        7,
      ),
    ) as tf.Tensor1D;
  const x = tf.fill([6, 2, 2, 2], 0.5) as tf.Tensor4D;
  const opts = {
    threat: linf(0.3),
    steps: 3,
    stepSize: 0.02,
    randomStart: true,
  };
  await assertNoLeak(async () => {
    // Restarts draw their starts in turn from the seed's generator, so k restarts repeat the
    // runs of k − 1 restarts and add one: per example, the kept value can only rise.
    const merged: ProjectedGradientResult[] = [];
    for (let k = 1; k <= 4; k++) {
      merged.push(await projectedGradient(bumpy, x, { ...opts, restarts: k, seed: 11 }));
    }
    let improved = 0;
    for (let k = 1; k < 4; k++) {
      for (let i = 0; i < 6; i++) {
        assert.ok(merged[k].value[i] >= merged[k - 1].value[i]);
        if (merged[k].value[i] > merged[k - 1].value[i]) improved += 1;
      }
    }
    assert.ok(improved > 0, "no restart ever won: test is vacuous");
    // The kept point is the one whose value is reported.
    const kept = tf.tidy(() => bumpy(merged[3].x));
    (await kept.data()).forEach((v, i) => assert.ok(Math.abs(v - merged[3].value[i]) < 1e-6));
    kept.dispose();
    assert.equal(merged[3].history.length, 4);
    tf.dispose(merged.map((r) => r.x));
  });
  x.dispose();
});

Deno.test("restarts rank a successful run above a higher objective", async () => {
  // Objective prefers dark images; success needs a bright first pixel.
  const objective = (x: tf.Tensor4D) => tf.neg(tf.mean(x, [1, 2, 3])) as tf.Tensor1D;
  const succeeded = (x: tf.Tensor4D) =>
    tf.greater(
      tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1]),
      0.5,
    ) as tf.Tensor1D;
  const x = tf.fill([8, 2, 2, 1], 0.5) as tf.Tensor4D;
  const opts = {
    threat: unconstrained(),
    steps: 0,
    stepSize: 0.1,
    randomStart: true,
    succeeded,
  };
  const one = await projectedGradient(objective, x, { ...opts, restarts: 1, seed: 4 });
  const five = await projectedGradient(objective, x, { ...opts, restarts: 5, seed: 4 });
  // Five restarts begin with the one run; an example it failed on and a later run succeeded on
  // keeps the success even though the failed run had the better objective.
  let overruled = 0;
  for (let i = 0; i < 8; i++) {
    assert.ok(five.success![i] >= one.success![i]);
    if (!one.success![i] && five.success![i] && five.value[i] < one.value[i]) overruled += 1;
    if (one.success![i] === five.success![i]) assert.ok(five.value[i] >= one.value[i]);
  }
  assert.ok(overruled > 0, "no success overruled a better objective: test is vacuous");
  tf.dispose([x, one.x, five.x]);
});

Deno.test("a seed fixes the attack; another seed changes it", async () => {
  const x = x0();
  const run = async (seed: number) => {
    const r = await pgd(model, x, LABELS, {
      threat: l2(0.3),
      steps: 2,
      stepSize: 0.01,
      randomStart: true,
      restarts: 2,
      seed,
    });
    const v = Array.from(r.adversarial.dataSync());
    r.adversarial.dispose();
    return v;
  };
  assert.deepEqual(await run(3), await run(3));
  assert.notDeepEqual(await run(3), await run(4));
  x.dispose();
});

Deno.test("adversarial examples stay in the threat set from random starts", async () => {
  const x = tf.tensor4d(
    Array.from({ length: 24 }, (_, i) => (i % 5) / 4),
    SHAPE,
  );
  for (const threat of [linf(0.2), l2(0.4)]) {
    const r = await pgd(model, x, LABELS, {
      threat,
      steps: 5,
      stepSize: 0.1,
      randomStart: true,
      restarts: 3,
      seed: 9,
    });
    const d = diffNorms(r.adversarial, x);
    const dist = threat.norm === "linf" ? d.linf : d.l2;
    dist.forEach((v) => assert.ok(v <= threat.eps + 1e-5));
    r.adversarial.dataSync().forEach((v) => assert.ok(v >= 0 && v <= 1));
    r.adversarial.dispose();
  }
  x.dispose();
});

Deno.test("bad input fails with a message naming the problem", async () => {
  const x = x0();
  const opts = { threat: linf(0.1), steps: 3, stepSize: 0.1 };
  const before = tf.memory().numTensors;
  await assert.rejects(
    () => pgd(model, x, [1, 1], opts),
    /pgd: 2 labels for a batch of 3 images/,
  );
  await assert.rejects(
    () => pgd(model, x, [1, 1, 2], opts),
    /labels\[2\] = 2 is not a class index in \[0, 2\)/,
  );
  await assert.rejects(
    () => pgd(model, x, [1, 1, -1], opts),
    /labels\[2\] = -1/,
  );
  await assert.rejects(
    () => pgd(model, x, LABELS, { ...opts, targets: [0, 5, 0] }),
    /targets\[1\] = 5 is not a class index/,
  );
  await assert.rejects(
    () => pgd(model, x, LABELS, { ...opts, steps: -1 }),
    /steps must be an integer >= 0/,
  );
  await assert.rejects(
    () => pgd(model, x, LABELS, { ...opts, stepSize: 0 }),
    /stepSize must be a finite number > 0/,
  );
  await assert.rejects(
    () => pgd(model, x, LABELS, { ...opts, restarts: 3 }),
    /restarts = 3 without randomStart repeats the same run/,
  );
  await assert.rejects(
    () => fgsm(model, x, LABELS, { eps: -0.1 }),
    /eps must be a finite number >= 0, got -0.1/,
  );
  const flat = tf.fill([3, 8], 0.5) as unknown as tf.Tensor4D;
  // A rank-2 batch, as a caller without types could pass.
  await assert.rejects(
    () => pgd(model, flat, LABELS, opts),
    /images must be a batch \[B, height, width, channels\], got shape \[3,8\]/,
  );
  const bright = tf.fill(SHAPE, 255) as tf.Tensor4D;
  await assert.rejects(
    () => pgd(model, bright, LABELS, opts),
    /values must lie in \[0, 1\].*got \[255, 255\]/,
  );
  const vectorModel = (xs: tf.Tensor4D) => tf.sum(xs, [1, 2, 3]) as unknown as tf.Tensor2D;
  await assert.rejects(
    () => pgd(vectorModel, x, LABELS, opts),
    /must map images \[3,2,2,2\] to logits \[3, classes\], got \[3\]/,
  );
  tf.dispose([flat, bright]);
  assert.equal(tf.memory().numTensors, before, "a failed call leaked tensors");
  x.dispose();
});

Deno.test("a tfjs-layers model plugs in through model.apply", async () => {
  const net = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [2, 2, 2] }),
      tf.layers.dense({
        units: 6,
        activation: "tanh",
        kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
      }),
      tf.layers.dense({
        units: 3,
        kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
      }),
    ],
  });
  const logits = (xs: tf.Tensor4D) => net.apply(xs) as tf.Tensor2D;
  const x = tf.tensor4d(
    Array.from({ length: 32 }, (_, i) => ((i * 7) % 11) / 10),
    [4, 2, 2, 2],
  );
  const labels = tf.tidy(() => Array.from(tf.argMax(logits(x), 1).dataSync()));
  await assertNoLeak(async () => {
    const r = await pgd(logits, x, labels, {
      threat: linf(1),
      steps: 20,
      stepSize: 0.1,
    });
    assert.deepEqual(Array.from(r.success), [1, 1, 1, 1]);
    r.adversarial.dispose();
  });
  tf.dispose(x);
  net.dispose();
});

Deno.test("without stepSize PGD takes Madry et al.'s 2.5 · eps / steps", async () => {
  assert.equal(madryStepSize(l2(2), 10), 0.5);
  const x = x0();
  const run = async (stepSize?: number) => {
    const r = await pgd(model, x, LABELS, { threat: linf(0.2), steps: 4, seed: 3, stepSize });
    const v = Array.from(await r.adversarial.data());
    r.adversarial.dispose();
    return { v, step: r.config.stepSize };
  };
  const implicit = await run();
  const explicit = await run((2.5 * 0.2) / 4);
  assert.deepEqual(implicit, explicit);
  assert.notDeepEqual((await run(0.01)).v, implicit.v);
  await assert.rejects(
    pgd(model, x, LABELS, { threat: unconstrained(), steps: 4 }),
    /no finite radius to derive a step from; give stepSize/,
  );
  assert.throws(() => madryStepSize(l2(1), 0), /steps must be a positive integer/);
  x.dispose();
});
