import assert from "node:assert/strict";
import { imagesAt, makeDataset } from "../../lib/data/dataset.ts";

const ds = makeDataset({
  name: "toy",
  shape: [1, 2, 1],
  x: new Float32Array([0, 1, 2, 3, 4, 5]),
  labels: new Int32Array([0, 1, 2]),
  numClasses: 3,
});

Deno.test("imagesAt gathers the chosen images with their batch shape", () => {
  const grid = imagesAt(ds, [2, 0]);
  assert.deepEqual(Array.from(grid.data), [4, 5, 0, 1]);
  assert.deepEqual(grid.shape, [2, 1, 2, 1]);
  assert.throws(() => imagesAt(ds, [3]), /index 3 is outside \[0, 3\)/);
});
