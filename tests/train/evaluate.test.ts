import assert from "node:assert/strict";
import { makeDataset } from "../../lib/data/dataset.ts";
import { correctByExample, evaluate } from "../../lib/train/mod.ts";
import { affine, useCpu } from "../attacks/helpers.ts";

await useCpu();

// Class 1 when pixel 0 is brighter than pixel 1; labels 2 and 3 are wrong on purpose.
const model = affine([[-1, 1], [1, -1]], [0, 0]);
const ds = makeDataset({
  name: "toy",
  shape: [1, 2, 1],
  x: new Float32Array([0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.1, 0.6, 0.6, 0.4]),
  labels: new Int32Array([1, 0, 0, 1, 1]),
  numClasses: 2,
});

Deno.test("correctByExample flags each correctly classified example, across batches", async () => {
  const flags = await correctByExample(model, ds, { batchSize: 2 });
  assert.deepEqual(Array.from(flags), [1, 1, 0, 0, 1]);
  const { accuracy } = await evaluate(model, ds);
  assert.equal(flags.reduce((s, v) => s + v, 0) / flags.length, accuracy);
});
