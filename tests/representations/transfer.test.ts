import assert from "node:assert/strict";
import { makeDataset } from "../../lib/data/dataset.ts";
import { l2 } from "../../lib/optimize/mod.ts";
import { transferMatrix } from "../../lib/representations/transfer.ts";
import { affine, assertNoLeak, useCpu } from "../attacks/helpers.ts";

await useCpu();

// Two classes on 2×2 images. "a" and its copy read pixel 0 against pixel 1; "b" reads pixel 2
// against pixel 3, so an attack on "a" (which only moves pixels 0 and 1) cannot fool "b".
const a = affine([[4, -4, 0, 0], [-4, 4, 0, 0]], [0, 0]);
const b = affine([[0, 0, 4, -4], [0, 0, -4, 4]], [0, 0]);
const ds = makeDataset({
  name: "toy",
  shape: [2, 2, 1],
  x: new Float32Array([
    0.6,
    0.4,
    0.6,
    0.4,
    0.4,
    0.6,
    0.4,
    0.6,
    0.55,
    0.45,
    0.55,
    0.45,
  ]),
  labels: new Int32Array([0, 1, 0]),
  numClasses: 2,
});
const models = [
  { name: "a", logits: a },
  { name: "a copy", logits: a },
  { name: "b", logits: b },
];

Deno.test("transferMatrix: white-box success equals transfer to an identical model, none to an unrelated one", async () => {
  await assertNoLeak(async () => {
    const r = await transferMatrix(models, models, ds, {
      threat: l2(0.5),
      steps: 10,
      stepSize: 0.1,
      batchSize: 2,
    });
    assert.deepEqual(r.sources, ["a", "a copy", "b"]);
    assert.deepEqual(r.targets, ["a", "a copy", "b"]);
    assert.equal(r.n, 3);
    assert.deepEqual(r.cleanAccuracy, [1, 1, 1]);
    assert.deepEqual(r.rate[0], [1, 1, 0]);
    assert.deepEqual(r.rate[1], [1, 1, 0]);
    assert.deepEqual(r.rate[2], [0, 0, 1]);
  });
});

Deno.test("transferMatrix: the noise baseline row is small where attacks succeed", async () => {
  const r = await transferMatrix(models, models.slice(0, 1), ds, {
    threat: l2(0.05),
    steps: 5,
    stepSize: 0.02,
    noiseBaseline: true,
    seed: 3,
  });
  assert.deepEqual(r.sources, ["a", "a copy", "b", "noise"]);
  assert.equal(r.rate.length, 4);
  // ε = 0.05 cannot flip "a" at margin 0.1·8 = 0.8 logits, attacked or not.
  assert.deepEqual(r.rate.map((row) => row[0]), [0, 0, 0, 0]);
});

Deno.test("transferMatrix counts only examples the target got right when clean", async () => {
  const wrong = affine([[-4, 4, 0, 0], [4, -4, 0, 0]], [0, 0]);
  const r = await transferMatrix(
    models.slice(0, 1),
    [{
      name: "wrong",
      logits: wrong,
    }],
    ds,
    { threat: l2(0.5), steps: 10, stepSize: 0.1 },
  );
  assert.deepEqual(r.cleanAccuracy, [0]);
  assert.ok(Number.isNaN(r.rate[0][0]));
});

Deno.test("transferMatrix rejects empty model lists and data sets", async () => {
  await assert.rejects(
    () =>
      transferMatrix([], models, ds, {
        threat: l2(1),
        steps: 1,
        stepSize: 0.1,
      }),
    /at least one source and one target/,
  );
  const empty = makeDataset({
    name: "empty",
    shape: [2, 2, 1],
    x: new Float32Array(0),
    labels: new Int32Array(0),
    numClasses: 2,
  });
  await assert.rejects(
    () =>
      transferMatrix(models, models, empty, {
        threat: l2(1),
        steps: 1,
        stepSize: 0.1,
      }),
    /"empty" is empty/,
  );
});

Deno.test("transferMatrix with random starts is seeded", async () => {
  const opts = {
    threat: l2(0.12),
    steps: 2,
    stepSize: 0.05,
    randomStart: true,
    seed: 1,
    noiseBaseline: true,
  };
  const a = await transferMatrix(models, models, ds, opts);
  const b = await transferMatrix(models, models, ds, opts);
  assert.deepEqual(a.rate, b.rate);
  for (const row of a.rate) {
    for (const v of row) assert.ok(v >= 0 && v <= 1);
  }
});
