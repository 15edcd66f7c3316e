import assert from "node:assert/strict";
import { Rng } from "../../lib/random/rng.ts";
import { makeDataset } from "../../lib/data/dataset.ts";
import { robustAccuracy } from "../../lib/attacks/mod.ts";
import { affine, assertNoLeak, useCpu } from "./helpers.ts";

await useCpu();

const D = 8;
const N = 40;
const rng = new Rng(5);
const w = Array.from({ length: D }, () => rng.normal());
const b = 0.05;
const model = affine([w.map(() => 0), w], [0, b]);
const pixels = Array.from(
  { length: N },
  () => Array.from({ length: D }, () => 0.5 + 0.08 * rng.normal()),
);
const score = (x: number[]) => x.reduce((s, v, j) => s + v * w[j], b);
// Every 7th label is wrong, so clean accuracy is below 1.
const labels = pixels.map((x, i) => (score(x) > 0 ? 1 : 0) ^ (i % 7 === 0 ? 1 : 0));
const ds = makeDataset({
  name: "affine-toy",
  shape: [2, 2, 2],
  x: Float32Array.from(pixels.flat()),
  labels: Int32Array.from(labels),
  numClasses: 2,
});

/** Fraction still correct when every example can move `eps` (in the dual norm's metric). */
function analyticAccuracy(eps: number, dualNorm: number): number {
  let correct = 0;
  pixels.forEach((x, i) => {
    const right = (score(x) > 0 ? 1 : 0) === labels[i];
    if (right && Math.abs(score(x)) / dualNorm > eps) correct += 1;
  });
  return correct / N;
}

Deno.test("robust accuracy of an affine model matches its analytic margins (L2 and L∞)", async () => {
  const epsilons = [0, 0.01, 0.03, 0.08];
  const cases = [
    { norm: "l2" as const, dual: Math.hypot(...w) },
    { norm: "linf" as const, dual: w.reduce((s, v) => s + Math.abs(v), 0) },
  ];
  for (const { norm, dual } of cases) {
    const rows = await robustAccuracy(model, ds, {
      norm,
      epsilons,
      steps: 20,
      randomStart: false,
      batchSize: 16,
    });
    const clean = analyticAccuracy(0, dual);
    rows.forEach((row, e) => {
      assert.equal(row.eps, epsilons[e]);
      assert.equal(
        row.accuracy,
        analyticAccuracy(epsilons[e], dual),
        `${norm} eps ${epsilons[e]}`,
      );
      assert.equal(row.cleanAccuracy, clean);
      assert.ok(
        Math.abs(row.attackSuccess - (clean - row.accuracy) / clean) < 1e-12,
      );
    });
    // The sweep is not degenerate: accuracy actually falls with eps.
    assert.ok(rows[3].accuracy < rows[0].accuracy);
  }
});

Deno.test("each record carries the attack configuration", async () => {
  const rows = await robustAccuracy(model, ds, {
    norm: "l2",
    epsilons: [0, 0.1],
    seed: 3,
    steps: 5,
  });
  assert.deepEqual(rows[1], {
    ...rows[1],
    dataset: "affine-toy",
    n: N,
    norm: "l2",
    eps: 0.1,
    attack: "pgd",
    steps: 5,
    stepSize: 0.05,
    loss: "crossEntropy",
    randomStart: true,
    restarts: 1,
    seed: 3,
  });
  assert.equal(rows[0].attack, "none");
  assert.equal(rows[0].steps, 0);
});

Deno.test("the sweep is seeded, reports progress and leaks no tensors", async () => {
  const calls: [number, number][] = [];
  const run = () =>
    robustAccuracy(model, ds, {
      norm: "linf",
      epsilons: [0.02, 0.05],
      steps: 3,
      restarts: 2,
      batchSize: 16,
      seed: 1,
      onProgress: (done, total) => {
        calls.push([done, total]);
      },
    });
  let first: Awaited<ReturnType<typeof run>> = [];
  await assertNoLeak(async () => {
    first = await run();
  });
  assert.deepEqual(await run(), first);
  // 3 batches × 2 radii, twice.
  assert.equal(calls.length, 12);
  assert.deepEqual(calls[5], [6, 6]);
});

Deno.test("a bad sweep is rejected before any attack runs", async () => {
  await assert.rejects(
    () => robustAccuracy(model, ds, { norm: "l2", epsilons: [0.1, -1] }),
    /eps must be a finite number >= 0, got -1/,
  );
  await assert.rejects(
    () => robustAccuracy(model, ds, { norm: "l2", epsilons: [] }),
    /epsilons is empty/,
  );
  await assert.rejects(
    () => robustAccuracy(model, ds, { norm: "l2", epsilons: [0.1], steps: 0 }),
    /steps must be an integer >= 1/,
  );
});
