import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import {
  crossEntropy,
  type InputObjective,
  l2,
  labelLoss,
  onInputs,
  projectedGradient,
} from "../../lib/optimize/mod.ts";
import {
  type MonteCarloOptions,
  softSmoothed,
  type SoftSmoothedGradient,
  softSmoothedGradient,
} from "../../lib/smoothing/mod.ts";
import { drawPlan, noisyCopies } from "../../lib/smoothing/monte_carlo.ts";
import { assertNoLeak, uniformImages, useCpu } from "../attacks/helpers.ts";
import { smoothNet } from "./helpers.ts";

await useCpu();

const f = smoothNet(0);
const labels = [0, 2, 1];
const y = tf.tensor1d(labels, "int32");

/** SmoothAdv's objective −log G(x)_y in the objective vocabulary. */
function softSmoothedLoss(opts: MonteCarloOptions): InputObjective {
  return onInputs(labelLoss(crossEntropy, y), softSmoothed(f, opts));
}

async function values(t: tf.Tensor): Promise<number[]> {
  const out = Array.from(await t.data());
  t.dispose();
  return out;
}

Deno.test("the soft smoothed classifier gives log-probabilities, near f's for tiny σ", async () => {
  const x = uniformImages([3, 4, 4, 1], 1);
  await assertNoLeak(async () => {
    const logG = softSmoothed(f, { sigma: 0.3, samples: 10, seed: 0 })(x);
    const sums = await values(tf.tidy(() => tf.sum(tf.exp(logG), 1)));
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `probabilities sum to ${s}`);
    const tiny = softSmoothed(f, { sigma: 1e-6, samples: 4, seed: 0 })(x);
    const gap = await values(tf.tidy(() => tf.max(tf.abs(tf.sub(tiny, tf.logSoftmax(f(x)))))));
    assert.ok(gap[0] < 1e-4, `log G − log softmax f = ${gap[0]}`);
    tf.dispose([logG, tiny]);
  });
  x.dispose();
});

Deno.test("SmoothAdv's loss is −log of the mean softmax over the draws, fixed by the seed", async () => {
  const x = uniformImages([3, 4, 4, 1], 2);
  const opts = { sigma: 0.4, samples: 12, seed: 5 };
  await assertNoLeak(async () => {
    const loss = await values(tf.tidy(() => softSmoothedLoss(opts)(x)));
    assert.deepEqual(loss, await values(tf.tidy(() => softSmoothedLoss(opts)(x))));
    // The draws do not depend on how they are batched into model passes.
    const oneByOne = await values(tf.tidy(() => softSmoothedLoss({ ...opts, batchSize: 1 })(x)));
    for (let b = 0; b < 3; b++) assert.ok(Math.abs(loss[b] - oneByOne[b]) < 1e-5);
    assert.notDeepEqual(
      loss,
      await values(tf.tidy(() => softSmoothedLoss({ ...opts, seed: 6 })(x))),
    );
    // SmoothAdv's loss written out: −log of the label's softmax averaged over the draws.
    const { seeds } = drawPlan("test", opts, 3);
    const direct = await values(tf.tidy(() => {
      const mask = tf.oneHot(y, 3);
      const probs = seeds.map((s) =>
        tf.sum(tf.mul(tf.softmax(f(noisyCopies(x, 0.4, [s]))), mask), 1)
      );
      return tf.neg(tf.log(tf.div(tf.addN(probs), seeds.length)));
    }));
    for (let b = 0; b < 3; b++) {
      assert.ok(Math.abs(loss[b] - direct[b]) < 1e-5, `${loss[b]} vs ${direct[b]}`);
    }
  });
  x.dispose();
});

Deno.test("the Monte-Carlo gradient matches finite differences of the estimate at fixed noise", async () => {
  const x = uniformImages([3, 4, 4, 1], 3, 0.2, 0.8);
  const opts = { sigma: 0.3, samples: 16, seed: 2 };
  const objective = softSmoothedLoss(opts);
  await assertNoLeak(async () => {
    const { gradient, loss } = await softSmoothedGradient(f, x, labels, opts);
    // The per-draw route agrees with autodiff through the objective.
    const auto = tf.grad((v) => tf.sum(objective(v as tf.Tensor4D)))(x);
    const gap = await values(tf.tidy(() => tf.max(tf.abs(tf.sub(auto, gradient)))));
    const scale = await values(tf.tidy(() => tf.max(tf.abs(auto))));
    assert.ok(gap[0] < 1e-4 * scale[0], `per-draw vs autodiff gradient: ${gap[0]}`);
    assert.deepEqual(
      Array.from(loss).map((v) => v.toFixed(4)),
      (await values(tf.tidy(() => objective(x)))).map((v) => v.toFixed(4)),
    );
    // Central differences along random directions, per example.
    for (const seed of [0, 1, 2]) {
      const h = 1e-2;
      const d = tf.randomNormal(x.shape, 0, 1, "float32", seed) as tf.Tensor4D;
      const plus = await values(tf.tidy(() => objective(tf.add(x, tf.mul(d, h)))));
      const minus = await values(tf.tidy(() => objective(tf.sub(x, tf.mul(d, h)))));
      const directional = await values(tf.tidy(() => tf.sum(tf.mul(gradient, d), [1, 2, 3])));
      for (let b = 0; b < 3; b++) {
        const fd = (plus[b] - minus[b]) / (2 * h);
        assert.ok(
          Math.abs(fd - directional[b]) < 2e-3 * (1 + Math.abs(fd)),
          `example ${b}: finite difference ${fd}, gradient ${directional[b]}`,
        );
      }
      d.dispose();
    }
    tf.dispose([gradient, auto]);
  });
  x.dispose();
});

Deno.test("the reported gradient variance matches the spread over seeds and falls as 1/m", async () => {
  const x = uniformImages([3, 4, 4, 1], 4);
  await assertNoLeak(async () => {
    const seeds = Array.from({ length: 24 }, (_, s) => s);
    const runs: SoftSmoothedGradient[] = [];
    for (const seed of seeds) {
      runs.push(await softSmoothedGradient(f, x, labels, { sigma: 0.5, samples: 16, seed }));
    }
    const grads = tf.stack(runs.map((r) => r.gradient));
    const spread = await values(tf.tidy(() => {
      const mean = tf.mean(grads, 0);
      return tf.div(tf.sum(tf.square(tf.sub(grads, mean)), [0, 2, 3, 4]), seeds.length - 1);
    }));
    tf.dispose([grads, ...runs.map((r) => r.gradient)]);
    const reported = [0, 1, 2].map((b) =>
      runs.reduce((s, r) => s + r.variance[b], 0) / runs.length
    );
    for (let b = 0; b < 3; b++) {
      const ratio = reported[b] / spread[b];
      assert.ok(
        ratio > 0.5 && ratio < 2,
        `example ${b}: reported ${reported[b]}, seen ${spread[b]}`,
      );
    }
    const few = await softSmoothedGradient(f, x, labels, { sigma: 0.5, samples: 8, seed: 0 });
    const many = await softSmoothedGradient(f, x, labels, { sigma: 0.5, samples: 128, seed: 0 });
    for (let b = 0; b < 3; b++) {
      assert.ok(
        many.variance[b] < few.variance[b] / 4,
        `m=8: ${few.variance[b]}, m=128: ${many.variance[b]}`,
      );
    }
    tf.dispose([few.gradient, many.gradient]);
  });
  x.dispose();
});

Deno.test("the projected-gradient loop attacks the soft smoothed classifier", async () => {
  const x = uniformImages([3, 4, 4, 1], 5, 0.2, 0.8);
  const objective = softSmoothedLoss({ sigma: 0.25, samples: 8, seed: 0 });
  await assertNoLeak(async () => {
    const result = await projectedGradient(objective, x, {
      threat: l2(1),
      steps: 10,
      stepSize: 0.2,
    });
    const [start, end] = [result.history[0][0], result.history[0].at(-1)!];
    assert.ok(end > start, `mean loss ${start} → ${end}`);
    result.x.dispose();
  });
  x.dispose();
});

Deno.test("soft smoothing rejects bad options and labels", async () => {
  const x = uniformImages([3, 4, 4, 1], 6);
  const opts = { sigma: 0.25, samples: 8, seed: 0 };
  assert.throws(() => softSmoothed(f, { ...opts, samples: 0 }), /samples/);
  assert.throws(() => softSmoothed(f, { ...opts, sigma: -1 }), /sigma/);
  await assertNoLeak(async () => {
    await assert.rejects(softSmoothedGradient(f, x, [0, 1, 3], opts), /labels/);
    await assert.rejects(
      softSmoothedGradient(f, x, labels, { ...opts, samples: 1 }),
      /samples must be an integer >= 2/,
    );
  });
  x.dispose();
});
