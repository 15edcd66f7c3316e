import assert from "node:assert/strict";
import { Rng } from "../../lib/random/mod.ts";
import {
  bootstrap,
  bootstrapMean,
  bootstrapMeanDifference,
  compareVariants,
  normalQuantile,
  pairedBootstrap,
} from "../../lib/stats/mod.ts";

function normals(rng: Rng, n: number, mean: number, sd: number): number[] {
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}

/** Largest deviation of an observed coverage from `nominal` that `reps` trials allow (4 sd). */
function tolerance(nominal: number, reps: number): number {
  return 4 * Math.sqrt(nominal * (1 - nominal) / reps);
}

Deno.test("bootstrapMean covers a normal mean at about the nominal rate", () => {
  const rng = new Rng(7);
  const reps = 300;
  const n = 60;
  const [mu, sd] = [1, 2];
  let covered = 0;
  let width = 0;
  for (let r = 0; r < reps; r++) {
    const ci = bootstrapMean(normals(rng, n, mu, sd), { seed: r, level: 0.9, resamples: 1000 });
    if (ci.lower <= mu && mu <= ci.upper) covered++;
    width += (ci.upper - ci.lower) / reps;
  }
  const coverage = covered / reps;
  assert.ok(
    Math.abs(coverage - 0.9) <= tolerance(0.9, reps),
    `coverage ${coverage} is too far from 0.9 over ${reps} repetitions`,
  );
  // The width matches the normal theory's 2 z σ/√n within 10% (so coverage is not bought by width).
  const expected = 2 * normalQuantile(0.95) * sd / Math.sqrt(n);
  assert.ok(Math.abs(width / expected - 1) < 0.1, `mean width ${width}, normal theory ${expected}`);
});

Deno.test("pairedBootstrap covers a paired difference and is narrower than the two-sample one", () => {
  const rng = new Rng(11);
  const reps = 300;
  const n = 50;
  const delta = 0.3;
  let covered = 0;
  let narrower = 0;
  for (let r = 0; r < reps; r++) {
    // Items differ a lot in difficulty (sd 3); the two methods differ by delta plus small noise.
    const difficulty = normals(rng, n, 0, 3);
    const a = difficulty.map((d) => d + delta + 0.5 * rng.normal());
    const b = difficulty.map((d) => d + 0.5 * rng.normal());
    const paired = pairedBootstrap(a, b, { seed: r, level: 0.9, resamples: 1000 });
    if (paired.lower <= delta && delta <= paired.upper) covered++;
    const unpaired = bootstrapMeanDifference(a, b, { seed: r, level: 0.9, resamples: 1000 });
    if (paired.upper - paired.lower < 0.5 * (unpaired.upper - unpaired.lower)) narrower++;
  }
  const coverage = covered / reps;
  assert.ok(Math.abs(coverage - 0.9) <= tolerance(0.9, reps), `paired coverage ${coverage}`);
  assert.equal(narrower, reps, "pairing must cancel the items' shared difficulty");
});

Deno.test("bootstrapMeanDifference covers a difference of independent means", () => {
  const rng = new Rng(3);
  const reps = 300;
  let covered = 0;
  for (let r = 0; r < reps; r++) {
    const a = normals(rng, 40, 2, 1);
    const b = normals(rng, 70, 1.5, 2);
    const ci = bootstrapMeanDifference(a, b, { seed: r, level: 0.9, resamples: 1000 });
    if (ci.lower <= 0.5 && 0.5 <= ci.upper) covered++;
  }
  const coverage = covered / reps;
  assert.ok(Math.abs(coverage - 0.9) <= tolerance(0.9, reps), `two-sample coverage ${coverage}`);
});

Deno.test("bootstrap is deterministic in its seed and agrees with bootstrapMean", () => {
  const values = normals(new Rng(1), 30, 0, 1);
  const a = bootstrapMean(values, { seed: 5 });
  assert.deepEqual(bootstrapMean(values, { seed: 5 }), a);
  assert.notDeepEqual(bootstrapMean(values, { seed: 6 }), a);
  const mean = (s: Float64Array) => s.reduce((x, y) => x + y, 0) / s.length;
  const generic = bootstrap(values, mean, { seed: 5 });
  assert.ok(Math.abs(generic.lower - a.lower) < 1e-12 && Math.abs(generic.upper - a.upper) < 1e-12);
  assert.equal(a.level, 0.95);
  assert.equal(a.n, 30);
  assert.equal(a.method, "bootstrap (2000 resamples, seed 5)");
  assert.ok(a.lower <= a.value && a.value <= a.upper);
  const wider = bootstrapMean(values, { seed: 5, level: 0.99 });
  assert.ok(wider.lower < a.lower && wider.upper > a.upper, "99% must contain 95%");
});

Deno.test("bootstrap takes any statistic (median) and keeps the value inside its interval", () => {
  const values = [5, 1, 9, 3, 7, 2, 8, 4, 6, 100];
  const median = (s: Float64Array) => {
    const t = s.slice().sort();
    return (t[4] + t[5]) / 2;
  };
  const ci = bootstrap(values, median, { seed: 0 });
  assert.equal(ci.value, 5.5);
  assert.ok(ci.lower <= 5.5 && 5.5 <= ci.upper && ci.upper < 100);
});

Deno.test("compareVariants finds the real improvement, corrects for the pick", () => {
  const rng = new Rng(2);
  const n = 80;
  const base = normals(rng, n, 0.4, 0.2);
  const cmp = compareVariants(base, {
    same: base.map((v) => v + 0.05 * rng.normal()),
    better: base.map((v) => v + 0.1 + 0.05 * rng.normal()),
    worse: base.map((v) => v - 0.1),
  }, { seed: 0 });
  assert.equal(cmp.best.name, "better");
  assert.deepEqual(cmp.best.estimate.correction, { method: "holm", family: 3, picked: "better" });
  assert.ok(Math.abs(cmp.best.estimate.level - (1 - 0.05 / 3)) < 1e-12);
  assert.ok(cmp.best.estimate.lower > 0);
  assert.deepEqual(cmp.variants.map((v) => v.improves), [false, true, false]);
  for (const v of cmp.variants) assert.ok(v.adjustedP >= v.pValue);
  // "lower is better" picks the other end.
  const low = compareVariants(base, {
    up: base.map((v) => v + 0.1),
    down: base.map((v) => v - 0.1),
  }, {
    seed: 0,
    better: "lower",
  });
  assert.equal(low.best.name, "down");
  assert.deepEqual(low.variants.map((v) => v.improves), [false, true]);
});

Deno.test("compareVariants with one variant is the paired bootstrap", () => {
  const rng = new Rng(4);
  const a = normals(rng, 40, 0, 1);
  const b = a.map((v) => v + 0.2 * rng.normal());
  const single = compareVariants(b, { a }, { seed: 9 }).best.estimate;
  const paired = pairedBootstrap(a, b, { seed: 9 });
  assert.deepEqual({ ...single, correction: undefined }, { ...paired, correction: undefined });
});

Deno.test("picking the best of three null variants: the correction keeps false claims rare", () => {
  const rng = new Rng(5);
  const reps = 150;
  const m = 3;
  let corrected = 0;
  let uncorrected = 0;
  for (let r = 0; r < reps; r++) {
    const base = normals(rng, 40, 0, 1);
    const variants = Object.fromEntries(
      Array.from({ length: m }, (_, j) => [`v${j}`, base.map((v) => v + 0.5 * rng.normal())]),
    );
    const cmp = compareVariants(base, variants, { seed: r, level: 0.8, resamples: 500 });
    if (cmp.best.estimate.lower > 0) corrected++;
    const naive = pairedBootstrap(variants[cmp.best.name], base, {
      seed: r,
      level: 0.8,
      resamples: 500,
    });
    if (naive.lower > 0) uncorrected++;
  }
  // One-sided error 0.1 per comparison; picking the best of three without correction approaches
  // 1 - 0.9^3 = 0.27, with the correction it stays at or below 0.1.
  assert.ok(corrected / reps <= 0.1 + tolerance(0.1, reps), `corrected rate ${corrected / reps}`);
  assert.ok(uncorrected / reps > 0.15, `uncorrected rate ${uncorrected / reps} should be inflated`);
  assert.ok(corrected < uncorrected);
});

Deno.test("bootstrap functions reject bad input with a clear message", () => {
  assert.throws(() => bootstrapMean([1], { seed: 0 }), /needs at least 2 values/);
  assert.throws(() => bootstrapMean([1, Number.NaN, 3], { seed: 0 }), /values\[1\] is NaN/);
  assert.throws(
    () => bootstrapMean([1, 2, 3], {} as { seed: number }),
    /pass a seed, e\.g\. \{ seed: 0 \}/,
  );
  assert.throws(() => bootstrapMean([1, 2, 3], { seed: 0, level: 1.5 }), /level must lie/);
  assert.throws(() => bootstrapMean([1, 2, 3], { seed: 0, resamples: 10 }), /resamples must be/);
  assert.throws(
    () => pairedBootstrap([1, 2, 3], [1, 2], { seed: 0 }),
    /same length \(got 3 and 2\)/,
  );
  assert.throws(() => compareVariants([1, 2], {}, { seed: 0 }), /at least one variant/);
  assert.throws(
    () => compareVariants([1, 2], { x: [1, 2, 3] }, { seed: 0 }),
    /variant "x".*same length/,
  );
  assert.throws(
    () => compareVariants([1, 2], { x: [1, 2] }, { seed: 0, correction: "sidak" as "holm" }),
    /correction must be "holm" or "bonferroni"/,
  );
});

Deno.test("too few resamples for the level's ends is an error that says how many to pass", () => {
  // 99.9% with 2000 resamples leaves one resample beyond each end.
  assert.throws(
    () => bootstrapMean([1, 2, 3], { seed: 0, level: 0.999 }),
    /2000 resamples leave 1\.0 beyond each end of a 99\.9% interval; pass resamples ≥ 20000/,
  );
  // Twenty variants widen each interval to 99.75%: the default 2000 resamples are too few.
  const base = [1, 2, 3, 4];
  const many = Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`v${j}`, base]));
  assert.throws(() => compareVariants(base, many, { seed: 0 }), /pass resamples ≥ 8000/);
  assert.equal(compareVariants(base, many, { seed: 0, resamples: 8000 }).variants.length, 20);
});
