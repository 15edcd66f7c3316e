import assert from "node:assert/strict";
import {
  clopperPearson,
  clopperPearsonLower,
  normalQuantile,
  wilson,
} from "../../lib/stats/mod.ts";

function close(actual: number, expected: number, tol = 1e-9, what = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected}, got ${actual} (tolerance ${tol})`,
  );
}

// Reference values: scipy 1.17 `beta.ppf(alpha/2, k, n-k+1)`, `beta.ppf(1-alpha/2, k+1, n-k)`.
const CLOPPER_PEARSON_95: [number, number, number, number][] = [
  [34, 100, 0.24822350154484418, 0.4415332677509589],
  [1, 10, 0.0025285785444617848, 0.4450161170281954],
  [7, 20, 0.15390920478454118, 0.5921885345328282],
  [50, 50, 0.9288782635358024, 1],
  [3, 1000, 0.0006190999316495713, 0.008742023238478303],
  [0, 10, 0, 0.3084971078187607],
];

Deno.test("clopperPearson matches scipy's beta quantiles at known points", () => {
  for (const [k, n, lo, hi] of CLOPPER_PEARSON_95) {
    const ci = clopperPearson(k, n, 0.95);
    close(ci.lower, lo, 1e-9, `lower(${k}/${n})`);
    close(ci.upper, hi, 1e-9, `upper(${k}/${n})`);
  }
  const ci99 = clopperPearson(34, 100, 0.99);
  close(ci99.lower, 0.22321521267875782, 1e-9, "99% lower");
  close(ci99.upper, 0.4724636968493518, 1e-9, "99% upper");
});

Deno.test("clopperPearson has closed forms at k = 0 and k = n", () => {
  for (const n of [1, 5, 30, 400]) {
    for (const level of [0.9, 0.95, 0.99]) {
      const alpha = 1 - level;
      // P(X = 0 | p) = (1-p)^n = alpha/2 at the upper end; symmetric at k = n.
      close(clopperPearson(0, n, level).upper, 1 - (alpha / 2) ** (1 / n), 1e-12, `0/${n}`);
      close(clopperPearson(n, n, level).lower, (alpha / 2) ** (1 / n), 1e-12, `${n}/${n}`);
      assert.equal(clopperPearson(0, n, level).lower, 0);
      assert.equal(clopperPearson(n, n, level).upper, 1);
    }
  }
});

Deno.test("clopperPearsonLower is CERTIFY's one-sided bound", () => {
  // scipy `beta.ppf(alpha, k, n-k+1)` = statsmodels proportion_confint(k, n, 2*alpha, "beta")[0].
  close(clopperPearsonLower(100, 100, 0.001), 0.933254300796991, 1e-12, "100/100");
  close(clopperPearsonLower(990, 1000, 0.001), 0.9760361871553114, 1e-9, "990/1000");
  close(clopperPearsonLower(57, 100, 0.001), 0.41150063461308783, 1e-9, "57/100");
  close(clopperPearsonLower(1, 3, 0.01), 0.0033445065874036367, 1e-12, "1/3");
  assert.equal(clopperPearsonLower(0, 100, 0.001), 0);
  // CERTIFY's sizes (N = 100,000 noise samples).
  close(clopperPearsonLower(99990, 100000, 0.001), 0.9997586773435911, 1e-12, "99990/1e5");
  close(clopperPearsonLower(50000, 100000, 0.001), 0.49510904290369595, 1e-12, "50000/1e5");
  close(clopperPearsonLower(100000, 100000, 0.001), 0.9999309248330094, 1e-12, "1e5/1e5");
  close(clopperPearsonLower(12, 100000, 0.001), 4.0425814255300663e-05, 1e-15, "12/1e5");
  // One-sided at alpha equals the two-sided lower end at level 1 - 2 alpha.
  close(clopperPearsonLower(34, 100, 0.025), clopperPearson(34, 100, 0.95).lower, 1e-15, "1-2α");
});

Deno.test("normalQuantile matches known values", () => {
  close(normalQuantile(0.975), 1.959963984540054, 1e-12, "0.975");
  close(normalQuantile(0.001), -3.090232306167813, 1e-12, "0.001");
  close(normalQuantile(0.8), 0.8416212335729143, 1e-12, "0.8");
  assert.equal(normalQuantile(0.5), 0);
});

Deno.test("wilson matches its formula and stays inside [0, 1]", () => {
  const z = 1.959963984540054;
  for (const [k, n] of [[34, 100], [1, 10], [7, 20], [3, 1000], [0, 10], [10, 10]]) {
    const p = k / n;
    const denom = 1 + z * z / n;
    const center = (p + z * z / (2 * n)) / denom;
    const half = (z / denom) * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n));
    const ci = wilson(k, n, 0.95);
    close(ci.lower, Math.max(0, center - half), 1e-12, `lower(${k}/${n})`);
    close(ci.upper, Math.min(1, center + half), 1e-12, `upper(${k}/${n})`);
    assert.ok(ci.lower >= 0 && ci.upper <= 1 && ci.lower <= p && p <= ci.upper);
  }
  // Independent value: the same formula in Python with scipy.stats.norm.ppf(0.975).
  close(wilson(34, 100, 0.95).lower, 0.2546152079734816, 1e-12, "hand lower");
  close(wilson(34, 100, 0.95).upper, 0.4372227114527538, 1e-12, "hand upper");
});

Deno.test("interval functions reject bad input with a clear message", () => {
  assert.throws(() => clopperPearson(0, 0), /n must be an integer number of trials ≥ 1 \(got 0\)/);
  assert.throws(() => wilson(11, 10), /successes must be an integer between 0 and n = 10/);
  assert.throws(() => clopperPearson(0.3, 10), /not a proportion/);
  assert.throws(() => clopperPearson(-1, 10), /successes must be/);
  assert.throws(() => clopperPearson(3, 10, 95), /level must lie strictly between 0 and 1/);
  assert.throws(() => wilson(3, 10, 0), /level must lie strictly between 0 and 1 \(got 0\)/);
  assert.throws(() => wilson(3, 10, 1), /level must lie/);
  assert.throws(() => clopperPearsonLower(3, 10, 0), /alpha must lie strictly between 0 and 1/);
  assert.throws(() => normalQuantile(1), /p must lie strictly between 0 and 1/);
  assert.throws(() => clopperPearson(3, 10, Number.NaN), /level must lie/);
});
