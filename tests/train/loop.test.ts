import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { mlp } from "../../lib/models/builders.ts";
import {
  evaluate,
  fit,
  lrAt,
  makeOptimizer,
  setLearningRate,
  TrainingDivergedError,
} from "../../lib/train/mod.ts";
import { toyDataset } from "./fixtures.ts";
import { makeDataset } from "../../lib/data/mod.ts";
import { Rng } from "../../lib/random/mod.ts";

await initBackend({ backend: "cpu" });

const train = toyDataset(256, 1);
const test = toyDataset(128, 2);
const build = () => mlp({ seed: 0, inputShape: [4, 4, 1], widths: [8], numClasses: 2 });

Deno.test("fit learns a separable problem, reports per-epoch metrics and leaks no tensors", async () => {
  const model = build();
  const before = tf.memory().numTensors;
  const result = await fit(model, train, {
    epochs: 4,
    batchSize: 32,
    seed: 0,
    optimizer: { name: "adam", lr: 0.02 },
    validation: test,
    progress: "quiet",
  });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(result.epochs.length, 4);
  assert.equal(result.steps, 4 * 8);
  assert.equal(result.stepLosses.length, 32);
  const last = result.epochs[3];
  assert.ok(
    last.valAccuracy! > 0.95,
    `validation accuracy ${last.valAccuracy}`,
  );
  assert.ok(last.loss < result.epochs[0].loss);
  const again = await evaluate(model, test);
  assert.equal(again.accuracy, last.valAccuracy);
  model.dispose();
});

Deno.test("fit is deterministic for a seed and steps-limited runs stop on time", async () => {
  const run = async (seed: number) => {
    const model = build();
    const r = await fit(model, train, {
      steps: 11,
      batchSize: 32,
      seed,
      optimizer: { name: "momentum", lr: 0.05 },
      progress: "quiet",
    });
    model.dispose();
    return r;
  };
  const a = await run(3);
  const b = await run(3);
  const c = await run(4);
  assert.deepEqual(a.stepLosses, b.stepLosses);
  assert.notDeepEqual(a.stepLosses, c.stepLosses);
  assert.equal(a.steps, 11);
  assert.deepEqual(a.epochs.map((e) => e.steps), [8, 3]);
});

Deno.test("the batch hook sees every step and its replacement is what trains", async () => {
  const model = build();
  const before = tf.memory().numTensors;
  const seen: number[] = [];
  // The hook flips every label, so a model that trains on its batches learns the opposite rule.
  const result = await fit(model, train, {
    epochs: 3,
    batchSize: 64,
    seed: 0,
    optimizer: { name: "adam", lr: 0.02 },
    validation: test,
    progress: "quiet",
    beforeStep: (batch, ctx) => {
      seen.push(ctx.step);
      return tf.tidy(() => ({
        x: batch.x.clone(),
        y: tf.sub(tf.scalar(1, "int32"), batch.y) as tf.Tensor1D,
      }));
    },
  });
  assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => i));
  assert.ok(
    result.epochs[2].valAccuracy! < 0.05,
    `accuracy ${result.epochs[2].valAccuracy}`,
  );
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("a diverging loss stops training with a clear message and no leaks", async () => {
  const model = build();
  const before = tf.memory().numTensors;
  const bad = { ...train, x: train.x.map((v, i) => (i === 5 ? NaN : v)) };
  await assert.rejects(
    fit(model, bad, {
      epochs: 1,
      batchSize: 256,
      seed: 0,
      optimizer: { name: "sgd", lr: 0.1 },
      progress: "quiet",
    }),
    (err: unknown) => {
      assert.ok(err instanceof TrainingDivergedError);
      assert.match(
        err.message,
        /diverged at step 0 .*loss is NaN.*Lower the learning rate/,
      );
      return true;
    },
  );
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("fit rejects bad options before doing any work", async () => {
  const model = build();
  await assert.rejects(
    fit(model, train, {
      batchSize: 8,
      seed: 0,
      optimizer: { name: "sgd", lr: 0.1 },
    }),
    /exactly one of `epochs` and `steps`/,
  );
  await assert.rejects(
    fit(model, train, {
      epochs: 1,
      batchSize: 0,
      seed: 0,
      optimizer: { name: "sgd", lr: 0.1 },
    }),
    /batchSize must be a positive integer/,
  );
  await assert.rejects(
    fit(model, train, {
      epochs: 1,
      batchSize: 8,
      seed: 0,
      optimizer: { name: "sgd", lr: -1 },
    }),
    /lr must be a positive number/,
  );
  model.dispose();
});

Deno.test("schedules: constant, step, cosine, piecewise and warmup", () => {
  assert.equal(lrAt({ kind: "constant" }, 0.1, 7, 10), 0.1);
  assert.ok(
    Math.abs(lrAt({ kind: "step", every: 3, gamma: 0.5 }, 0.1, 7, 10) - 0.025) <
      1e-12,
  );
  assert.equal(lrAt({ kind: "cosine" }, 0.1, 0, 11), 0.1);
  assert.ok(Math.abs(lrAt({ kind: "cosine" }, 0.1, 5, 11) - 0.05) < 1e-12);
  assert.ok(Math.abs(lrAt({ kind: "cosine" }, 0.1, 10, 11)) < 1e-12);
  const tri = {
    kind: "piecewise",
    points: [[0, 0], [0.5, 1], [1, 0]],
  } as const;
  assert.ok(Math.abs(lrAt(tri, 0.2, 5, 11) - 0.2) < 1e-12);
  assert.ok(Math.abs(lrAt(tri, 0.2, 8, 11) - 0.08) < 1e-12);
  assert.equal(lrAt({ kind: "constant", warmup: 4 }, 1, 0, 10), 0.25);
  assert.throws(
    () => lrAt({ kind: "piecewise", points: [[0.5, 1], [0.1, 0]] }, 1, 0, 2),
    /sorted/,
  );
});

Deno.test("setLearningRate changes the step size of every optimizer", () => {
  for (
    const spec of [{ name: "sgd", lr: 1 }, { name: "momentum", lr: 1 }, {
      name: "adam",
      lr: 1,
    }] as const
  ) {
    const stepSize = (lr: number) => {
      const v = tf.variable(tf.scalar(0));
      const opt = makeOptimizer(spec);
      setLearningRate(opt, lr);
      opt.minimize(() => tf.mul(v, 1) as tf.Scalar);
      const moved = v.dataSync()[0];
      opt.dispose();
      v.dispose();
      return Math.abs(moved);
    };
    const ratio = stepSize(0.01) / stepSize(0.001);
    assert.ok(Math.abs(ratio - 10) < 1e-3, `${spec.name}: ratio ${ratio}`);
  }
});

/** The toy images with a real-valued target per example: [mean of the left half, of the right]. */
function withHalfMeans(ds: typeof train) {
  const n = ds.labels.length;
  const targets = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 16; p++) targets[2 * i + (p % 4 < 2 ? 0 : 1)] += ds.x[i * 16 + p] / 8;
  }
  return makeDataset({ ...ds, targets, targetWidth: 2 });
}

Deno.test("fit regresses real-valued targets with mean squared error by default", async () => {
  const regress = withHalfMeans(train);
  const model = mlp({
    seed: 0,
    inputShape: [4, 4, 1],
    widths: [8],
    numClasses: 2,
    outputActivation: "linear",
  });
  const before = tf.memory().numTensors;
  const result = await fit(model, regress, {
    epochs: 20,
    batchSize: 32,
    seed: 0,
    optimizer: { name: "adam", lr: 0.01 },
    progress: "quiet",
  });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(result.epochs[0].accuracy, undefined);
  // The targets have variance ~0.04 per output; predicting their mean leaves that as MSE.
  const first = result.stepLosses[0];
  const last = result.epochs.at(-1)!.loss;
  assert.ok(last < 0.005 && last < first / 10, `MSE ${first} → ${last}`);
  model.dispose();
});

Deno.test("afterStep sees every step's loss and the model; stream shuffling continues one generator", async () => {
  const model = build();
  const seenLosses: number[] = [];
  const firstIndex: number[] = [];
  // Labels replaced by example indices, so the hook can read which examples each batch holds.
  const indexed = makeDataset({
    ...train,
    labels: Int32Array.from(train.labels, (_, i) => i),
    numClasses: train.labels.length,
  });
  const result = await fit(model, indexed, {
    steps: 20,
    batchSize: 100,
    seed: 5,
    shuffle: "stream",
    optimizer: { name: "sgd", lr: 0.01 },
    progress: "quiet",
    classification: false,
    loss: (out) => tf.mean(tf.square(out)) as tf.Scalar,
    beforeStep: async (batch) => {
      firstIndex.push((await batch.y.data())[0]);
      return { x: batch.x.clone(), y: batch.y.clone() };
    },
    afterStep: (ctx) => {
      assert.equal(ctx.model, model);
      seenLosses.push(ctx.loss);
    },
  });
  assert.deepEqual(seenLosses, result.stepLosses);
  // 256 examples, batches of 100: two full batches per permutation, the remainder skipped.
  const rng = new Rng(5);
  const expected: number[] = [];
  for (let pass = 0; pass < 10; pass++) {
    const order = rng.permutation(256);
    expected.push(order[0], order[100]);
  }
  assert.deepEqual(firstIndex, expected);
  model.dispose();
  await assert.rejects(
    fit(build(), toyDataset(50, 3), {
      epochs: 1,
      batchSize: 64,
      seed: 0,
      shuffle: "stream",
      optimizer: { name: "sgd", lr: 0.01 },
      progress: "quiet",
    }),
    /fewer examples \(50\) than one batch \(64\).*lower batchSize/,
  );
});

Deno.test("stream shuffling counts only full batches in an epoch", async () => {
  const model = build();
  const result = await fit(model, train, {
    epochs: 2,
    batchSize: 100,
    seed: 1,
    shuffle: "stream",
    optimizer: { name: "sgd", lr: 0.01 },
    progress: "quiet",
  });
  // 256 examples: two full batches per epoch, the partial one skipped, and no third epoch.
  assert.equal(result.steps, 4);
  assert.deepEqual(result.epochs.map((e) => e.steps), [2, 2]);
  model.dispose();
});
