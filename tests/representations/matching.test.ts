import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/mod.ts";
import { bestMatches, correlationMatrix, matchUnits } from "../../lib/representations/matching.ts";
import { randomMatrix } from "./helpers.ts";

/** y's unit j is x's unit perm[j], scaled and shifted per unit (correlation is blind to both). */
function permutedCopy(x: tf.Tensor2D, perm: number[], seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const cols = tf.gather(x, perm, 1);
    const scale = tf.randomUniform([1, perm.length], 0.5, 3, "float32", seed);
    return cols.mul(scale).add(tf.randomNormal([1, perm.length], 0, 5, "float32", seed + 1));
  });
}

Deno.test("matching: a permuted copy of a layer is matched exactly, with correlation 1", () => {
  const x = randomMatrix(200, 16, 1);
  const perm = Array.from(new Rng(2).permutation(16));
  const y = permutedCopy(x, perm, 3);
  const m = matchUnits(correlationMatrix(x, y));
  perm.forEach((a, b) => {
    assert.equal(m.bOfA[a], b, `x unit ${a} ↔ y unit ${b}`);
    assert.equal(m.aOfB[b], a);
  });
  assert.ok(Math.abs(m.meanSimilarity - 1) < 1e-5, `mean similarity ${m.meanSimilarity}`);
  assert.deepEqual(m.pairs.map((p) => p.a), [...Array(16).keys()], "pairs ordered by a");
  tf.dispose([x, y]);
});

Deno.test("matching: a noisy permuted copy is still matched exactly; best matches agree", () => {
  const x = randomMatrix(300, 10, 11);
  const perm = Array.from(new Rng(12).permutation(10));
  const y = tf.tidy(() => permutedCopy(x, perm, 13).add(randomMatrix(300, 10, 14).mul(0.5)));
  const r = correlationMatrix(x, y);
  const m = matchUnits(r);
  perm.forEach((a, b) => assert.equal(m.bOfA[a], b));
  assert.deepEqual(bestMatches(r).b, perm.map((_, a) => perm.indexOf(a)));
  tf.dispose([x, y]);
});

Deno.test("matchUnits maximises the total, unlike greedy matching", () => {
  const m = matchUnits([[0.9, 0.8], [0.85, 0.1]]);
  assert.deepEqual(m.bOfA, [1, 0]);
  assert.equal(m.meanSimilarity, (0.8 + 0.85) / 2);
  const semi = bestMatches([[0.9, 0.8], [0.85, 0.1]]);
  assert.deepEqual(semi, { b: [0, 0], similarity: [0.9, 0.85] });
  // Negative similarities (anti-correlated units) are fine: the optimum is the same.
  assert.deepEqual(matchUnits([[-0.5, -0.9], [-0.1, -0.2]]).bOfA, [0, 1]);
});

Deno.test("matchUnits: rectangular similarity matrices, e.g. |cos| of weight vectors", () => {
  // 3 units of A, 2 of B: A's unit 1 is left over.
  const wide = matchUnits([[0.1, 0.9], [0.2, 0.3], [0.8, 0.4]]);
  assert.deepEqual(wide.bOfA, [1, -1, 0]);
  assert.deepEqual(wide.aOfB, [2, 0]);
  assert.equal(wide.pairs.length, 2);
  const tall = matchUnits([[0.1, 0.2, 0.95]]);
  assert.deepEqual(tall.bOfA, [2]);
  assert.deepEqual(tall.aOfB, [-1, -1, 0]);
});

Deno.test("correlationMatrix: values, dead units, conv layers", () => {
  const x = randomMatrix(100, 4, 21);
  const dead = tf.tidy(() => tf.concat([x.slice([0, 0], [100, 3]), tf.fill([100, 1], 2.5)], 1));
  const r = correlationMatrix(x, tf.neg(x));
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(r[i][i] + 1) < 1e-6, `r[${i}][${i}] = −1`);
  const rd = correlationMatrix(dead, x);
  assert.deepEqual(rd[3], [0, 0, 0, 0], "a dead unit correlates 0 with everything");
  assert.ok(Math.abs(rd[0][0] - 1) < 1e-6);
  const conv = tf.randomNormal([30, 2, 2, 3], 0, 1, "float32", 22);
  assert.throws(() => correlationMatrix(conv, conv), /spatial/);
  assert.equal(correlationMatrix(conv, conv, { spatial: "pool" }).length, 3);
  assert.equal(correlationMatrix(conv, conv, { spatial: "flatten" }).length, 12);
  tf.dispose([x, dead, conv]);
});

Deno.test("matching: bad input is a clear error; no tensor leaks", () => {
  assert.throws(() => matchUnits([]), /non-empty matrix/);
  assert.throws(() => matchUnits([[1, 2], [3]]), /row 1 has 1/);
  assert.throws(() => matchUnits([[1, NaN]]), /similarity\[0\]\[1\] is NaN/);
  assert.throws(() => bestMatches([[]]), /no columns/);
  const x = randomMatrix(20, 3, 31);
  const bad = tf.tensor2d([[Infinity, 0, 0], ...Array.from({ length: 19 }, (_, i) => [i, 1, 2])]);
  const before = tf.memory().numTensors;
  correlationMatrix(x, x);
  assert.throws(() => correlationMatrix(x, bad), /NaN or ±Infinity/);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, bad]);
});
