import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/mod.ts";
import { sparseLinearTask } from "../../lib/data/sparse_coding.ts";
import {
  absCosines,
  basisCoefficients,
  basisConcentration,
  cosineMatrix,
  effectiveRank,
  layerNeurons,
  matchNeurons,
  neuronMatrix,
  neuronsOf,
  purification,
  randomAbsCosineMean,
  row,
  singularValues,
  updateSpectrum,
} from "../../lib/weights/mod.ts";
import { symmetricNet } from "../../lib/models/symmetric.ts";

await tf.setBackend("cpu");

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tolerance ${tol})`);

const d = 16;
const M = neuronMatrix(d, d, sparseLinearTask({ seed: 2, d }).dictionary);
const atom = (j: number) => M.data.slice(j * d, (j + 1) * d);

Deno.test("basis analysis: a pure atom has share 1 and participation 1", () => {
  const w = neuronMatrix(1, d, atom(5).map((v) => 3 * v));
  const c = basisCoefficients(w, M);
  close(c.data[5], 3, 1e-5);
  const { topAtom, topShare, participation } = basisConcentration(c);
  assert.equal(topAtom[0], 5);
  close(topShare[0], 1, 1e-6);
  close(participation[0], 1, 1e-6);
});

Deno.test("basis analysis: an atom plus a known mixture gives the share and participation in closed form", () => {
  // w = 2 m_3 + 0.5 (m_0 + m_1 + m_2 + m_4): energies 4 and 4 × 0.25.
  const w = atom(3).map((v, q) =>
    2 * v + 0.5 * (atom(0)[q] + atom(1)[q] + atom(2)[q] + atom(4)[q])
  );
  const { topAtom, topShare, participation } = basisConcentration(
    basisCoefficients(neuronMatrix(1, d, w), M),
  );
  assert.equal(topAtom[0], 3);
  close(topShare[0], 4 / 5, 1e-5);
  close(participation[0], 25 / (16 + 4 * 0.0625), 1e-4);
});

Deno.test("purification: a pure feature is fully dominant; feature + known mixture splits as w = βw' + v", () => {
  const wPrime = atom(7);
  // Pure: w = 2 w' → β = 2, v = 0.
  const pure = purification(
    neuronMatrix(1, d, wPrime.map((v) => 2 * v)),
    neuronMatrix(1, d, wPrime),
  );
  close(pure.beta[0], 2, 1e-5);
  close(pure.residualNorm[0], 0, 1e-5);
  assert.equal(pure.dominant[0], 1);
  // w = 1.5 w' + v with v = a·m_1 + b·m_2 ⟂ w', ‖v‖ = hypot(a, b); two cases either side of 1/√2.
  for (const [a, b, dominant] of [[0.6, 0.8, 1], [1.2, 1.6, 0]] as const) {
    const w = wPrime.map((v, q) => 1.5 * v + a * atom(1)[q] + b * atom(2)[q]);
    const p = purification(neuronMatrix(1, d, w), neuronMatrix(1, d, wPrime));
    close(p.beta[0], 1.5, 1e-5);
    close(p.featureNorm[0], 1.5, 1e-5);
    close(p.residualNorm[0], Math.hypot(a, b), 1e-5);
    close(p.cos[0], 1.5 / Math.hypot(1.5, Math.hypot(a, b)), 1e-5);
    assert.equal(p.dominant[0], dominant);
    assert.equal(p.dominant[0], Math.abs(p.cos[0]) > Math.SQRT1_2 ? 1 : 0);
  }
  assert.throws(
    () => purification(neuronMatrix(1, d, wPrime), neuronMatrix(2, d / 2, wPrime)),
    /differ in shape \(1×16 vs 2×8\)/,
  );
});

Deno.test("randomAbsCosineMean: closed forms and the Monte Carlo mean of random pairs", () => {
  close(randomAbsCosineMean(1), 1, 1e-12);
  close(randomAbsCosineMean(2), 2 / Math.PI, 1e-12);
  close(randomAbsCosineMean(3), 0.5, 1e-12);
  close(randomAbsCosineMean(400), Math.sqrt(2 / (Math.PI * 400)), 1e-4);
  const rng = new Rng(0);
  const n = 4000, dim = 20;
  const draw = () => new Float32Array(n * dim).map(() => rng.normal());
  const c = absCosines(neuronMatrix(n, dim, draw()), neuronMatrix(n, dim, draw()));
  const mean = c.reduce((s, v) => s + v, 0) / n;
  // sd of the mean ≈ 0.13 / √4000 ≈ 0.002.
  close(mean, randomAbsCosineMean(dim), 0.01);
});

Deno.test("singular values and effective rank: known matrices; a rank-one change stands out from its baseline", () => {
  assert.deepEqual(Array.from(singularValues(neuronMatrix(2, 2, new Float32Array([3, 0, 0, 4])))), [
    4,
    3,
  ]);
  close(effectiveRank([2, 2, 2, 2]), 4, 1e-12);
  close(effectiveRank([5, 0, 0]), 1, 1e-12);
  const rng = new Rng(1);
  const rows = 12;
  const w = neuronMatrix(rows, d, new Float32Array(rows * d).map(() => rng.normal()));
  // w' = w + u_i · m_0: every neuron moves along the same atom.
  const wPrime = neuronMatrix(
    rows,
    d,
    w.data.map((v, idx) => v + (1 + (Math.floor(idx / d) % 3)) * atom(0)[idx % d]),
  );
  const s = updateSpectrum(w, wPrime, { seed: 0, draws: 3 });
  close(s.effectiveRank, 1, 1e-3);
  close(s.topShare, 1, 1e-6);
  // The change is along m_0 in every row: the top direction is ±m_0.
  close(
    Math.abs(Array.from(atom(0)).reduce((acc, v, q) => acc + v * s.topDirection[q], 0)),
    1,
    1e-5,
  );
  assert.equal(s.baseline.length, 3);
  assert.ok(s.baseline.every((b) => b > 5), `baseline ${s.baseline}`);
  assert.deepEqual(updateSpectrum(w, wPrime, { seed: 0, draws: 3 }).baseline, s.baseline);
});

Deno.test("neuronsOf: dense and conv kernels give one row per output neuron; no tensors leak", () => {
  const dense = tf.tensor2d([[1, 2, 3], [4, 5, 6]]); // [in 2, out 3]
  const conv = tf.tensor4d(Array.from({ length: 2 * 2 * 1 * 3 }, (_, i) => i), [2, 2, 1, 3]);
  const before = tf.memory().numTensors;
  const a = neuronsOf(dense);
  assert.deepEqual([a.rows, a.cols, Array.from(a.data)], [3, 2, [1, 4, 2, 5, 3, 6]]);
  const f = neuronsOf(conv);
  assert.deepEqual([f.rows, f.cols], [3, 4]);
  assert.deepEqual(Array.from(f.data.subarray(4, 8)), [1, 4, 7, 10]); // filter 1, taps in order
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => neuronsOf(tf.tensor1d([1, 2])), /rank >= 2/);
  tf.dispose([dense, conv]);
});

Deno.test("layerNeurons: the symmetric net's hidden kernel, one row per pair; unknown layer named", () => {
  const net = symmetricNet({ seed: 0, inputShape: [1, 8, 1], width: 5 });
  const before = tf.memory().numTensors;
  const w = layerNeurons(net, "hidden");
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual([w.rows, w.cols], [5, 8]);
  const kernel = net.getLayer("hidden").getWeights()[0].arraySync() as number[][];
  close(w.data[2 * 8 + 3], kernel[3][2], 0);
  assert.throws(
    () => layerNeurons(net, "conv1"),
    /no layer "conv1"; its layers are input, flatten, hidden/,
  );
  net.dispose();
});

Deno.test("matchNeurons: a permuted, rescaled and sign-flipped copy is matched exactly", () => {
  const rng = new Rng(5);
  const rows = 9;
  const a = neuronMatrix(rows, d, new Float32Array(rows * d).map(() => rng.normal()));
  const perm = rng.permutation(rows);
  const b = neuronMatrix(rows, d, new Float32Array(rows * d));
  perm.forEach((to, from) =>
    b.data.set(row(a, from).map((v) => (from % 2 ? -2 : 0.5) * v), to * d)
  );
  const m = matchNeurons(a, b);
  assert.deepEqual(m.bOfA, Array.from(perm));
  close(m.meanSimilarity, 1, 1e-6);
  const s = cosineMatrix(a, b);
  assert.equal(s.length, rows);
  close(s[0][perm[0]], 1, 1e-6);
  assert.throws(() => cosineMatrix(a, neuronMatrix(1, 2, new Float32Array(2))), /one input space/);
});
