import assert from "node:assert/strict";
import { type Estimate, meanOverRuns, poolRandomEffects } from "../../lib/stats/mod.ts";

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
}

const run = (value: number, lower: number, upper: number, level = 0.95): Estimate => ({
  value,
  lower,
  upper,
  level,
  method: "test",
  n: 100,
});

Deno.test("meanOverRuns: the Student-t interval of the mean (hand-computed)", () => {
  // mean 2.5, sd √(5/3) = 1.290994, t(0.975, 3) = 3.182446: 2.5 ± 3.182446 · 1.290994 / 2.
  const e = meanOverRuns([1, 2, 3, 4], 0.95);
  close(e.value, 2.5, "mean");
  close(e.lower, 0.44574, "lower");
  close(e.upper, 4.55426, "upper");
  assert.equal(e.n, 4);
  assert.equal(e.method, "Student t over 4 runs");
  // 0.7 ± t(0.975, 2) · 0.2 / √3 = 0.7 ± 4.302653 · 0.115470.
  close(meanOverRuns([0.5, 0.7, 0.9], 0.95).lower, 0.7 - 0.496828, "three runs");
  // A 90% interval is narrower: t(0.95, 3) = 2.353363.
  close(meanOverRuns([1, 2, 3, 4], 0.9).upper, 2.5 + 2.353363 * 0.645497, "90%");
  assert.throws(() => meanOverRuns([1]), /at least two finite values/);
  assert.throws(() => meanOverRuns([1, NaN]), /at least two finite values/);
});

Deno.test("poolRandomEffects: DerSimonian–Laird against hand-computed values", () => {
  // Two runs, 95% intervals of half-width 1 (SE = 1/1.959964, weight 3.841459): Q = 7.682918,
  // τ² = (Q − 1) / 3.841459 = 1.739682, each variance 0.260318 + 1.739682 = 2, pooled SE 1.
  const apart = poolRandomEffects([run(1, 0, 2), run(3, 2, 4)], 0.95);
  close(apart.value, 2, "value");
  close(apart.lower, 0.040036, "lower");
  close(apart.upper, 3.959964, "upper");
  assert.equal(apart.n, 200);
  assert.match(apart.method, /DerSimonian–Laird\) over 2 runs/);
  // Runs that agree within their errors: Q < k − 1, τ² = 0, the fixed-effect pool (SE/√2).
  const agree = poolRandomEffects([run(1, 0, 2), run(1.2, 0.2, 2.2)], 0.95);
  close(agree.value, 1.1, "agreeing value");
  close(agree.lower, 0.392893, "agreeing lower");
  // A 90% interval of the same width means a smaller SE (half-width / 1.644854): more weight.
  const mixed = poolRandomEffects([run(1, 0, 2, 0.9), run(1.2, 0.2, 2.2)], 0.95);
  close(mixed.value, 1.117350, "mixed-level value");
  close(mixed.lower, 0.351354, "mixed-level lower");
  // One run: its own interval, re-expressed at the requested level.
  const one = poolRandomEffects([run(5, 4, 6)], 0.95);
  close(one.lower, 4, "one run");
  assert.throws(() => poolRandomEffects([]), /no estimates/);
  assert.throws(() => poolRandomEffects([run(1, 1, 1)]), /no standard error/);
  assert.throws(() => poolRandomEffects([run(1, 0, 2, 1)]), /no standard error/);
});
