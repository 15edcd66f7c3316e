import assert from "node:assert/strict";
import { pearson } from "../../../lib/stats/mod.ts";
import { transferTracksDRand } from "../../../lib/studies/non_robust_features/mod.ts";

const n = 200;
/** Flags with a 1 on the first `k` of `n` items. */
const firstOnes = (k: number) => Uint8Array.from({ length: n }, (_, i) => (i < k ? 1 : 0));
const everything = firstOnes(n);

Deno.test("transferTracksDRand: rates per architecture and their correlation with an interval", () => {
  // Architectures that learn more from D_rand are fooled more often.
  const points = [[40, 30], [100, 70], [160, 120], [180, 150]].map(([learns, fooled]) => ({
    clean: everything,
    fooled: firstOnes(fooled),
    learnsDRand: firstOnes(learns),
  }));
  const r = transferTracksDRand(points, { seed: 0, resamples: 500 });
  assert.deepEqual(r.dRandAccuracy, [0.2, 0.5, 0.8, 0.9]);
  assert.deepEqual(r.transferRate, [0.15, 0.35, 0.6, 0.75]);
  assert.equal(r.correlation.value, pearson(r.dRandAccuracy, r.transferRate));
  assert.ok(r.correlation.value > 0.95);
  assert.ok(r.correlation.lower <= r.correlation.value && r.correlation.upper <= 1);
  assert.ok(r.correlation.lower > 0.5, `lower ${r.correlation.lower}`);
  assert.equal(r.correlation.n, n);
  // Seeded: the same call gives the same interval.
  assert.deepEqual(transferTracksDRand(points, { seed: 0, resamples: 500 }), r);
});

Deno.test("transferTracksDRand: the rate counts only items the target got right when clean", () => {
  const clean = firstOnes(100);
  const points = [10, 20, 30].map((k) => ({
    clean,
    fooled: firstOnes(k),
    learnsDRand: firstOnes(2 * k),
  }));
  assert.deepEqual(transferTracksDRand(points, { seed: 1, resamples: 400 }).transferRate, [
    0.1,
    0.2,
    0.3,
  ]);
});

Deno.test("transferTracksDRand rejects fewer than three architectures and mismatched items", () => {
  const p = { clean: everything, fooled: everything, learnsDRand: everything };
  assert.throws(() => transferTracksDRand([p, p], { seed: 0 }), /at least 3, got 2/);
  const short = { ...p, fooled: firstOnes(5).subarray(0, 5) };
  assert.throws(() => transferTracksDRand([p, p, short], { seed: 0 }), /same test items/);
});
