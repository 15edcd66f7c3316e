import assert from "node:assert/strict";
import {
  aggregate,
  type ClaimObservation,
  countsText,
  observe,
  paramCharts,
  type PointResult,
} from "../../../kernel/sweep/aggregate.ts";

function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-6,
    `${what}: ${actual} ≠ ${expected}`,
  );
}

Deno.test("observe: old text-only records and new records with an estimate", () => {
  const old = {
    id: "a",
    claim: "acc high",
    paper: "91%",
    measured: "93.4%",
    verdict: "holds" as const,
  };
  assert.deepEqual(observe(old), { ...old, value: 93.4 });
  const text = {
    id: "b",
    claim: "c",
    paper: "p",
    measured: "0.2 vs 0.5",
    verdict: "holds" as const,
  };
  assert.deepEqual(observe(text), text);
  const fresh = {
    id: "c",
    claim: "gap > 0",
    paper: "p",
    criterion: "> 0",
    measured: "0.12 [-0.01, 0.25]",
    verdict: "inconclusive" as const,
    estimate: { value: 0.12, lower: -0.01, upper: 0.25, level: 0.95, method: "bootstrap", n: 500 },
    interval: "95% bootstrap, n = 500",
  };
  assert.deepEqual(observe(fresh), { ...fresh, value: 0.12 });
});

function point(
  id: string,
  seed: number,
  params: Record<string, unknown>,
  claims: Partial<ClaimObservation>[],
  status = "ok",
): PointResult {
  return {
    id,
    notebook: "nb",
    seed,
    params,
    status,
    duration_s: 1,
    html: `${id}.html`,
    ipynb: `${id}.ipynb`,
    error: status === "ok" ? null : "boom",
    claims: claims.map((c) => ({
      id: "acc",
      claim: "accurate",
      paper: "p",
      measured: String(c.value),
      verdict: "holds",
      ...c,
    })),
  };
}

Deno.test("aggregate: verdict counts, mean and spread per parameter value; failed points counted apart", () => {
  const points = [
    point("nb/w-1_seed-0", 0, { w: 1 }, [{ value: 0.5, verdict: "does not hold" }]),
    point("nb/w-1_seed-1", 1, { w: 1 }, [{ value: 0.7 }]),
    point("nb/w-1_seed-2", 2, { w: 1 }, [{ value: 0.9 }]),
    point("nb/w-2_seed-0", 0, { w: 2 }, [{ value: 0.8, verdict: "inconclusive" }]),
    point("nb/w-2_seed-1", 1, { w: 2 }, [{ value: 0.9 }]),
    point("nb/w-2_seed-2", 2, { w: 2 }, [], "error"),
  ];
  const groups = aggregate(points);
  assert.deepEqual(groups.map((g) => g.label), ["w=1", "w=2"]);
  const [a, b] = groups.map((g) => g.claims[0]);
  assert.deepEqual(a.counts, {
    holds: 2,
    inconclusive: 0,
    "does not hold": 1,
    "not run": 0,
    failed: 0,
  });
  assert.equal(countsText(a.counts), "holds 2 / inconclusive 0 / does not hold 1 of 3");
  close(a.value?.mean, 0.7, "mean");
  close(a.value?.sd ?? undefined, 0.2, "sd");
  assert.equal(a.value?.min, 0.5);
  assert.equal(a.value?.max, 0.9);
  // 0.7 ± t(0.975, 2) · 0.2 / √3 = 0.7 ± 4.302653 · 0.115470.
  assert.equal(a.pooled?.method, "Student t over 3 runs");
  close(a.pooled?.lower, 0.7 - 0.496828, "pooled lower");
  assert.deepEqual(b.verdicts, ["inconclusive", "holds", "failed"]);
  assert.equal(countsText(b.counts), "holds 1 / inconclusive 1 / does not hold 0 of 3, failed 1");
  assert.deepEqual(b.values, [0.8, 0.9, null]);
  close(b.value?.mean, 0.85, "mean without the failed seed");

  const [chart] = paramCharts(groups);
  assert.equal(chart.param, "w");
  assert.equal(chart.claim, "acc");
  const trace = chart.figure.data[0] as unknown as {
    x: number[];
    y: number[];
    error_y: { array: number[] };
  };
  assert.deepEqual(trace.x, [1, 2]);
  close(trace.y[0], 0.7, "chart y");
  close(trace.error_y.array[0], 0.496828, "chart error bar");
  // One parameter value: nothing to chart.
  assert.deepEqual(paramCharts(aggregate(points.slice(0, 3))), []);
});

Deno.test("aggregate: seeds that recorded estimates are pooled by random effects; sanity checks stay marked", () => {
  const estimate = (value: number) => ({
    value,
    lower: value - 1,
    upper: value + 1,
    level: 0.95,
    method: "test",
    n: 10,
  });
  const points = [0, 1].map((seed) =>
    point(`nb/seed-${seed}`, seed, {}, [
      { id: "gap", value: 1 + 2 * seed, estimate: estimate(1 + 2 * seed), verdict: "inconclusive" },
      { id: "identity", value: 0, sanity: true },
    ])
  );
  const [gap, identity] = aggregate(points)[0].claims;
  // As in tests/stats/pooling.test.ts: τ² = 1.739682, pooled 2 ± 1.959964.
  assert.match(gap.pooled?.method ?? "", /DerSimonian–Laird/);
  close(gap.pooled?.value, 2, "pooled value");
  close(gap.pooled?.lower, 0.040036, "pooled lower");
  assert.equal(identity.sanity, true);
  assert.equal(gap.sanity, undefined);
  // A seed without an interval: the pool falls back to the spread of the values.
  points[1].claims[0] = { ...points[1].claims[0], estimate: undefined };
  assert.equal(aggregate(points)[0].claims[0].pooled?.method, "Student t over 2 runs");
});
