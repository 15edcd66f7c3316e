import assert from "node:assert/strict";
import { describeInterval, formatCriterion, formatEstimate } from "../../lib/display/mod.ts";
import {
  atLeast,
  atMost,
  type Estimate,
  exact,
  greaterThan,
  lessThan,
  proportion,
} from "../../lib/stats/mod.ts";

const gain: Estimate = {
  value: 0.0412,
  lower: 0.01034,
  upper: 0.07311,
  level: 0.95,
  method: "paired bootstrap (2000 resamples, seed 0)",
  n: 200,
};

Deno.test("formatEstimate writes the value and its interval", () => {
  assert.equal(formatEstimate(proportion(340, 1000), "percent"), "34.0% [31.1, 37.0]");
  assert.equal(formatEstimate(gain), "0.0412 [0.0103, 0.0731]");
  assert.equal(formatEstimate(gain, (v) => v.toFixed(2)), "0.04 [0.01, 0.07]");
  assert.equal(formatEstimate(exact(0.5), "percent"), "50.0%");
  assert.throws(() => formatEstimate(gain, "ppm" as "number"), /format must be "percent"/);
});

Deno.test("formatCriterion writes the relation and a compact threshold", () => {
  assert.equal(formatCriterion(atLeast(0.3), "percent"), "≥ 30%");
  assert.equal(formatCriterion(atMost(0.055), "percent"), "≤ 5.5%");
  assert.equal(formatCriterion(greaterThan(0)), "> 0");
  assert.equal(formatCriterion(lessThan(0.25, "chance")), "< chance (0.25)");
  assert.equal(
    formatCriterion(greaterThan(proportion(310, 1000), "D_rand model"), "percent"),
    "> D_rand model (31.0% [28.1, 34.0])",
  );
  assert.throws(
    () => formatCriterion({ relation: "==" as ">", against: 0 }),
    /unknown relation "=="/,
  );
});

Deno.test("describeInterval names level, method, n and any correction", () => {
  assert.equal(describeInterval(proportion(340, 1000)), "95% Clopper–Pearson, n = 1000");
  assert.equal(describeInterval(exact(0, 784)), "exact, n = 784");
  assert.equal(
    describeInterval({
      ...gain,
      level: 1 - 0.05 / 3,
      correction: { method: "bonferroni", family: 3 },
    }),
    "98.33% paired bootstrap (2000 resamples, seed 0), n = 200; one of 3 variants, " +
      "Bonferroni-corrected",
  );
});
