import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { debiasedLinearCka, linearCka, rbfCka } from "../../lib/representations/cka.ts";
import { activationMatrix } from "../../lib/representations/activations.ts";
import { kornblithDemo, orthogonal, randomMatrix } from "./helpers.ts";

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (±${tol})`);

Deno.test("CKA: Kornblith et al.'s demo values (numpy seed 1337)", () => {
  const { x, y } = kornblithDemo();
  // The demo prints five decimals; float32 products add about 1e-6.
  close(linearCka(x, y), 0.55761, 1e-5, "linear CKA");
  close(rbfCka(x, y, 0.5), 0.65483, 1e-5, "RBF CKA (threshold 0.5)");
  close(debiasedLinearCka(x, y), 0.51346, 1e-5, "debiased linear CKA");
  tf.dispose([x, y]);
});

Deno.test("CKA: the example-space path (more features than examples) agrees with feature space", () => {
  const x = randomMatrix(12, 40, 3);
  const y = tf.tidy(() => x.add(randomMatrix(12, 40, 4)));
  // Same statistics computed by hand in feature space from the definition.
  const k = tf.tidy(() => {
    const xc = x.sub(x.mean(0));
    const yc = y.sub(y.mean(0));
    const cross = tf.matMul(xc, yc, true).square().sum();
    const xx = tf.matMul(xc, xc, true).square().sum();
    const yy = tf.matMul(yc, yc, true).square().sum();
    return cross.div(xx.mul(yy).sqrt());
  });
  close(linearCka(x, y), k.dataSync()[0], 1e-5, "linear CKA, n < features");
  tf.dispose([x, y, k]);
});

Deno.test("CKA(X, X) = 1 for every variant", () => {
  const x = randomMatrix(50, 8, 5);
  close(linearCka(x, x), 1, 1e-6, "linear");
  close(rbfCka(x, x, 1), 1, 1e-9, "rbf");
  close(debiasedLinearCka(x, x), 1, 1e-6, "debiased");
  x.dispose();
});

Deno.test("CKA: invariant to orthogonal transforms and isotropic scaling, not to other maps", () => {
  const { x, y } = kornblithDemo();
  const q = orthogonal(10, 11);
  const [xq, xs, xa] = tf.tidy(() => [
    tf.matMul(x, q),
    x.mul(1.337),
    tf.matMul(x, randomMatrix(10, 10, 12)),
  ]);
  const base = linearCka(x, y);
  close(linearCka(xq, y), base, 1e-5, "linear, orthogonal");
  close(linearCka(xs, y), base, 1e-5, "linear, scaled");
  assert.ok(Math.abs(linearCka(xa, y) - base) > 1e-2, "a general linear map changes CKA");
  const rbf = rbfCka(x, y, 0.5);
  close(rbfCka(xq, y, 0.5), rbf, 1e-5, "rbf, orthogonal");
  close(rbfCka(xs, y, 0.5), rbf, 1e-5, "rbf, scaled");
  const deb = debiasedLinearCka(x, y);
  close(debiasedLinearCka(xq, y), deb, 1e-5, "debiased, orthogonal");
  close(debiasedLinearCka(xs, y), deb, 1e-5, "debiased, scaled");
  tf.dispose([x, y, q, xq, xs, xa]);
});

Deno.test("CKA: debiasing removes the small-sample bias of independent representations", () => {
  const x = randomMatrix(20, 50, 21);
  const y = randomMatrix(20, 50, 22);
  assert.ok(linearCka(x, y) > 0.5, "biased CKA of independent data on 20 examples is large");
  assert.ok(Math.abs(debiasedLinearCka(x, y)) < 0.1, "debiased CKA is near 0");
  tf.dispose([x, y]);
});

Deno.test("CKA of conv layers: flatten and pool are explicit, and differ", () => {
  const a = tf.randomNormal([16, 4, 4, 3], 0, 1, "float32", 31) as tf.Tensor4D;
  const b = tf.tidy(() => a.add(tf.randomNormal([16, 4, 4, 3], 0, 1, "float32", 32)));
  assert.throws(() => linearCka(a, b), /spatial: "flatten".*spatial: "pool"/);
  const flat = linearCka(a, b, { spatial: "flatten" });
  const pooled = linearCka(a, b, { spatial: "pool" });
  const [fa, fb, pa, pb] = tf.tidy(() => [
    activationMatrix(a, "flatten"),
    activationMatrix(b, "flatten"),
    activationMatrix(a, "pool"),
    activationMatrix(b, "pool"),
  ]);
  assert.deepEqual(fa.shape, [16, 48]);
  assert.deepEqual(pa.shape, [16, 3]);
  close(flat, linearCka(fa, fb), 1e-9, "flatten = the flattened matrix");
  close(pooled, linearCka(pa, pb), 1e-9, "pool = the channel means");
  assert.notEqual(flat.toFixed(4), pooled.toFixed(4));
  tf.dispose([a, b, fa, fb, pa, pb]);
});

Deno.test("CKA: constant features are removed by centring; a constant representation is an error", () => {
  const x = randomMatrix(30, 5, 41);
  const y = randomMatrix(30, 5, 42);
  const xc = tf.tidy(() => tf.concat([x, tf.fill([30, 2], 7.5)], 1));
  close(linearCka(xc, y), linearCka(x, y), 1e-6, "extra constant columns");
  close(debiasedLinearCka(xc, y), debiasedLinearCka(x, y), 1e-6, "debiased, constant columns");
  const dead = tf.fill([30, 5], 3.25);
  for (const f of [linearCka, debiasedLinearCka]) {
    assert.throws(() => f(dead, y), /x does not vary across the examples/);
    assert.throws(() => f(x, dead), /y does not vary across the examples/);
  }
  assert.throws(() => rbfCka(dead, y, 0.5), /median squared distance .* of x is 0/);
  tf.dispose([x, y, xc, dead]);
});

Deno.test("CKA: small batches — an error below the minimum, never NaN", () => {
  const x = randomMatrix(3, 4, 51);
  const y = randomMatrix(3, 4, 52);
  assert.throws(() => debiasedLinearCka(x, y), /at least 4 examples, got 3/);
  assert.ok(Number.isFinite(linearCka(x, y)), "biased CKA is defined from 2 examples");
  const one = randomMatrix(1, 4, 53);
  assert.throws(() => linearCka(one, one), /at least 2 examples, got 1/);
  tf.dispose([x, y, one]);
});

Deno.test("debiased CKA: a zero HSIC(X, X) estimate is an error; a negative cross term is returned", () => {
  // Three equal examples and one apart: the U-statistic of ‖Σ‖² is exactly 0 (a sum of squares
  // of the U-centred Gram matrix, all of whose off-diagonal entries vanish here).
  const x = tf.tensor2d([[0], [0], [0], [1]]);
  const y = randomMatrix(4, 3, 61);
  assert.throws(
    () => debiasedLinearCka(x, y),
    /unbiased estimate of HSIC\(x, x\) is 0\.00 \(≤ 0\)/,
  );
  // Independent representations: the debiased estimate straddles 0; a negative one is returned.
  let negative: number | undefined;
  for (let seed = 70; seed < 90 && negative === undefined; seed++) {
    const a = randomMatrix(10, 3, seed);
    const b = randomMatrix(10, 3, seed + 100);
    const v = debiasedLinearCka(a, b);
    if (v < 0) negative = v;
    tf.dispose([a, b]);
  }
  assert.ok(negative !== undefined && negative > -1, "a negative debiased CKA is returned as is");
  tf.dispose([x, y]);
});

Deno.test("CKA: non-finite activations and bad arguments are clear errors", () => {
  const x = randomMatrix(10, 3, 81);
  const bad = tf.tensor2d([[NaN, 1, 2], ...Array.from({ length: 9 }, () => [1, 2, 3])]);
  assert.throws(() => linearCka(bad, x), /NaN or ±Infinity/);
  assert.throws(() => debiasedLinearCka(x, bad), /NaN or ±Infinity/);
  assert.throws(() => rbfCka(bad, x, 0.5), /x holds NaN or ±Infinity/);
  assert.throws(() => rbfCka(x, x, 0), /threshold .* must be a positive number, got 0/);
  const other = randomMatrix(11, 3, 82);
  assert.throws(() => linearCka(x, other), /same examples \(rows\), got 10 and 11/);
  assert.throws(() => linearCka(tf.zeros([10]), x), /got shape \[10\]/);
  tf.dispose([x, bad, other]);
});

Deno.test("CKA: no tensor leaks", () => {
  const x = randomMatrix(20, 6, 91);
  const y = randomMatrix(20, 6, 92);
  const conv = tf.randomNormal([20, 3, 3, 2], 0, 1, "float32", 93);
  const wide = randomMatrix(20, 60, 94);
  const dead = tf.fill([20, 2], 1);
  const before = tf.memory().numTensors;
  linearCka(x, y);
  linearCka(x, wide);
  rbfCka(x, y, 0.5);
  debiasedLinearCka(x, y);
  linearCka(conv, conv, { spatial: "pool" });
  rbfCka(conv, x, 1, { spatial: "flatten" });
  assert.throws(() => debiasedLinearCka(dead, y));
  assert.throws(() => rbfCka(x, dead, 1));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, y, conv, wide, dead]);
});
