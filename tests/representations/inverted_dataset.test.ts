import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { makeDataset } from "../../lib/data/dataset.ts";
import { cnn, mlp, referenceCnn } from "../../lib/models/builders.ts";
import { penultimate } from "../../lib/models/layers.ts";
import { relativeDistance } from "../../lib/representations/inversion.ts";
import { invertedDataset } from "../../lib/representations/inverted_dataset.ts";
import { penultimatePreActivation } from "../../lib/models/layers.ts";
import { assertNoLeak, uniformImages, useCpu } from "../attacks/helpers.ts";

await useCpu();

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

Deno.test("penultimatePreActivation: its ReLU is the model's penultimate activation (MLP and CNN)", () => {
  for (
    const model of [
      mlp({ seed: 1, inputShape: [6, 6, 1], widths: [12, 8] }),
      mlp({ seed: 2, inputShape: [6, 6, 1], widths: [8] }),
      referenceCnn({ seed: 3, inputShape: [8, 8, 1] }),
    ]
  ) {
    const shape = model.inputs[0].shape.slice(1) as number[];
    const x = uniformImages([3, shape[0], shape[1], 1], 4);
    const pre = penultimatePreActivation(model);
    const before = tf.memory().numTensors;
    const z = pre(x);
    assert.equal(tf.memory().numTensors, before + 1, "leaked intermediates");
    const act = penultimate(model)(x);
    assert.ok(maxAbsDiff(tf.relu(z), act) < 1e-5);
    // Pre-activations are not all clipped: some are negative.
    assert.ok(z.dataSync().some((v) => v < 0));
    tf.dispose([x, z, act]);
    model.dispose();
  }
});

Deno.test("penultimatePreActivation names the problem when the layer is not Dense", () => {
  const model = cnn({
    seed: 0,
    inputShape: [6, 6, 1],
    convs: [{ filters: 2 }],
    dense: [],
    globalPool: true,
  });
  assert.throws(
    () => penultimatePreActivation(model),
    /\("gap"\) is a GlobalAveragePooling2D, not Dense; use penultimate\(model\)/,
  );
  model.dispose();
});

Deno.test("invertedDataset: starts differ from targets, labels kept, representations matched", async () => {
  const model = mlp({ seed: 5, inputShape: [4, 4, 1], widths: [6] });
  const rep = penultimatePreActivation(model);
  const n = 7;
  const x = uniformImages([n, 4, 4, 1], 9);
  const ds = makeDataset({
    name: "toy",
    shape: [4, 4, 1],
    x: x.dataSync() as Float32Array,
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    numClasses: 3,
  });
  await assertNoLeak(async () => {
    const r = await invertedDataset(rep, ds, {
      steps: 60,
      stepSize: 0.05,
      seed: 2,
      batchSize: 3,
    });
    assert.equal(r.dataset.name, "toy-inverted");
    assert.deepEqual(Array.from(r.dataset.labels), Array.from(ds.labels));
    assert.equal(new Set(r.starts).size, n, "starts are a permutation");
    r.starts.forEach((j, i) => assert.notEqual(j, i));
    assert.ok(r.dataset.x.every((v) => v >= 0 && v <= 1));
    const startImages = tf.gather(x, Array.from(r.starts));
    const out = tf.tensor4d(r.dataset.x, [n, 4, 4, 1]);
    const before = relativeDistance(rep, startImages, x);
    const after = relativeDistance(rep, out, x);
    const [b, a] = [before.dataSync(), after.dataSync()];
    for (let i = 0; i < n; i++) {
      assert.ok(a[i] < 0.5 * b[i], `example ${i}: ${a[i]} vs start ${b[i]}`);
      assert.ok(Math.abs(a[i] - r.distance[i]) < 1e-4);
    }
    tf.dispose([startImages, out, before, after]);
    const again = await invertedDataset(rep, ds, {
      steps: 60,
      stepSize: 0.05,
      seed: 2,
      batchSize: 3,
    });
    assert.deepEqual(again.dataset.x, r.dataset.x);
  });
  x.dispose();
  model.dispose();
});

Deno.test("invertedDataset rejects a one-example data set and a bad batch size", async () => {
  const one = makeDataset({
    name: "one",
    shape: [1, 1, 1],
    x: new Float32Array([0.5]),
    labels: new Int32Array([0]),
    numClasses: 2,
  });
  const rep = (x: tf.Tensor4D) => tf.reshape(x, [x.shape[0], 1]) as tf.Tensor2D;
  await assert.rejects(
    () => invertedDataset(rep, one, { steps: 1, stepSize: 0.1, seed: 0 }),
    /has 1 example\(s\); .* at least 2/,
  );
  const two = {
    ...one,
    x: new Float32Array([0.2, 0.7]),
    labels: new Int32Array([0, 1]),
  };
  await assert.rejects(
    () =>
      invertedDataset(rep, two, {
        steps: 1,
        stepSize: 0.1,
        seed: 0,
        batchSize: 0,
      }),
    /batchSize must be a positive integer/,
  );
});
