import assert from "node:assert/strict";
import { tf } from "../../../lib/tf.ts";
import { initBackend } from "../../../lib/backend/mod.ts";
import { H, tinyModel } from "../../attribution/fixtures.ts";
import {
  modelSaliencyByRegion,
  REGIONS,
  regionShareByScene,
  saliencyByRegion,
  sceneRegions,
} from "../../../lib/studies/subitization/regions.ts";
import { inputSaliency } from "../../../lib/attribution/saliency.ts";
import {
  commonFinite,
  detectFromMaps,
  detectionReport,
  perSceneMean,
  scoreDetection,
  summarizeScores,
  thresholdSweep,
} from "../../../lib/studies/subitization/detection.ts";
import { generateScenes, type Scene, sceneAt } from "../../../lib/data/shapes.ts";

await initBackend({ backend: "cpu" });

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
  // The p90 is the coverage of rank ⌊0.9 · 5⌋ = 4 of the six sorted coverages.
  assert.equal(report.coverageP90, [...report.coverages].sort((a, b) => a - b)[4]);
  assert.ok(report.found >= 0 && report.found <= 1);
  const places = report.overall.seedOnShape + report.overall.seedAtEdge +
    report.overall.seedBetween;
  assert.ok(Math.abs(places - 1) < 1e-12);
  await assert.rejects(() => detectionReport(model, []), /at least one scene/);
  model.dispose();
});

Deno.test("modelSaliencyByRegion: saliencyByRegion of the model's maps of the scenes", async () => {
  const model = tinyModel("softplus");
  const set = generateScenes("r", 2, { imageSize: H, maxTotal: 2, sizeMode: "fixed", side: 2 }, 3);
  const scenes = [0, 1].map((i) => sceneAt(set, i));
  const items = [];
  for (const scene of scenes) {
    items.push({ map: await inputSaliency(model, { data: scene.image, shape: [H, H, 3] }), scene });
  }
  const before = tf.memory().numTensors;
  const shares = await modelSaliencyByRegion(model, scenes);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(shares.pooled, saliencyByRegion(items));
  assert.deepEqual(shares.perScene, items.map((item) => saliencyByRegion([item])));
  const outline = regionShareByScene(shares, ["edge", "corner"]);
  outline.forEach((v, i) => {
    const [corner, edge] = shares.perScene[i];
    assert.ok(Math.abs(v - (corner.saliency + edge.saliency)) < 1e-12);
  });
  model.dispose();
});

Deno.test("absolute threshold: the thesis' fixed cut in the map's raw units", async () => {
  const saliency = Float32Array.from([0, 1, 5, 1]);
  const map = Float32Array.from([1e-9, 4e-10, 0, 6e-10]);
  const [step] = await detectFromMaps({
    saliency,
    steps: 1,
    secondOrder: () => map,
    threshold: { kind: "absolute", value: 5e-10 },
  });
  assert.deepEqual(Array.from(step.mask), [1, 0, 1, 1]);
  assert.equal(step.threshold, 5e-10);
  await assert.rejects(
    () =>
      detectFromMaps({
        saliency,
        steps: 1,
        secondOrder: () => map,
        threshold: { kind: "absolute", value: -1 },
      }),
    /absolute threshold must be ≥ 0/,
  );
});

Deno.test("perSceneMean and commonFinite: scenes as the units, the same scenes in every series", async () => {
  const model = tinyModel("softplus");
  const set = generateScenes("p", 2, { imageSize: H, maxTotal: 2, sizeMode: "fixed", side: 2 }, 1);
  const scenes = [0, 1].map((i) => sceneAt(set, i));
  const report = await detectionReport(model, scenes, { steps: 2 });
  assert.equal(report.scenes.length, 2);
  const perScene = perSceneMean(report, (s) => s.coverage);
  report.scenes.forEach(({ score }, i) => {
    const expected = (score.steps[0].coverage + score.steps[1].coverage) / 2;
    assert.ok(Math.abs(perScene[i] - expected) < 1e-12);
  });
  const none = await detectionReport(model, scenes, { steps: 0 });
  assert.ok(perSceneMean(none, (s) => s.coverage).every(Number.isNaN));
  assert.deepEqual(commonFinite({ a: [1, NaN, 3], b: [4, 5, Infinity] }), { a: [1], b: [4] });
  assert.throws(() => commonFinite({ a: [1], b: [1, 2] }), /have 1, 2 items/);
  model.dispose();
});

Deno.test("thresholdSweep: the first step under each rule, against same-size random masks", async () => {
  const model = tinyModel("softplus");
  const set = generateScenes("s", 3, {
    imageSize: H,
    minTotal: 1,
    maxTotal: 2,
    sizeMode: "fixed",
    side: 2,
  }, 2);
  const scenes = [0, 1, 2].map((i) => sceneAt(set, i));
  const rules = {
    "½ max": { kind: "fraction" as const, fraction: 0.5 },
    "everything": { kind: "absolute" as const, value: 0 },
  };
  const before = tf.memory().numTensors;
  const sweep = await thresholdSweep(model, scenes, rules, { seed: 0 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(sweep.map((p) => p.name), ["½ max", "everything"]);
  // The first step of the sweep is the first step of the detection with that rule.
  const report = await detectionReport(model, scenes, { steps: 1, threshold: rules["½ max"] });
  assert.deepEqual(sweep[0].coverage, report.scenes.map((s) => s.score.steps[0].coverage));
  // A threshold of 0 selects every pixel, as does its random mask: both grade the same.
  assert.deepEqual(sweep[1].pixels, [H * H, H * H, H * H]);
  assert.deepEqual(sweep[1].randomCoverage, sweep[1].coverage);
  assert.deepEqual(sweep[1].randomOffShape, sweep[1].offShape);
  // Random masks have the real masks' sizes, and the same seed draws the same masks.
  assert.deepEqual(await thresholdSweep(model, scenes, rules, { seed: 0 }), sweep);
  await assert.rejects(() => thresholdSweep(model, [], rules, { seed: 0 }), /at least one scene/);
  model.dispose();
});
