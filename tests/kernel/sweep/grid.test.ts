import assert from "node:assert/strict";
import { resolve } from "node:path";
import { expandGrid, parseParamGrid, parseSeeds } from "../../../kernel/sweep/grid.ts";

Deno.test("parseSeeds: ranges, lists and mixes; bad text, backward ranges and repeats are refused", () => {
  assert.deepEqual(parseSeeds("0-4"), [0, 1, 2, 3, 4]);
  assert.deepEqual(parseSeeds("0,3,7"), [0, 3, 7]);
  assert.deepEqual(parseSeeds("0-2, 10"), [0, 1, 2, 10]);
  assert.deepEqual(parseSeeds("5"), [5]);
  assert.throws(
    () => parseSeeds("0-x"),
    /"0-x" is not an integer or a range; use e.g. --seeds 0-4/,
  );
  assert.throws(() => parseSeeds("4-1"), /runs backwards; write 1-4/);
  assert.throws(() => parseSeeds("1,0-2"), /seed 1 is listed twice/);
});

Deno.test("parseParamGrid: values parsed as JSON where they parse, commas inside brackets kept", () => {
  assert.deepEqual(parseParamGrid(["eps=0.1,0.3", "norm=l2", "shape=[1,2],[3,4]"]), {
    eps: [0.1, 0.3],
    norm: ["l2"],
    shape: [[1, 2], [3, 4]],
  });
  assert.throws(() => parseParamGrid(["eps=1", "eps=2"]), /eps is given twice/);
  assert.throws(() => parseParamGrid(["eps=1,,2"]), /an empty value/);
  assert.throws(() => parseParamGrid(["eps"]), /expected key=value/);
  assert.throws(() => parseParamGrid(["2x=1"]), /not a valid TypeScript identifier/);
});

Deno.test("expandGrid: seeds × parameter values per notebook, ids that name the files", () => {
  const points = expandGrid(["nb/a.ipynb"], [0, 1], { width: [8, 16], act: ["relu"] });
  assert.deepEqual(points.map((p) => p.id), [
    "a/width-8_act-relu_seed-0",
    "a/width-8_act-relu_seed-1",
    "a/width-16_act-relu_seed-0",
    "a/width-16_act-relu_seed-1",
  ]);
  assert.deepEqual(points[2], {
    id: "a/width-16_act-relu_seed-0",
    notebook: resolve("nb/a.ipynb"),
    name: "a",
    seed: 0,
    params: { width: 16, act: "relu" },
  });
  assert.deepEqual(expandGrid(["a.ipynb", "b.ipynb"], [3]).map((p) => p.id), [
    "a/seed-3",
    "b/seed-3",
  ]);
  // The same notebook named twice runs once; two values that would share a file name are refused.
  assert.equal(expandGrid(["a.ipynb", "./a.ipynb"], [0]).length, 1);
  assert.throws(
    () => expandGrid(["a.ipynb"], [0], { tag: ["x y", "x/y"] }),
    /would both be written as a\/tag-x~y_seed-0/,
  );
  assert.throws(() => expandGrid(["x/a.ipynb", "y/a.ipynb"], [0]), /would both be written/);
  assert.throws(() => expandGrid([], [0]), /name at least one notebook/);
  assert.throws(() => expandGrid(["a.ipynb"], []), /at least one seed/);
});
