import assert from "node:assert/strict";
import { clopperPearson, exact, proportion, requireEstimate, wilson } from "../../lib/stats/mod.ts";

Deno.test("proportion: value, Clopper–Pearson by default, Wilson on request", () => {
  const cp = proportion(34, 100);
  assert.deepEqual(cp, {
    value: 0.34,
    ...clopperPearson(34, 100, 0.95),
    level: 0.95,
    method: "Clopper–Pearson",
    n: 100,
  });
  const w = proportion(34, 100, { method: "wilson", level: 0.9 });
  assert.deepEqual(w, {
    value: 0.34,
    ...wilson(34, 100, 0.9),
    level: 0.9,
    method: "Wilson",
    n: 100,
  });
  assert.throws(
    () => proportion(1, 2, { method: "wald" as "wilson" }),
    /"clopper-pearson" or "wilson"/,
  );
  assert.throws(() => proportion(3, 0), /n must be an integer number of trials ≥ 1/);
});

Deno.test("the run's confidence level comes from LENSES_CONFIDENCE", () => {
  const old = Deno.env.get("LENSES_CONFIDENCE");
  try {
    Deno.env.set("LENSES_CONFIDENCE", "0.99");
    assert.equal(proportion(34, 100).level, 0.99);
    assert.deepEqual(clopperPearson(34, 100), clopperPearson(34, 100, 0.99));
    Deno.env.set("LENSES_CONFIDENCE", "95");
    assert.throws(() => proportion(34, 100), /LENSES_CONFIDENCE=95 is not a confidence level/);
    Deno.env.delete("LENSES_CONFIDENCE");
    assert.equal(proportion(34, 100).level, 0.95);
  } finally {
    if (old === undefined) Deno.env.delete("LENSES_CONFIDENCE");
    else Deno.env.set("LENSES_CONFIDENCE", old);
  }
});

Deno.test("exact is a point interval and requireEstimate checks hand-built estimates", () => {
  assert.deepEqual(exact(0, 784), {
    value: 0,
    lower: 0,
    upper: 0,
    level: 1,
    method: "exact",
    n: 784,
  });
  assert.throws(() => exact(Number.POSITIVE_INFINITY), /finite number/);
  assert.throws(() => exact(0, 0), /n must be an integer ≥ 1/);
  requireEstimate("t", proportion(3, 10));
  const bad = { value: 0.5, lower: 0.6, upper: 0.7, level: 0.95, method: "m", n: 10 };
  assert.throws(() => requireEstimate("t", bad), /t: estimate must satisfy lower ≤ value ≤ upper/);
  assert.throws(() => requireEstimate("t", { ...bad, lower: 0.4, n: 0 }), /estimate\.n must be/);
  assert.throws(() => requireEstimate("t", { ...bad, lower: 0.4, method: "" }), /estimate\.method/);
});
