import assert from "node:assert/strict";
import { bonferroni, exact, holm, pickBest, proportion } from "../../lib/stats/mod.ts";

function close(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) < 1e-12, `${i}: ${a} vs ${expected[i]}`)
  );
}

Deno.test("holm on a hand example", () => {
  // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
  const r = holm([0.01, 0.04, 0.03, 0.005], 0.05);
  close(r.adjusted, [0.03, 0.06, 0.06, 0.02]);
  assert.deepEqual(r.reject, [true, false, false, true]);
  assert.equal(r.method, "holm");
  assert.equal(r.alpha, 0.05);
});

Deno.test("bonferroni on the same example, capped at 1", () => {
  const r = bonferroni([0.01, 0.04, 0.03, 0.005], 0.05);
  close(r.adjusted, [0.04, 0.16, 0.12, 0.02]);
  assert.deepEqual(r.reject, [true, false, false, true]);
  close(bonferroni([0.3, 0.6]).adjusted, [0.6, 1]);
});

Deno.test("holm rejects at least what bonferroni rejects, and one p-value is left alone", () => {
  // Holm rejects the second here (0.02·2 = 0.04 ≤ 0.05); Bonferroni does not (0.06).
  const p = [0.001, 0.02, 0.5];
  assert.deepEqual(holm(p, 0.05).reject, [true, true, false]);
  assert.deepEqual(bonferroni(p, 0.05).reject, [true, false, false]);
  close(holm([0.2], 0.05).adjusted, [0.2]);
  close(holm([0.04, 0.04], 0.05).adjusted, [0.08, 0.08]);
});

Deno.test("corrections reject bad input", () => {
  assert.throws(() => holm([]), /non-empty array of p-values/);
  assert.throws(() => holm([0.1, 1.2]), /p-value 1 is 1\.2; p-values lie in \[0, 1\]/);
  assert.throws(() => bonferroni([0.1], 5), /alpha must lie strictly between 0 and 1/);
});

Deno.test("pickBest widens every interval to the family level and records the pick", () => {
  const counts = { a: 300, b: 340, c: 320 };
  const best = pickBest(
    Object.fromEntries(
      Object.entries(counts).map((
        [k, c],
      ) => [k, (level: number) => proportion(c, 1000, { level })]),
    ),
    { level: 0.95 },
  );
  assert.equal(best.name, "b");
  const family = 1 - 0.05 / 3;
  assert.deepEqual(best.estimate, {
    ...proportion(340, 1000, { level: family }),
    correction: { method: "bonferroni", family: 3, picked: "b" },
  });
  assert.ok(best.estimate.lower < proportion(340, 1000, { level: 0.95 }).lower);
  assert.deepEqual(best.all.a.correction, { method: "bonferroni", family: 3 });
  const lowest = pickBest({ x: () => exact(2), y: () => exact(1) }, { better: "lower" });
  assert.equal(lowest.name, "y");
});

Deno.test("pickBest rejects bad input", () => {
  assert.throws(() => pickBest({}), /at least one variant/);
  assert.throws(
    () => pickBest({ a: proportion(1, 2) as unknown as () => ReturnType<typeof exact> }),
    /variant "a" must be a function from a level to an estimate/,
  );
  assert.throws(() => pickBest({ a: () => exact(1) }, { level: 2 }), /level must lie/);
});
