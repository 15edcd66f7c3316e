import assert from "node:assert/strict";
import { kmeans1d, otsuThreshold } from "../../lib/stats/mod.ts";

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
