import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { cca, pwcca, svcca } from "../../lib/representations/cca.ts";
import { demoFixture, kornblithDemo, orthogonal, randomMatrix } from "./helpers.ts";

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (±${tol})`);

const closeAll = (actual: number[], expected: number[], tol: number, what: string) => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => close(a, expected[i], tol, `${what}[${i}]`));
};

/** Signal shared by x and y in 3 directions, plus 5 weak independent noise directions each. */
function sharedSignal(seed: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const s = randomMatrix(300, 3, seed);
    const x = tf.concat([
      tf.matMul(s, randomMatrix(3, 3, seed + 1)),
      randomMatrix(300, 5, seed + 2).mul(1e-3),
    ], 1);
    const y = tf.concat([
      tf.matMul(s, randomMatrix(3, 3, seed + 3)),
      randomMatrix(300, 5, seed + 4).mul(1e-3),
    ], 1);
    return { x, y };
  });
}

Deno.test("CCA: the demo data's canonical correlations match numpy's QR-based CCA", () => {
  const { x, y } = kornblithDemo();
  const r = cca(x, y);
  closeAll(r.correlations, demoFixture.canonicalCorrelations, 1e-5, "rho");
  const squares = demoFixture.canonicalCorrelations.map((v) => v * v);
  close(r.meanSquared, squares.reduce((a, b) => a + b) / 10, 1e-5, "R²_CCA");
  assert.equal(r.rankX, 10);
  tf.dispose([x, y]);
});

Deno.test("CCA: invariant to any invertible linear map and to scaling; CCA(X, X) is all ones", () => {
  const { x, y } = kornblithDemo();
  const [xa, xq, xs] = tf.tidy(() => [
    tf.matMul(x, randomMatrix(10, 10, 7)),
    tf.matMul(x, orthogonal(10, 8)),
    x.mul(1.337),
  ]);
  const base = cca(x, y).correlations;
  for (const [name, t] of [["invertible", xa], ["orthogonal", xq], ["scaled", xs]] as const) {
    closeAll(cca(t, y).correlations, base, 1e-4, name);
  }
  closeAll(cca(x, xa).correlations, new Array(10).fill(1), 1e-5, "CCA(X, XA)");
  tf.dispose([x, y, xa, xq, xs]);
});

Deno.test("CCA: constant and collinear features drop out of the rank", () => {
  const { x, y } = kornblithDemo();
  const padded = tf.tidy(() =>
    tf.concat([x, tf.fill([100, 1], 4), x.slice([0, 0], [100, 2]).sum(1, true)], 1)
  );
  const r = cca(padded, y);
  assert.equal(r.rankX, 10, "12 columns, 10 dimensions");
  closeAll(r.correlations, cca(x, y).correlations, 1e-5, "same correlations");
  tf.dispose([x, y, padded]);
});

Deno.test("CCA: degenerate inputs are clear errors", () => {
  const x = randomMatrix(12, 6, 1);
  const y = randomMatrix(12, 6, 2);
  assert.throws(() => cca(x, y), /span 6 \+ 6 dimensions in the 11-dimensional space .* forces 1/);
  const few = randomMatrix(12, 3, 3);
  assert.ok(cca(few, few).mean > 0.99999);
  const dead = tf.fill([12, 3], 2);
  assert.throws(() => cca(dead, few), /x does not vary across the examples/);
  const nan = tf.tidy(() => tf.concat([tf.tensor2d([[NaN, 0, 0]]), randomMatrix(11, 3, 4)]));
  assert.throws(() => cca(few, nan), /y holds a non-finite value \(NaN\) at row 0.*not converge/);
  const inf = tf.tidy(() => tf.concat([randomMatrix(11, 3, 5), tf.tensor2d([[0, Infinity, 0]])]));
  assert.throws(
    () => pwcca(inf, few),
    /x holds a non-finite value \(Infinity\) at row 11, column 1/,
  );
  assert.throws(() => svcca(few, few, { dims: 0 }), /dims must be a positive integer/);
  assert.throws(() => svcca(few, few, { varianceKept: 1.5 }), /varianceKept must be in \(0, 1\]/);
  tf.dispose([x, y, few, dead, nan, inf]);
});

Deno.test("SVCCA keeps the signal directions; plain CCA averages in the noise ones", () => {
  const { x, y } = sharedSignal(20);
  const plain = cca(x, y);
  const sv = svcca(x, y, { varianceKept: 0.99 });
  assert.equal(sv.rankX, 3);
  assert.equal(sv.rankY, 3);
  close(sv.mean, 1, 1e-4, "SVCCA on the shared 3-D signal");
  assert.ok(plain.mean < 0.6, `plain CCA mean ${plain.mean} is dragged down by noise`);
  // Keeping every direction is plain CCA.
  closeAll(svcca(x, y, { dims: 8 }).correlations, plain.correlations, 1e-9, "dims = all");
  tf.dispose([x, y]);
});

Deno.test("PWCCA: weights favour the directions that carry the representation", () => {
  const { x, y } = sharedSignal(30);
  const r = pwcca(x, y);
  assert.equal(r.weightedBy, "x");
  close(r.weights.reduce((a, b) => a + b), 1, 1e-12, "weights sum to 1");
  const top3 = r.weights.slice(0, 3).reduce((a, b) => a + b);
  assert.ok(top3 > 0.99, `weight on the 3 signal directions: ${top3}`);
  assert.ok(r.value > 0.99 && r.value > r.mean, `PWCCA ${r.value} vs plain mean ${r.mean}`);
  const rho = r.correlations;
  assert.ok(r.value <= rho[0] + 1e-12 && r.value >= rho[rho.length - 1] - 1e-12);
  // PWCCA(X, XA) = 1 and the smaller representation supplies the weights.
  const [xa, narrow] = tf.tidy(
    () => [tf.matMul(x, randomMatrix(8, 8, 31)), x.slice([0, 0], [300, 4])],
  );
  close(pwcca(x, xa).value, 1, 1e-6, "PWCCA(X, XA)");
  assert.equal(pwcca(x, narrow).weightedBy, "y");
  tf.dispose([x, y, xa, narrow]);
});

Deno.test("CCA, SVCCA, PWCCA: conv activations and no tensor leaks", () => {
  const a = tf.randomNormal([40, 3, 3, 2], 0, 1, "float32", 41);
  const b = tf.randomNormal([40, 3, 3, 2], 0, 1, "float32", 42);
  const before = tf.memory().numTensors;
  assert.throws(() => cca(a, b), /spatial/);
  assert.equal(cca(a, b, { spatial: "pool" }).correlations.length, 2);
  assert.equal(svcca(a, b, { spatial: "flatten", dims: 5 }).correlations.length, 5);
  pwcca(a, b, { spatial: "flatten" });
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([a, b]);
});
