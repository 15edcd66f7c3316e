import assert from "node:assert/strict";
import {
  aggregate,
  type ClaimObservation,
  countsText,
  paramCharts,
  type PointResult,
  pooledInterval,
  readClaim,
} from "../../../kernel/sweep/aggregate.ts";

function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-6,
    `${what}: ${actual} ≠ ${expected}`,
  );
}

Deno.test("readClaim: old text-only records and new records with value, interval, criterion and inconclusive", () => {
  const old = { id: "a", claim: "acc high", paper: "91%", measured: "93.4%", verdict: "holds" };
  assert.deepEqual(readClaim(old), { ...old, value: 93.4 });
  assert.deepEqual(
    readClaim({ id: "b", claim: "c", paper: "p", measured: "MAE 0.2 vs 0.5", verdict: "holds" }),
    { id: "b", claim: "c", paper: "p", measured: "MAE 0.2 vs 0.5", verdict: "holds" },
  );
  const fresh = {
    id: "c",
    claim: "gap > 0",
    paper: "p",
    criterion: "lower end of the 95% interval above 0",
    measured: "0.12 [−0.01, 0.25]",
    verdict: "inconclusive",
    value: 0.12,
    interval: [-0.01, 0.25],
  };
  assert.deepEqual(readClaim(fresh), { ...fresh, level: 0.95 });
  // An estimate object (value, lower, upper, level) serves as well.
  const e = readClaim({
    id: "d",
    claim: "c",
    paper: "p",
    measured: "34%",
    verdict: "does not hold",
    estimate: { value: 0.34, lower: 0.31, upper: 0.37, level: 0.9, method: "Clopper–Pearson" },
  });
  assert.equal(e?.value, 0.34);
  assert.deepEqual(e?.interval, [0.31, 0.37]);
  assert.equal(e?.level, 0.9);
  // Unknown verdicts are kept as "not run"; things that are not records are dropped.
  assert.equal(readClaim({ id: "x", verdict: "maybe" })?.verdict, "not run");
  assert.equal(readClaim("holds"), null);
  assert.equal(readClaim({ claim: "no id" }), null);
});

Deno.test("pooledInterval: Student t over seeds without intervals, DerSimonian–Laird with them (hand-computed)", () => {
  // mean 2.5, sd √(5/3), t(0.975, 3) = 3.182446: 2.5 ± 3.182446 · 1.290994 / 2 = 2.5 ± 2.054260.
  const t = pooledInterval([1, 2, 3, 4]);
  assert.equal(t?.method, "t");
  close(t?.estimate, 2.5, "t estimate");
  close(t?.lo, 0.44574, "t lo");
  close(t?.hi, 4.55426, "t hi");
  assert.equal(pooledInterval([1]), null);
  // Two seeds, 95% intervals of half-width 1 (SE = 1/1.959964): Q = 7.6829, τ² = 1.73968, each
  // weight 1/2, pooled SE 1: 2 ± 1.959964.
  const re = pooledInterval([1, 3], [
    { interval: [0, 2], level: 0.95 },
    { interval: [2, 4], level: 0.95 },
  ]);
  assert.equal(re?.method, "random-effects");
  close(re?.estimate, 2, "RE estimate");
  close(re?.lo, 0.040036, "RE lo");
  close(re?.hi, 3.959964, "RE hi");
  // Agreeing seeds: τ² = 0, the fixed-effect interval (half-width 1/√2).
  const fe = pooledInterval([1, 1.2], [
    { interval: [0, 2], level: 0.95 },
    { interval: [0.2, 2.2], level: 0.95 },
  ]);
  close(fe?.lo, 0.392893, "FE lo");
  close(fe?.hi, 1.807107, "FE hi");
  // A 90% interval is a narrower one: its SE is half-width / 1.644854, so it weighs more.
  const mixed = pooledInterval([1, 1.2], [
    { interval: [0, 2], level: 0.9 },
    { interval: [0.2, 2.2], level: 0.95 },
  ]);
  close(mixed?.estimate, 1.117350, "mixed-level estimate");
  close(mixed?.lo, 0.351354, "mixed-level lo");
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
  close(a.pooled?.lo, 0.7 - 0.496828, "pooled lo");
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
