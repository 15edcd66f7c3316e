import assert from "node:assert/strict";
import {
  kmeans1d,
  mean,
  otsuThreshold,
  pearson,
  sampleSd,
  spearman,
  sum,
} from "../../lib/stats/mod.ts";

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

Deno.test("spearman: known values (scipy.stats.spearmanr), ties, invariance and errors", () => {
  // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic = 0.82078268...
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8207826816681233) < 1e-12);
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 25]), 0.8);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
  // Ranks only: any increasing map of either side leaves it unchanged.
  const x = [0.3, 2, -1, 5, 4.5, 0];
  const y = [1, 3, 2, 8, 9, -4];
  assert.equal(spearman(x.map(Math.exp), y.map((v) => v ** 3)), spearman(x, y));
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])), "a constant side has no order");
  assert.throws(() => spearman([1, 2], [1]), /same length/);
  assert.throws(() => spearman([1], [1]), /at least 2 pairs/);
  assert.throws(() => spearman([1, NaN], [1, 2]), /x\[1\] is NaN/);
});

Deno.test("mean of values, NaN for none", () => {
  assert.equal(mean([1, 2, 6]), 3);
  assert.equal(mean(new Float32Array([0.5, 1.5])), 1);
  assert.ok(Number.isNaN(mean([])));
});

Deno.test("pearson: ±1 on lines, the textbook value otherwise, NaN without spread", () => {
  assert.ok(Math.abs(pearson([1, 2, 3], [3, 5, 7]) - 1) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [7, 5, 3]) + 1) < 1e-12);
  // x = 1..5, y = [2, 4, 5, 4, 5]: sxy = 6, sxx = 10, syy = 6 → r = 6 / √60.
  assert.ok(Math.abs(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) - 6 / Math.sqrt(60)) < 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.throws(() => pearson([1, 2], [1]), /same length/);
});

Deno.test("sum and sampleSd: known values, the empty and single cases", () => {
  assert.equal(sum([1, 2, 6]), 9);
  assert.equal(sum([]), 0);
  assert.equal(sampleSd([1, 2, 3]), 1);
  assert.equal(sampleSd(new Float32Array([2, 4, 4, 4, 5, 5, 7, 9])), Math.sqrt(32 / 7));
  assert.ok(Number.isNaN(sampleSd([5])));
});
