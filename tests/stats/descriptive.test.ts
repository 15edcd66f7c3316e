import assert from "node:assert/strict";
import { kmeans1d, mean, otsuThreshold, pearson } from "../../lib/stats/mod.ts";

Deno.test("otsuThreshold and kmeans1d on separated groups", () => {
  const t = otsuThreshold([0, 0.05, 0.1, 0.9, 0.95, 1]);
  assert.ok(t > 0.1 && t <= 0.9, `threshold ${t}`);
  assert.deepEqual(
    Array.from(kmeans1d([9.1, 0, 5, 0.1, 5.2, 9], 3)),
    [2, 0, 1, 0, 1, 2],
  );
  assert.throws(() => otsuThreshold([]), /no values/);
  assert.throws(() => kmeans1d([1], 3), /cannot form 3 groups/);
});

Deno.test("mean sums in order and rejects an empty list", () => {
  assert.equal(mean([1, 2, 6]), 3);
  assert.equal(mean(new Float32Array([0.5, 0.25])), 0.375);
  // Left-to-right summation from 0, as a reduce would do it.
  const v = [0.1, 0.2, 0.3];
  assert.equal(mean(v), v.reduce((s, x) => s + x, 0) / 3);
  assert.throws(() => mean([]), /no values/);
});

Deno.test("pearson: ±1 on lines, the textbook value otherwise, NaN without spread", () => {
  assert.ok(Math.abs(pearson([1, 2, 3], [3, 5, 7]) - 1) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [7, 5, 3]) + 1) < 1e-12);
  // x = 1..5, y = [2, 4, 5, 4, 5]: sxy = 6, sxx = 10, syy = 6 → r = 6 / √60.
  assert.ok(Math.abs(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) - 6 / Math.sqrt(60)) < 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.throws(() => pearson([1, 2], [1]), /same length/);
});
