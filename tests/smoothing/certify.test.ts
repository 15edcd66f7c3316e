import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import {
  ABSTAIN,
  certifiedAccuracy,
  certify,
  clopperPearsonLower,
  normalQuantile,
  predict,
  sampleNoise,
} from "../../lib/smoothing/mod.ts";
import { assertNoLeak, useCpu } from "../attacks/helpers.ts";
import { constantModel, halfSpaceModel, smoothNet } from "./helpers.ts";

await useCpu();

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected}, got ${actual} (tolerance ${tol})`,
  );
}

/** Φ(t), for the expected vote of the half-space model (Abramowitz–Stegun 7.1.26 is too coarse). */
function normalCdf(t: number): number {
  // Bisection on the library's Φ⁻¹, accurate to 1e-12: enough for a 4-σ binomial band.
  let lo = 1e-15, hi = 1 - 1e-15;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalQuantile(mid) < t) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

Deno.test("the re-exported bound and quantile give scipy's values", () => {
  // scipy 1.17: beta.ppf(alpha, nA, n - nA + 1) and norm.ppf of it.
  const cases: [number, number, number, number, number][] = [
    [990, 1000, 0.001, 0.9760361871553114, 1.9780095821411994],
    [9500, 10000, 0.001, 0.942908610944434, 1.5796686088051264],
    [60, 100, 0.05, 0.5129758202538943, 0.032531294921923276],
  ];
  for (const [nA, n, alpha, bound, quantile] of cases) {
    close(clopperPearsonLower(nA, n, alpha), bound, 1e-12, `bound(${nA}/${n})`);
    close(normalQuantile(bound), quantile, 1e-9, `Φ⁻¹(bound(${nA}/${n}))`);
  }
  // All n samples on one class: the bound is α^{1/n} in closed form.
  for (const n of [1, 100, 100_000]) {
    close(clopperPearsonLower(n, n, 0.001), 0.001 ** (1 / n), 1e-12, `bound(${n}/${n})`);
  }
  close(normalQuantile(0.5), 0, 0, "Φ⁻¹(1/2)");
  close(normalQuantile(0.975), 1.959963984540054, 1e-12, "Φ⁻¹(0.975)");
});

Deno.test("certify on a constant model gives the largest radius n samples allow", async () => {
  const x = tf.fill([4, 4, 1], 0.3) as tf.Tensor3D;
  await assertNoLeak(async () => {
    for (const [sigma, n] of [[0.25, 100], [0.5, 1000], [1, 250]]) {
      const cert = await certify(constantModel(7), x, {
        sigma,
        n0: 10,
        n,
        alpha: 0.001,
        seed: 3,
        batchSize: 64,
      });
      assert.equal(cert.prediction, 7);
      assert.equal(cert.nA, n);
      close(cert.pABar, 0.001 ** (1 / n), 1e-12, "p̲_A");
      close(cert.radius, sigma * normalQuantile(0.001 ** (1 / n)), 1e-12, `radius at n=${n}`);
    }
  });
  x.dispose();
});

Deno.test("certify's radius never exceeds σ·Φ⁻¹(α^{1/n})", async () => {
  // Every count: the bound is increasing in nA, so nA = n is the largest.
  for (const n of [1, 7, 50]) {
    const cap = 0.01 ** (1 / n);
    for (let nA = 0; nA <= n; nA++) {
      assert.ok(clopperPearsonLower(nA, n, 0.01) <= cap + 1e-15, `bound(${nA}/${n}) > α^{1/n}`);
    }
  }
  // And certificates of real (if tiny) networks at several images and noise levels.
  for (const seed of [0, 1, 2]) {
    const f = smoothNet(seed);
    for (const sigma of [0.1, 0.5]) {
      const x = tf.randomUniform([4, 4, 1], 0, 1, "float32", seed) as tf.Tensor3D;
      const n = 200, alpha = 0.01;
      const cert = await certify(f, x, { sigma, n0: 20, n, alpha, seed });
      x.dispose();
      assert.ok(cert.radius <= sigma * normalQuantile(alpha ** (1 / n)) + 1e-12);
      assert.ok(cert.radius >= 0);
      if (cert.prediction === ABSTAIN) assert.equal(cert.radius, 0);
    }
  }
});

Deno.test("predict abstains on a model that splits its vote and decides a clear one", async () => {
  const x = tf.fill([1, 4, 4, 1], 0.5) as tf.Tensor4D;
  await assertNoLeak(async () => {
    const opts = { sigma: 0.5, n: 1000, alpha: 0.001, batchSize: 128 };
    for (const seed of [0, 1, 2, 3]) {
      assert.equal(await predict(halfSpaceModel(0.5), x, { ...opts, seed }), ABSTAIN);
      assert.equal(await predict(constantModel(2), x, { ...opts, seed }), 2);
    }
    // Certify abstains too: half the votes cannot bound p_A above 1/2.
    const cert = await certify(halfSpaceModel(0.5), x, { ...opts, n0: 50, seed: 0 });
    assert.equal(cert.prediction, ABSTAIN);
    assert.equal(cert.radius, 0);
    assert.ok(cert.pABar < 0.5);
  });
  x.dispose();
});

Deno.test("sampleNoise draws N(0, σ²I): the half-space vote matches Φ", async () => {
  // x sits 0.1 above the boundary in each of 16 pixels: w·(x − c) = 1.6, ‖w‖σ = 4σ.
  const x = tf.fill([4, 4, 1], 0.6) as tf.Tensor3D;
  for (const sigma of [0.25, 0.8]) {
    const num = 4000;
    const counts = await sampleNoise(halfSpaceModel(0.5), x, num, {
      sigma,
      seed: 11,
      batchSize: 300, // does not divide num: the last batch is partial
    });
    assert.equal(counts[0] + counts[1], num);
    const p = normalCdf(1.6 / (4 * sigma));
    const sd = Math.sqrt(p * (1 - p) / num);
    assert.ok(
      Math.abs(counts[0] / num - p) < 4 * sd,
      `σ=${sigma}: share ${counts[0] / num}, expected ${p} ± ${4 * sd}`,
    );
  }
  x.dispose();
});

Deno.test("sampling is a function of the seed", async () => {
  const x = tf.fill([4, 4, 1], 0.5) as tf.Tensor3D;
  const f = halfSpaceModel(0.5);
  const draw = (seed: number, batchSize = 100) =>
    sampleNoise(f, x, 500, { sigma: 0.3, seed, batchSize });
  assert.deepEqual(await draw(5), await draw(5));
  assert.notDeepEqual(await draw(5), await draw(6));
  const a = await certify(f, x, { sigma: 0.3, n0: 20, n: 300, alpha: 0.01, seed: 9 });
  const b = await certify(f, x, { sigma: 0.3, n0: 20, n: 300, alpha: 0.01, seed: 9 });
  assert.deepEqual(a, b);
  x.dispose();
});

Deno.test("certifiedAccuracy counts right predictions with radius at least r", () => {
  const certs = [
    { prediction: 1, radius: 0.6, guess: 1, nA: 0, pABar: 0 },
    { prediction: 2, radius: 0.2, guess: 2, nA: 0, pABar: 0 },
    { prediction: ABSTAIN, radius: 0, guess: 0, nA: 0, pABar: 0 },
    { prediction: 3, radius: 0.9, guess: 3, nA: 0, pABar: 0 },
  ];
  assert.deepEqual(certifiedAccuracy(certs, [1, 2, 0, 0], [0, 0.25, 0.5, 1]), [0.5, 0.25, 0.25, 0]);
  assert.throws(() => certifiedAccuracy(certs, [1, 2], [0]), /one label per certificate/);
});

Deno.test("bad input gets errors that name the fix", async () => {
  const batch = tf.zeros([2, 4, 4, 1]);
  const image = tf.zeros([4, 4, 1]);
  const f = constantModel(0);
  const base = { sigma: 0.25, n0: 10, n: 10, alpha: 0.01, seed: 0 };
  await assert.rejects(certify(f, batch, base), /one image at a time/);
  await assert.rejects(certify(f, image, { ...base, sigma: 0 }), /sigma/);
  await assert.rejects(certify(f, image, { ...base, alpha: 1 }), /alpha must lie in \(0, 1\)/);
  await assert.rejects(certify(f, image, { ...base, n: 0 }), /n must be an integer >= 1/);
  await assert.rejects(predict(f, image, { ...base, batchSize: 0 }), /batchSize/);
  await assert.rejects(predict(f, image, { ...base, seed: NaN }), /seed/);
  const flat = (x: tf.Tensor4D) => tf.reshape(x, [-1]) as unknown as tf.Tensor2D;
  await assertNoLeak(() => assert.rejects(certify(flat, image, base), /logits/));
  tf.dispose([batch, image]);
});
