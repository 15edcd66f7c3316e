import assert from "node:assert/strict";
import { binomialTest } from "../../lib/stats/binomial_test.ts";

// Reference values: scipy 1.17 `binomtest(k, n, p).pvalue` (two-sided).
const SCIPY: [number, number, number, number][] = [
  [7, 10, 0.5, 0.34375],
  [3, 10, 0.5, 0.34375],
  [60, 100, 0.5, 0.05688793364098089],
  [41, 100, 0.5, 0.08862608011406758],
  [0, 5, 0.5, 0.0625],
  [12, 20, 0.3, 0.005936084198097523],
  [2, 20, 0.3, 0.05262794872972706],
  [520, 1000, 0.5, 0.2174482932041415],
  [530, 1000, 0.5, 0.06202319509836343],
];

Deno.test("binomialTest matches scipy's two-sided binomtest", () => {
  for (const [k, n, p, expected] of SCIPY) {
    const got = binomialTest(k, n, p);
    assert.ok(
      Math.abs(got - expected) <= 1e-12 + 1e-9 * expected,
      `binomialTest(${k}, ${n}, ${p}) = ${got}, scipy ${expected}`,
    );
  }
});

Deno.test("binomialTest: closed forms at p = 1/2 and the mode", () => {
  // All successes: only k = 0 and k = n are as unlikely, so p = 2 · 2^-n.
  for (const n of [1, 4, 17, 40]) assert.equal(binomialTest(n, n), Math.min(1, 2 * 0.5 ** n));
  assert.equal(binomialTest(5, 10), 1);
  assert.equal(binomialTest(6, 20, 0.3), 1);
  // Symmetric at p = 1/2.
  for (const k of [0, 3, 9, 12, 20]) assert.equal(binomialTest(k, 20), binomialTest(20 - k, 20));
});

Deno.test("binomialTest rejects impossible counts and probabilities", () => {
  assert.throws(() => binomialTest(11, 10), /binomialTest/);
  assert.throws(() => binomialTest(3, 0), /binomialTest/);
  assert.throws(() => binomialTest(3, 10, 1), /binomialTest/);
  assert.throws(() => binomialTest(2.5, 10), /binomialTest/);
});
