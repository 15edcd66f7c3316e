import assert from "node:assert/strict";
import {
  atLeast,
  atMost,
  type Estimate,
  exact,
  greaterThan,
  lessThan,
  proportion,
  verdictOf,
} from "../../lib/stats/mod.ts";

function interval(lower: number, upper: number): Estimate {
  return { value: (lower + upper) / 2, lower, upper, level: 0.95, method: "test", n: 100 };
}

Deno.test("verdictOf: holds, does not hold, inconclusive for each direction", () => {
  const cases: [Estimate, ReturnType<typeof atLeast>, string][] = [
    [interval(0.31, 0.37), atLeast(0.3), "holds"],
    [interval(0.20, 0.28), atLeast(0.3), "does not hold"],
    [interval(0.25, 0.44), atLeast(0.3), "inconclusive"],
    [interval(0.01, 0.04), atMost(0.05), "holds"],
    [interval(0.06, 0.09), atMost(0.05), "does not hold"],
    [interval(0.03, 0.07), atMost(0.05), "inconclusive"],
    [interval(0.01, 0.05), greaterThan(0), "holds"],
    [interval(-0.04, -0.01), greaterThan(0), "does not hold"],
    [interval(-0.02, 0.03), greaterThan(0), "inconclusive"],
    [interval(-0.3, -0.1), lessThan(0), "holds"],
    [interval(0.1, 0.3), lessThan(0), "does not hold"],
    [interval(-0.1, 0.1), lessThan(0), "inconclusive"],
  ];
  for (const [estimate, criterion, expected] of cases) {
    assert.equal(
      verdictOf(estimate, criterion),
      expected,
      `[${estimate.lower}, ${estimate.upper}] ${criterion.relation} ${criterion.against}`,
    );
  }
});

Deno.test("verdictOf: the boundary belongs to ≥ and ≤ but not to > and <", () => {
  assert.equal(verdictOf(interval(0.3, 0.4), atLeast(0.3)), "holds");
  assert.equal(verdictOf(interval(0.3, 0.4), greaterThan(0.3)), "inconclusive");
  assert.equal(verdictOf(interval(0.2, 0.3), atMost(0.3)), "holds");
  assert.equal(verdictOf(interval(0.2, 0.3), lessThan(0.3)), "inconclusive");
  assert.equal(verdictOf(interval(0.2, 0.3), greaterThan(0.3)), "does not hold");
  assert.equal(verdictOf(interval(0.3, 0.4), lessThan(0.3)), "does not hold");
  // An exact value decides outright: a sanity identity.
  assert.equal(verdictOf(exact(0), atMost(0)), "holds");
  assert.equal(verdictOf(exact(1e-3), atMost(0)), "does not hold");
});

Deno.test("verdictOf against another estimate needs the intervals apart", () => {
  const other = interval(0.30, 0.34);
  assert.equal(verdictOf(interval(0.35, 0.40), greaterThan(other)), "holds");
  assert.equal(verdictOf(interval(0.33, 0.40), greaterThan(other)), "inconclusive");
  assert.equal(verdictOf(interval(0.20, 0.29), greaterThan(other)), "does not hold");
  assert.equal(verdictOf(interval(0.20, 0.29), lessThan(other)), "holds");
  assert.equal(verdictOf(interval(0.36, 0.40), atMost(0.34)), "does not hold");
});

Deno.test("verdictOf on real intervals: 34% of 100 straddles 30%, 340 of 1000 does not", () => {
  assert.equal(verdictOf(proportion(34, 100), atLeast(0.3)), "inconclusive");
  assert.equal(verdictOf(proportion(340, 1000), atLeast(0.3)), "holds");
  assert.equal(verdictOf(proportion(234, 1000), atLeast(0.3)), "does not hold");
});

Deno.test("criteria and verdictOf reject bad input", () => {
  assert.throws(() => atLeast(Number.NaN), /threshold must be a finite number/);
  assert.throws(() => greaterThan(interval(0.4, 0.3)), /lower ≤ value ≤ upper/);
  assert.throws(() => atMost(0.1, ""), /label must be a non-empty string/);
  assert.throws(
    () => verdictOf({ value: 1, lower: 0, upper: 2, level: 95, method: "m", n: 3 }, atLeast(0)),
    /level must lie strictly between 0 and 1/,
  );
  assert.throws(
    () => verdictOf(interval(0, 1), { relation: "!=" as ">", against: 0 }),
    /unknown relation "!="/,
  );
  assert.throws(
    () => verdictOf(undefined as unknown as Estimate, atLeast(0)),
    /expected an estimate/,
  );
});
