import assert from "node:assert/strict";
import { tf } from "../../../lib/tf.ts";
import { initBackend } from "../../../lib/backend/mod.ts";
import { cnn } from "../../../lib/models/builders.ts";
import {
  accuracyByCount,
  bluePixels,
  cornerCounts,
  cornerShortcutCounts,
  counterNetwork,
  countErrors,
  countingReport,
  exactAccuracy,
  fitCornerShortcut,
  fitPixelShortcut,
  meanAbsDiff,
  pixelShortcutTotals,
  predictCounts,
  startAtMeanCounts,
  totals,
} from "../../../lib/studies/subitization/counting.ts";
import { generateScenes, sceneDataset, type SceneSet } from "../../../lib/data/shapes.ts";
import { fit } from "../../../lib/train/mod.ts";

await initBackend({ backend: "cpu" });

/** A hand-made set: 2 images of 4×4, blue pixels given per image. */
function handMade(blue: number[][], counts: number[]): SceneSet {
  const x = new Float32Array(blue.length * 16 * 3);
  blue.forEach((pixels, i) => {
    for (const p of pixels) x[(i * 16 + p) * 3 + 2] = 1;
  });
  return {
    name: "hand",
    shape: [4, 4, 3],
    x,
    counts: Float32Array.from(counts),
    labels: new Uint8Array(blue.length * 16),
    shapes: blue.map(() => []),
  };
}

Deno.test("pixel shortcut: blue pixels over the mean area per shape", () => {
  // Image 0: one shape of 4 px; image 1: two shapes, 8 px. Mean area 12 / 3 = 4.
  const train = handMade([[0, 1, 4, 5], [0, 1, 2, 3, 8, 9, 10, 11]], [
    1,
    0,
    1,
    1,
  ]);
  assert.deepEqual(bluePixels(train), Float32Array.from([4, 8]));
  const shortcut = fitPixelShortcut(train);
  assert.equal(shortcut.areaPerShape, 4);
  const test = handMade([[0, 1, 2, 3, 4, 5], []], [1, 0, 0, 0]);
  assert.deepEqual(
    pixelShortcutTotals(shortcut, test),
    Float32Array.from([1.5, 0]),
  );
  assert.throws(
    () => fitPixelShortcut(handMade([[]], [0, 0])),
    /has no shapes/,
  );
});

Deno.test("pixel shortcut is exact on fixed-size scenes of equal-area shapes, up to rasterisation", () => {
  const opts = {
    imageSize: 40,
    maxTotal: 4,
    sizeMode: "fixed" as const,
    side: 9,
  };
  const train = generateScenes("tr", 200, opts, 1);
  const test = generateScenes("te", 100, opts, 2);
  const mae = meanAbsDiff(
    pixelShortcutTotals(fitPixelShortcut(train), test),
    totals(test.counts),
  );
  assert.ok(mae < 0.1, `shortcut MAE ${mae}`);
});

Deno.test("count metrics: MAE per kind and exact accuracy by true count", () => {
  const truth = Float32Array.from([1, 0, 2, 2, 0, 1]);
  const pred = Float32Array.from([1.4, 0.2, 1.4, 2.2, 0, 0.4]);
  const e = countErrors(pred, truth);
  assert.ok(Math.abs(e.triangle - (0.4 + 0.6 + 0) / 3) < 1e-6);
  assert.ok(Math.abs(e.square - (0.2 + 0.2 + 0.6) / 3) < 1e-6);
  assert.ok(Math.abs(e.total - (0.6 + 0.4 + 0.6) / 3) < 1e-6);
  assert.deepEqual(totals(truth), Float32Array.from([1, 4, 1]));
  assert.deepEqual(accuracyByCount([1.4, 1.6, 0.2], [1, 1, 0]), [
    { count: 0, n: 1, accuracy: 1 },
    { count: 1, n: 2, accuracy: 0.5 },
  ]);
  assert.ok(
    Math.abs(exactAccuracy([1.4, 1.6, 0.2], [1, 1, 0]) - 2 / 3) < 1e-12,
  );
  assert.throws(
    () => countErrors(new Float32Array(3), new Float32Array(4)),
    /N×2/,
  );
  assert.throws(() => accuracyByCount([1], [1, 2]), /1 predictions for 2/);
  assert.throws(() => meanAbsDiff([], []), /non-empty/);
});

Deno.test("fit on sceneDataset lowers the MSE, predictCounts agrees with the model, no leaks", async () => {
  const opts = {
    imageSize: 16,
    maxTotal: 2,
    sizeMode: "fixed" as const,
    side: 4,
  };
  const train = generateScenes("tr", 64, opts, 1);
  const model = cnn({
    seed: 0,
    inputShape: [16, 16, 3],
    convs: [{ filters: 4, stride: 2 }],
    dense: [],
    activation: "softplus",
    numClasses: 2,
    outputActivation: "relu",
    globalPool: true,
  });
  startAtMeanCounts(model, train);
  const before = tf.memory().numTensors;
  const result = await fit(model, sceneDataset(train), {
    steps: 30,
    batchSize: 16,
    seed: 0,
    shuffle: "stream",
    optimizer: { name: "adam", lr: 1e-2 },
    progress: "quiet",
  });
  const pred = await predictCounts(model, train, 20);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(result.stepLosses.length, 30);
  const head = result.stepLosses.slice(0, 5).reduce((a, b) => a + b) / 5;
  const tail = result.stepLosses.slice(-5).reduce((a, b) => a + b) / 5;
  assert.ok(tail < head, `loss ${head} → ${tail}`);
  const x = tf.tensor4d(train.x.subarray(0, 16 * 16 * 3), [1, 16, 16, 3]);
  const direct = await (model.predict(x) as tf.Tensor).data();
  x.dispose();
  assert.ok(Math.abs(direct[0] - pred[0]) < 1e-5);
  assert.ok(Math.abs(direct[1] - pred[1]) < 1e-5);
});

Deno.test("startAtMeanCounts sets the output bias to the mean counts", () => {
  const set = {
    ...handMade([[], []], [1, 3, 2, 0]),
  };
  const model = cnn({
    seed: 0,
    inputShape: [4, 4, 3],
    convs: [{ filters: 2 }],
    dense: [],
    numClasses: 2,
  });
  startAtMeanCounts(model, set);
  const bias = model.getLayer("logits").getWeights()[1].dataSync();
  assert.deepEqual(Array.from(bias), [1.5, 1.5]);
});

Deno.test("counting: a model of the wrong shape is named", async () => {
  const set = handMade([[]], [0, 0]);
  const wrongInput = cnn({
    seed: 0,
    inputShape: [8, 8, 3],
    convs: [{ filters: 2 }],
    dense: [],
    numClasses: 2,
  });
  await assert.rejects(
    () => predictCounts(wrongInput, set),
    /inputShape \[4,4,3\]/,
  );
  const wrongOutputs = cnn({
    seed: 0,
    inputShape: [4, 4, 3],
    convs: [{ filters: 2 }],
    dense: [],
    numClasses: 3,
  });
  await assert.rejects(
    () =>
      fit(wrongOutputs, sceneDataset(set), {
        steps: 1,
        batchSize: 1,
        seed: 0,
        optimizer: { name: "sgd", lr: 0.1 },
      }),
    /has 2 targets per example; build it with 2 outputs/,
  );
  wrongInput.dispose();
  wrongOutputs.dispose();
});

Deno.test("countingReport gathers MAE and exact accuracy per kind and total", () => {
  const truth = Float32Array.from([1, 0, 2, 2, 0, 1]);
  const pred = Float32Array.from([1.4, 0.2, 1.4, 2.2, 0, 0.4]);
  const r = countingReport(pred, truth);
  assert.deepEqual(r.mae, countErrors(pred, truth));
  assert.deepEqual(r.exact, { triangle: 2 / 3, square: 2 / 3, total: 1 / 3 });
  assert.deepEqual(r.byCount.total.map((g) => [g.count, g.n]), [[1, 2], [
    4,
    1,
  ]]);
  assert.deepEqual(r.byCount.triangle, [
    { count: 0, n: 1, accuracy: 1 },
    { count: 1, n: 1, accuracy: 1 },
    { count: 2, n: 1, accuracy: 0 },
  ]);
});

Deno.test("counterNetwork: strided, no pooling, two ReLU outputs", () => {
  const model = counterNetwork({
    seed: 0,
    imageSize: 16,
    activation: "softplus",
  });
  const names = model.layers.map((l) => l.getClassName());
  assert.ok(!names.includes("MaxPooling2D"));
  assert.deepEqual(model.outputs[0].shape, [null, 2]);
  const out = tf.tidy(() => (model.predict(tf.fill([1, 16, 16, 3], -5)) as tf.Tensor).dataSync());
  assert.ok(out.every((v) => v >= 0), "ReLU outputs are non-negative");
  model.dispose();
});

Deno.test("corner shortcut: 3 corners per triangle, 4 per square, mapped back to counts", () => {
  const train = generateScenes("c", 60, {
    imageSize: 24,
    maxTotal: 3,
    sizeMode: "per-image",
    side: { min: 4, max: 6 },
  }, 5);
  const corners = cornerCounts(train);
  corners.forEach((c, i) => assert.equal(c, 3 * train.counts[2 * i] + 4 * train.counts[2 * i + 1]));
  // With at most 3 shapes, 3t + 4s decides (t, s), so the shortcut counts perfectly.
  const shortcut = fitCornerShortcut(train);
  const predicted = cornerShortcutCounts(shortcut, train);
  assert.deepEqual(Array.from(predicted), Array.from(train.counts));
  // A corner count never seen falls back to the most frequent counts.
  const lone = { ...train, shapes: [[...train.shapes[0], ...train.shapes[0], ...train.shapes[0]]] };
  const unseen = cornerShortcutCounts({ ...shortcut, countsByCorners: new Map() }, lone);
  assert.deepEqual(Array.from(unseen), shortcut.fallback);
  assert.throws(() => fitCornerShortcut({ ...train, shapes: [] }), /has no scenes/);
});

Deno.test("counterNetwork: the thesis' flatten head and batch-normalised variant", () => {
  const gap = counterNetwork({ seed: 0, imageSize: 16, activation: "relu" });
  const flat = counterNetwork({ seed: 0, imageSize: 16, activation: "sigmoid", head: "flatten" });
  const bn = counterNetwork({
    seed: 0,
    imageSize: 16,
    activation: "sigmoid",
    head: "flatten",
    batchNorm: true,
  });
  assert.ok(gap.layers.some((l) => l.name === "gap"));
  assert.ok(flat.layers.some((l) => l.name === "flatten"));
  assert.ok(!flat.layers.some((l) => l.name.startsWith("bn")));
  assert.deepEqual(bn.layers.filter((l) => l.name.startsWith("bn")).map((l) => l.name), [
    "bn1",
    "bn2",
    "bn3",
  ]);
  assert.throws(
    () =>
      counterNetwork({
        seed: 0,
        imageSize: 16,
        activation: "relu",
        head: "pool" as "gap",
      }),
    /head must be "gap" or "flatten"/,
  );
  [gap, flat, bn].forEach((m) => m.dispose());
});
