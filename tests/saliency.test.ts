import assert from "node:assert/strict";
import { tf } from "../lib/tf.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { type Activation, cnn } from "../lib/models.ts";
import {
  inputSaliency,
  REGIONS,
  rootDisplay,
  saliencyByRegion,
  sceneRegions,
  secondOrderSaliency,
} from "../lib/saliency.ts";
import {
  detectFromMaps,
  detectionReport,
  detectShapes,
  kmeans1d,
  otsuThreshold,
  scoreDetection,
  summarizeScores,
} from "../lib/saliency_detection.ts";
import { generateScenes, type Scene, sceneAt } from "../lib/shapes.ts";

await initBackend({ backend: "cpu" });

const H = 6;

function tinyModel(activation: Activation) {
  return cnn({
    seed: 3,
    inputShape: [H, H, 3],
    convs: [{ filters: 4, stride: 2 }, { filters: 4 }],
    dense: [5],
    activation,
    numClasses: 2,
    outputActivation: "linear",
  });
}

function image(seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: H * H * 3 }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

function outputSum(model: tf.LayersModel, x: Float32Array): number {
  return tf.tidy(() =>
    (model.predict(tf.tensor4d(x, [1, H, H, 3])) as tf.Tensor).sum()
      .dataSync()[0]
  );
}

Deno.test("inputSaliency matches finite differences (max |∂Σout/∂x| over channels)", async () => {
  const model = tinyModel("softplus");
  const x = image(1);
  const map = await inputSaliency(model, { data: x, shape: [H, H, 3] });
  assert.equal(map.data.length, H * H);
  const eps = 1e-2;
  for (const pixel of [0, 7, 20, 35]) {
    let best = 0;
    for (let c = 0; c < 3; c++) {
      const plus = Float32Array.from(x), minus = Float32Array.from(x);
      plus[pixel * 3 + c] += eps;
      minus[pixel * 3 + c] -= eps;
      const g = (outputSum(model, plus) - outputSum(model, minus)) / (2 * eps);
      best = Math.max(best, Math.abs(g));
    }
    assert.ok(
      Math.abs(best - map.data[pixel]) < 2e-3 + 0.02 * best,
      `pixel ${pixel}: finite differences ${best}, saliency ${map.data[pixel]}`,
    );
  }
  model.dispose();
});

Deno.test("saliency of another scalar objective: twice the sum gives twice the maps", async () => {
  const model = tinyModel("softplus");
  const x = { data: image(6), shape: [H, H, 3] as [number, number, number] };
  const twice = (o: tf.Tensor) => o.sum().mul(2) as tf.Scalar;
  const [a, b] = [
    await inputSaliency(model, x),
    await inputSaliency(model, x, twice),
  ];
  a.data.forEach((v, i) => assert.ok(Math.abs(2 * v - b.data[i]) < 1e-5));
  const [c, d] = [
    await secondOrderSaliency(model, x, 9),
    await secondOrderSaliency(model, x, 9, twice),
  ];
  c.data.forEach((v, i) => assert.ok(Math.abs(2 * v - d.data[i]) < 1e-5));
  model.dispose();
});

Deno.test("secondOrderSaliency: exactly zero for ReLU, non-zero and right for softplus", async () => {
  const relu = tinyModel("relu");
  const x = image(2);
  const zero = await secondOrderSaliency(
    relu,
    { data: x, shape: [H, H, 3] },
    14,
  );
  assert.ok(zero.data.every((v) => v === 0), "ReLU second derivative is not 0");
  relu.dispose();

  const smooth = tinyModel("softplus");
  const input = tf.tensor3d(x, [H, H, 3]);
  const pixel = 14;
  const second = await secondOrderSaliency(smooth, input, pixel);
  assert.ok(second.data.some((v) => v > 0));
  // Finite differences of the seed's saliency value s_i(x) = max_c |∂Σout/∂x_{i,c}|.
  const si = async (v: Float32Array) =>
    (await inputSaliency(smooth, { data: v, shape: [H, H, 3] })).data[pixel];
  const eps = 2e-2;
  for (const j of [pixel, 0, 21]) {
    let best = 0;
    for (let c = 0; c < 3; c++) {
      const plus = Float32Array.from(x), minus = Float32Array.from(x);
      plus[j * 3 + c] += eps;
      minus[j * 3 + c] -= eps;
      best = Math.max(
        best,
        Math.abs((await si(plus) - await si(minus)) / (2 * eps)),
      );
    }
    assert.ok(
      Math.abs(best - second.data[j]) < 5e-3 + 0.05 * best,
      `pixel ${j}: finite differences ${best}, second-order ${second.data[j]}`,
    );
  }
  input.dispose();
  smooth.dispose();
});

Deno.test("second derivatives through sigmoid, tanh and ELU match the analytic ones", () => {
  const z = [-0.5, 0.3, 1];
  const second = (fn: (t: tf.Tensor) => tf.Tensor) =>
    tf.tidy(() =>
      Array.from(
        tf.grad((x: tf.Tensor) =>
          tf.grad((y: tf.Tensor) => fn(y).sum() as tf.Scalar)(x)
            .sum() as tf.Scalar
        )(tf.tensor(z)).dataSync(),
      )
    );
  const s = (x: number) => 1 / (1 + Math.exp(-x));
  second(tf.sigmoid).forEach((v, i) =>
    assert.ok(Math.abs(v - s(z[i]) * (1 - s(z[i])) * (1 - 2 * s(z[i]))) < 1e-5)
  );
  second(tf.tanh).forEach((v, i) => {
    const t = Math.tanh(z[i]);
    assert.ok(Math.abs(v + 2 * t * (1 - t * t)) < 1e-5);
  });
  second(tf.elu).forEach((v, i) => assert.ok(Math.abs(v - (z[i] < 0 ? Math.exp(z[i]) : 0)) < 1e-5));
  const first = tf.tidy(() =>
    Array.from(
      tf.grad((x: tf.Tensor) => tf.elu(x).sum() as tf.Scalar)(tf.tensor(z))
        .dataSync(),
    )
  );
  first.forEach((v, i) => assert.ok(Math.abs(v - (z[i] < 0 ? Math.exp(z[i]) : 1)) < 1e-5));
});

Deno.test("secondOrderSaliency: a sigmoid network's map agrees with finite differences; SELU is refused", async () => {
  const model = tinyModel("sigmoid");
  const x = image(5);
  const pixel = 20;
  const second = await secondOrderSaliency(
    model,
    { data: x, shape: [H, H, 3] },
    pixel,
  );
  const si = async (v: Float32Array) =>
    (await inputSaliency(model, { data: v, shape: [H, H, 3] })).data[pixel];
  const eps = 5e-2;
  for (const j of [pixel, 7]) {
    let best = 0;
    for (let c = 0; c < 3; c++) {
      const plus = Float32Array.from(x), minus = Float32Array.from(x);
      plus[j * 3 + c] += eps;
      minus[j * 3 + c] -= eps;
      best = Math.max(
        best,
        Math.abs((await si(plus) - await si(minus)) / (2 * eps)),
      );
    }
    assert.ok(best > 0);
    assert.ok(
      Math.abs(best - second.data[j]) < 1e-4 + 0.05 * best,
      `pixel ${j}: finite differences ${best}, second-order ${second.data[j]}`,
    );
  }
  model.dispose();
  const input = tf.input({ shape: [H, H, 3] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    units: 2,
    activation: "selu",
    name: "selu_out",
  })
    .apply(flat) as tf.SymbolicTensor;
  const selu = tf.model({ inputs: input, outputs: out });
  await assert.rejects(
    () => secondOrderSaliency(selu, { data: x, shape: [H, H, 3] }, 0),
    /uses selu, whose gradient tfjs cannot differentiate again/,
  );
  selu.dispose();
});

Deno.test("saliency: no tensor leaks, clear errors on bad input", async () => {
  const model = tinyModel("softplus");
  const x = { data: image(4), shape: [H, H, 3] as [number, number, number] };
  await inputSaliency(model, x);
  await secondOrderSaliency(model, x, 3);
  const before = tf.memory().numTensors;
  await inputSaliency(model, x);
  await secondOrderSaliency(model, x, 3);
  await detectShapes(model, x, { steps: 2, threshold: { kind: "otsu" } });
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(
    () => inputSaliency(model, { data: new Float32Array(12), shape: [2, 2, 3] }),
    /shape \[2,2,3\] but the model takes \[6,6,3\]/,
  );
  await assert.rejects(
    () => secondOrderSaliency(model, x, 36),
    /outside the 6×6 image/,
  );
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("rootDisplay takes the 10th root and scales to [0, 1]", () => {
  const out = rootDisplay(new Float32Array([0, 1e-10, 1024]));
  assert.equal(out[0], 0);
  assert.ok(Math.abs(out[1] - 0.1 / 2) < 1e-6);
  assert.equal(out[2], 1);
  assert.deepEqual(rootDisplay(new Float32Array(3)), new Float32Array(3));
  assert.throws(() => rootDisplay(new Float32Array(1), 0), /positive/);
});

/** A 6×6 scene with one 3×3 square at rows 1–3, cols 1–3. */
function squareScene(): Scene {
  const labels = new Uint8Array(36);
  for (const p of [7, 8, 9, 13, 14, 15, 19, 20, 21]) labels[p] = 1;
  return {
    size: 6,
    image: new Float32Array(108),
    labels,
    counts: [0, 1],
    shapes: [{
      kind: "square",
      side: 3,
      angle: 0,
      centre: [2.5, 2.5],
      vertices: [[1, 1], [4, 1], [4, 4], [1, 4]],
      pixels: 9,
    }],
  };
}

Deno.test("sceneRegions and saliencyByRegion", () => {
  const scene = squareScene();
  const regions = sceneRegions(scene, 0.8);
  // Pixel centres 0.71 px from a vertex, inside or outside, are corners.
  for (const p of [7, 9, 19, 21, 0, 4, 24, 28]) {
    assert.equal(REGIONS[regions[p]], "corner");
  }
  // Pixels on either side of a side are edges; the middle is interior; far ones background.
  assert.equal(REGIONS[regions[2]], "edge");
  assert.equal(REGIONS[regions[8]], "edge");
  assert.equal(REGIONS[regions[14]], "interior");
  assert.equal(REGIONS[regions[35]], "background");
  const map = new Float32Array(36);
  map[2] = 3;
  map[14] = 1;
  const shares = saliencyByRegion([{
    map: { data: map, height: 6, width: 6 },
    scene,
  }], 0.8);
  const edge = shares.find((s) => s.region === "edge")!;
  assert.equal(edge.saliency, 0.75);
  assert.ok(edge.enrichment > 1);
  assert.equal(shares.reduce((a, s) => a + s.area, 0), 1);
  assert.throws(() => saliencyByRegion([]), /at least one/);
});

Deno.test("otsuThreshold and kmeans1d on separated groups", () => {
  const t = otsuThreshold([0, 0.05, 0.1, 0.9, 0.95, 1]);
  assert.ok(t > 0.1 && t <= 0.9, `threshold ${t}`);
  assert.deepEqual(
    Array.from(kmeans1d([9.1, 0, 5, 0.1, 5.2, 9], 3)),
    [2, 0, 1, 0, 1, 2],
  );
  assert.throws(() => otsuThreshold([]), /no values/);
  assert.throws(() => kmeans1d([1], 3), /cannot form 3 groups/);
});

Deno.test("detectFromMaps: the thesis' loop on a hand-made case", async () => {
  // 1×8 image. Saliency peaks at pixel 2, then 6.
  const saliency = Float32Array.from([0, 1, 5, 1, 0, 2, 4, 0]);
  const maps: Record<number, Float32Array> = {
    2: Float32Array.from([0, 0.9, 1, 0.6, 0.2, 0, 0, 0]),
    6: Float32Array.from([0, 1, 0, 0, 0, 0.5, 0.4, 0.1]),
  };
  const calls: number[] = [];
  const steps = await detectFromMaps({
    saliency,
    steps: 2,
    secondOrder: (seed) => {
      calls.push(seed);
      return maps[seed];
    },
    threshold: { kind: "fraction", fraction: 0.5 },
  });
  assert.deepEqual(calls, [2, 6]);
  assert.deepEqual(Array.from(steps[0].mask), [0, 1, 1, 1, 0, 0, 0, 0]);
  assert.equal(steps[0].threshold, 0.5);
  // Pixel 1 is above threshold again but already assigned; the seed is always included.
  assert.deepEqual(Array.from(steps[1].mask), [0, 0, 0, 0, 0, 1, 1, 0]);
  // A zero map (ReLU) assigns only the seed.
  const flat = await detectFromMaps({
    saliency,
    steps: 1,
    secondOrder: () => new Float32Array(8),
  });
  assert.deepEqual(Array.from(flat[0].mask), [0, 0, 1, 0, 0, 0, 0, 0]);
  assert.equal(flat[0].peak, 0);
  // Medium-saliency seeds skip the strongest pixel.
  const medium = await detectFromMaps({
    // 10th roots (scaled): 0, 0.5, 1.
    saliency: Float32Array.from([0, 0, 0, 2 ** -10, 2 ** -10, 1, 0, 0]),
    steps: 1,
    seeds: "kmeans-medium",
    secondOrder: () => new Float32Array(8),
  });
  assert.ok(medium[0].seed === 3 || medium[0].seed === 4);
  await assert.rejects(
    () =>
      detectFromMaps({
        saliency,
        steps: 1,
        secondOrder: () => new Float32Array(3),
      }),
    /3 values for an image of 8 pixels/,
  );
  await assert.rejects(
    () =>
      detectFromMaps({
        saliency,
        steps: 1,
        secondOrder: () => maps[2],
        threshold: { kind: "fraction", fraction: 2 },
      }),
    /fraction must be in \(0, 1\]/,
  );
});

Deno.test("scoreDetection: coverage, IoU, seed places, distinct shapes", () => {
  // 1×8 label map: shape 1 at pixels 1–3, shape 2 at 6–7.
  const labels = Uint8Array.from([0, 1, 1, 1, 0, 0, 2, 2]);
  const steps = [
    { seed: 2, mask: Uint8Array.from([0, 0, 1, 1, 1, 0, 0, 0]) },
    { seed: 4, mask: Uint8Array.from([0, 1, 0, 0, 0, 0, 0, 0]) },
    { seed: 5, mask: Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 1]) },
  ].map((s) => ({ ...s, threshold: 0, peak: 1 }));
  const score = scoreDetection({ steps, width: 8 }, labels, 2);
  assert.deepEqual(score.steps.map((s) => s.seedPlace), [
    "shape",
    "edge",
    "edge",
  ]);
  assert.deepEqual(score.steps.map((s) => s.shape), [0, 0, 1]);
  assert.ok(Math.abs(score.steps[0].coverage - 2 / 3) < 1e-12);
  assert.ok(Math.abs(score.steps[0].iou - 2 / 4) < 1e-12);
  assert.ok(Math.abs(score.steps[0].offShape - 1 / 3) < 1e-12);
  // Boxes (1-pixel-high rows): mask cols 2–4 vs shape cols 1–3 → 2 / 4.
  assert.ok(Math.abs(score.steps[0].boxIou - 2 / 4) < 1e-12);
  assert.equal(score.steps[2].boxIou, 2 / 3);
  assert.deepEqual(score.steps.map((s) => s.newShape), [true, false, true]);
  assert.equal(score.found, 1);
  const summary = summarizeScores(score.steps);
  assert.ok(Math.abs(summary.seedAtEdge - 2 / 3) < 1e-12);
  assert.ok(Math.abs(summary.newShape - 2 / 3) < 1e-12);
  // A seed two pixels from any shape is between shapes.
  const far = scoreDetection(
    {
      steps: [{
        seed: 0,
        mask: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]),
        threshold: 0,
        peak: 0,
      }],
      width: 4,
    },
    Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 1]),
    1,
  );
  assert.equal(far.steps[0].seedPlace, "between");
  assert.equal(far.steps[0].coverage, 0);
  assert.throws(
    () => scoreDetection({ steps, width: 8 }, labels, 1),
    /names shape 2 but shapeCount is 1/,
  );
});

Deno.test("detectionReport runs the algorithm on scenes and summarises every step", async () => {
  const model = tinyModel("softplus");
  const set = generateScenes("d", 3, {
    imageSize: H,
    minTotal: 1,
    maxTotal: 2,
    sizeMode: "fixed",
    side: 2,
  }, 1);
  const scenes = [0, 1, 2].map((i) => sceneAt(set, i));
  const before = tf.memory().numTensors;
  const report = await detectionReport(model, scenes, {
    steps: 2,
    threshold: { kind: "otsu" },
  });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(report.overall.steps, 6);
  assert.equal(report.byStep.length, 2);
  assert.deepEqual(report.byStep.map((s) => s.steps), [3, 3]);
  assert.equal(report.coverages.length, 6);
  assert.ok(report.found >= 0 && report.found <= 1);
  const places = report.overall.seedOnShape + report.overall.seedAtEdge +
    report.overall.seedBetween;
  assert.ok(Math.abs(places - 1) < 1e-12);
  await assert.rejects(() => detectionReport(model, []), /at least one scene/);
  model.dispose();
});
