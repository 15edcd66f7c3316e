import assert from "node:assert/strict";
import { sparseCodingTask, sparseLinearTask } from "../../lib/data/sparse_coding.ts";

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

Deno.test("sparseCodingTask: unit-norm atoms, seeded, no cue by default", () => {
  const task = sparseCodingTask({ seed: 1, side: 8, backgroundAtoms: 5 });
  assert.equal(task.atoms, 10 * 2 + 5);
  assert.equal(task.dictionary.length, task.atoms * 64);
  for (let a = 0; a < task.atoms; a++) {
    const row = task.dictionary.subarray(a * 64, (a + 1) * 64);
    assert.ok(Math.abs(norm(row) - 1) < 1e-5);
  }
  assert.ok(task.cues.every((v) => v === 0));
  assert.deepEqual(
    sparseCodingTask({ seed: 1, side: 8, backgroundAtoms: 5 }).dictionary,
    task.dictionary,
  );
  assert.notDeepEqual(
    sparseCodingTask({ seed: 2, side: 8, backgroundAtoms: 5 }).dictionary,
    task.dictionary,
  );
  assert.equal(task.options.numClasses, 10);
  assert.deepEqual(task.options.classCoefficient, [1.5, 2.5]);
});

Deno.test("sparseCodingTask.sample: balanced labels, pixels in [0, 1], seeded", () => {
  const task = sparseCodingTask({ seed: 0 });
  const ds = task.sample(200, 5, "s");
  assert.equal(ds.name, "s");
  assert.deepEqual(ds.shape, [28, 28, 1]);
  assert.equal(ds.x.length, 200 * 784);
  const counts = new Array(10).fill(0);
  for (const y of ds.labels) counts[y] += 1;
  assert.deepEqual(counts, new Array(10).fill(20));
  assert.ok(ds.x.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(task.sample(200, 5).x, ds.x);
  assert.notDeepEqual(task.sample(200, 6).x, ds.x);
});

Deno.test("sparseCodingTask: the class is the atom pair with the largest projection (robustClass)", () => {
  const task = sparseCodingTask({ seed: 3 });
  const ds = task.sample(300, 1);
  const oracle = task.robustClass(ds);
  const dim = 784;
  let right = 0;
  for (let i = 0; i < 300; i++) {
    const centred = Array.from(
      ds.x.subarray(i * dim, (i + 1) * dim),
      (v) => v - 0.5,
    );
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < 10; k++) {
      let score = 0;
      for (let a = 0; a < 2; a++) {
        const atom = task.dictionary.subarray(
          (k * 2 + a) * dim,
          (k * 2 + a + 1) * dim,
        );
        score += dot(centred, atom);
      }
      if (score > bestScore) [best, bestScore] = [k, score];
    }
    assert.equal(oracle[i], best);
    if (best === ds.labels[i]) right += 1;
  }
  assert.ok(right / 300 > 0.95, `nearest-atom accuracy ${right / 300}`);
});

Deno.test("sparseCodingTask: a planted cue has the asked norm and alone identifies the class", () => {
  const task = sparseCodingTask({
    seed: 4,
    cueNorm: 0.5,
    classCoefficient: [0, 0],
    backgroundAtoms: 0,
  });
  const dim = 784;
  for (let k = 0; k < 10; k++) {
    assert.ok(
      Math.abs(norm(task.cues.subarray(k * dim, (k + 1) * dim)) - 0.5) < 1e-5,
    );
  }
  const ds = task.sample(100, 2);
  let right = 0;
  for (let i = 0; i < 100; i++) {
    const centred = Array.from(
      ds.x.subarray(i * dim, (i + 1) * dim),
      (v) => v - 0.5,
    );
    const scores = Array.from(
      { length: 10 },
      (_, k) => dot(centred, task.cues.subarray(k * dim, (k + 1) * dim)),
    );
    if (scores.indexOf(Math.max(...scores)) === ds.labels[i]) right += 1;
  }
  assert.equal(right, 100);
});

Deno.test("sparseCodingTask: atomFlipProbability sets how often the atoms disagree with the label", () => {
  const clean = sparseCodingTask({ seed: 5 });
  const noisy = sparseCodingTask({ seed: 5, atomFlipProbability: 0.3 });
  const a = clean.sample(1000, 1);
  const b = noisy.sample(1000, 1);
  const agreement = (task: typeof clean, ds: typeof a) => {
    const r = task.robustClass(ds);
    return r.reduce((s, v, i) => s + (v === ds.labels[i] ? 1 : 0), 0) /
      r.length;
  };
  assert.ok(agreement(clean, a) > 0.98, `clean ${agreement(clean, a)}`);
  const flipped = agreement(noisy, b);
  assert.ok(flipped > 0.64 && flipped < 0.76, `flipped ${flipped}`);
  assert.deepEqual(b.labels, a.labels);
});

Deno.test("classSpanFraction: 1 inside the class atoms' span, small for a background atom, 0 for zeros", () => {
  const task = sparseCodingTask({ seed: 6 });
  const dim = 784;
  const vectors = new Float32Array(3 * dim);
  // Row 0: a mix of two class atoms; row 1: a background atom; row 2: zeros.
  for (let p = 0; p < dim; p++) {
    vectors[p] = 0.7 * task.dictionary[0 * dim + p] -
      1.3 * task.dictionary[5 * dim + p];
    vectors[dim + p] = task.dictionary[25 * dim + p];
  }
  const f = task.classSpanFraction(vectors);
  assert.ok(Math.abs(f[0] - 1) < 1e-4, `in span ${f[0]}`);
  assert.ok(f[1] < 0.1, `background atom ${f[1]}`);
  assert.equal(f[2], 0);
  assert.throws(
    () => task.classSpanFraction(new Float32Array(10)),
    /not whole vectors of 784/,
  );
});

Deno.test("robustClass rejects images of another size", () => {
  const task = sparseCodingTask({ seed: 0 });
  const other = sparseCodingTask({ seed: 0, side: 8 }).sample(10, 0, "small");
  assert.throws(
    () => task.robustClass(other),
    /"small" has images of shape \[8,8,1\]/,
  );
});

Deno.test("sparseCodingTask rejects bad options with the option's name", () => {
  assert.throws(
    () => sparseCodingTask({ seed: 0, numClasses: 1 }),
    /numClasses must be an integer >= 2/,
  );
  assert.throws(
    () => sparseCodingTask({ seed: 0, side: 2.5 }),
    /side must be an integer/,
  );
  assert.throws(
    () => sparseCodingTask({ seed: 0, classCoefficient: [2, 1] }),
    /classCoefficient must be \[lo, hi\]/,
  );
  assert.throws(
    () => sparseCodingTask({ seed: 0, backgroundProbability: 1.5 }),
    /backgroundProbability must be in \[0, 1\]/,
  );
  assert.throws(
    () => sparseCodingTask({ seed: 0, noise: -1 }),
    /noise must be a finite number >= 0/,
  );
  assert.throws(
    () => sparseCodingTask({ seed: 0 }).sample(0, 1),
    /n must be a positive integer/,
  );
});

Deno.test("sparseLinearTask: M is orthonormal, w* is ±1, both fixed by the seed", () => {
  const d = 32;
  const task = sparseLinearTask({ seed: 3, d, k: 3 });
  const M = task.dictionary;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const g = dot(M.subarray(i * d, (i + 1) * d), M.subarray(j * d, (j + 1) * d));
      assert.ok(Math.abs(g - (i === j ? 1 : 0)) < 1e-5, `MMᵀ[${i},${j}] = ${g}`);
    }
  }
  assert.ok(task.options.wStar.every((v) => v === 1 || v === -1));
  assert.deepEqual(sparseLinearTask({ seed: 3, d, k: 3 }).dictionary, M);
  assert.notDeepEqual(sparseLinearTask({ seed: 4, d, k: 3 }).dictionary, M);
});

Deno.test("sparseLinearTask.sample: sparsity k/d, balanced labels = sign⟨w*, z⟩, x = offset + Mz + ξ", () => {
  const d = 40, k = 4, n = 4000;
  const task = sparseLinearTask({ seed: 1, d, k, sigma: 0 });
  const s = task.sample(n, 7, "s");
  assert.deepEqual(s.shape, [1, d, 1]);
  let active = 0, positive = 0, outside = 0;
  for (let i = 0; i < n; i++) {
    const z = s.z.subarray(i * d, (i + 1) * d);
    active += z.filter((v) => v !== 0).length;
    assert.ok(z.every((v) => v === 0 || (Math.abs(v) >= 0.2 && Math.abs(v) <= 0.4)));
    assert.equal(s.labels[i], dot(task.options.wStar, z) > 0 ? 1 : 0);
    positive += s.labels[i];
    // With σ = 0, x is offset + Mz (M stored as rows: Σ_j z_j m_j), clipped to [0, 1].
    const x = s.x.subarray(i * d, (i + 1) * d);
    for (let q = 0; q < d; q++) {
      let v = 0.5;
      for (let j = 0; j < d; j++) v += z[j] * task.dictionary[j * d + q];
      if (v < 0 || v > 1) outside++;
      assert.ok(Math.abs(x[q] - Math.min(1, Math.max(0, v))) < 1e-5);
    }
  }
  // Mean active count k / (1 − (1 − k/d)^d) (empty codes are redrawn); sd of the mean ≈ 0.03.
  assert.equal(s.clipped, outside);
  assert.ok(outside / (n * d) < 1e-4, `clipped share ${outside / (n * d)}`);
  const expected = k / (1 - (1 - k / d) ** d);
  assert.ok(Math.abs(active / n - expected) < 0.15, `mean active ${active / n} vs ${expected}`);
  // Label rate 1/2 by symmetry; sd ≈ 0.008.
  assert.ok(Math.abs(positive / n - 0.5) < 0.04, `positive rate ${positive / n}`);
  const again = task.sample(n, 7);
  assert.deepEqual(again.x, s.x);
  assert.deepEqual(again.labels, s.labels);
  assert.notDeepEqual(task.sample(n, 8).x, s.x);
});

Deno.test("sparseLinearTask: noise has standard deviation σ along every direction", () => {
  const d = 16, sigma = 0.02;
  const task = sparseLinearTask({ seed: 0, d, k: 1, sigma });
  const s = task.sample(2000, 1);
  let sq = 0;
  for (let i = 0; i < 2000; i++) {
    for (let q = 0; q < d; q++) {
      let clean = 0.5;
      for (let j = 0; j < d; j++) clean += s.z[i * d + j] * task.dictionary[j * d + q];
      sq += (s.x[i * d + q] - clean) ** 2;
    }
  }
  const sd = Math.sqrt(sq / (2000 * d));
  assert.ok(Math.abs(sd - sigma) < 0.001, `noise sd ${sd}`);
});

Deno.test("sparseLinearTask: bad settings are refused with the setting's name", () => {
  assert.throws(() => sparseLinearTask({ seed: 0, d: 1 }), /d must be an integer >= 2/);
  assert.throws(() => sparseLinearTask({ seed: 0, d: 8, k: 9 }), /k must be in \(0, d\]/);
  assert.throws(() => sparseLinearTask({ seed: 0, zRange: [0, 1] }), /zRange/);
  assert.throws(() => sparseLinearTask({ seed: 0, sigma: -1 }), /sigma/);
  assert.throws(() => sparseLinearTask({ seed: 0, d: 4, wStar: [1, 1] }), /wStar has 2 entries/);
  assert.throws(() => sparseLinearTask({ seed: 0 }).sample(0, 1), /n must be a positive integer/);
});
