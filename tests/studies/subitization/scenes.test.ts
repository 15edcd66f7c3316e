import assert from "node:assert/strict";
import { generateScenes, sceneAt } from "../../../lib/data/shapes.ts";
import {
  sceneFamilies,
  sceneImage,
  sceneOptionsFor,
  SIZE_MODES,
} from "../../../lib/studies/subitization/scenes.ts";

const sizes = { imageSize: 20, maxTotal: 2, sideFraction: [0.2, 0.3], trainCount: 5, testCount: 3 };

Deno.test("sceneOptionsFor: a side range from the fractions, its middle for fixed sizes", () => {
  assert.deepEqual(sceneOptionsFor(sizes, "per-image").side, { min: 4, max: 6 });
  assert.equal(sceneOptionsFor(sizes, "fixed").side, 5);
  assert.equal(sceneOptionsFor(sizes, "per-shape").sizeMode, "per-shape");
  assert.throws(
    () => sceneOptionsFor({ ...sizes, sideFraction: [0.3, 0.2] }, "fixed"),
    /sideFraction must be \[min, max\]/,
  );
  assert.throws(() => sceneOptionsFor({ ...sizes, sideFraction: [0.2] }, "fixed"), /\[0.2\]/);
});

Deno.test("sceneFamilies: every mode, own seeds in order, per-shape training set of test size", () => {
  const sets = sceneFamilies(sizes, 7);
  assert.deepEqual(Object.keys(sets), [...SIZE_MODES]);
  SIZE_MODES.forEach((mode, k) => {
    const options = sceneOptionsFor(sizes, mode);
    const n = mode === "per-shape" ? sizes.testCount : sizes.trainCount;
    const train = generateScenes(`${mode}-train`, n, options, 7 + 2 * k + 1);
    const test = generateScenes(`${mode}-test`, sizes.testCount, options, 7 + 2 * k + 2);
    assert.deepEqual(sets[mode].train, train);
    assert.deepEqual(sets[mode].test, test);
  });
  assert.notDeepEqual(sets.fixed.test.x, sets["per-image"].test.x);
});

Deno.test("sceneImage: a scene's pixels with its [H, W, 3] shape, no copy", () => {
  const scene = sceneAt(sceneFamilies(sizes, 0)["per-image"].test, 1);
  const image = sceneImage(scene);
  assert.deepEqual(image.shape, [20, 20, 3]);
  assert.equal(image.data, scene.image);
});
