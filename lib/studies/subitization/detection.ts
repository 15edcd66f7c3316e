/**
 * Finding shapes through a counter's saliency (Cutilli 2021, §2.2.2), and measuring how well it
 * finds them.
 *
 * The algorithm: take the most salient pixel not yet assigned to a shape, compute the saliency
 * map of that pixel's saliency value (a second derivative of the count), threshold it, assign the
 * pixels above the threshold (and the seed) to a new shape, and repeat as many times as the
 * network's rounded count. The loop is written against plain maps and a callback for the
 * second-order map, so it can run on hand-made maps as well as on a model
 * ({@link detectShapes}).
 *
 * Two of the improvements the thesis proposes are options: an automatic threshold for the
 * second-order map (Otsu's, on the 10th-root scale the thesis displays maps on) instead of a
 * manual one, and seeds drawn only from the medium-saliency group of a three-way k-means of the
 * first-order saliency (again on the 10th-root scale, since saliency is heavy-tailed), which
 * rejects the strongest pixels the thesis found between shapes.
 *
 * @module
 */

import { tf } from "../../tf.ts";
import type { Scene } from "../../data/shapes.ts";
import {
  inputSaliency,
  rootDisplay,
  type SaliencyInput,
  secondOrderSaliency,
} from "../../attribution/saliency.ts";
import { kmeans1d, mean, otsuThreshold } from "../../stats/descriptive.ts";
import { sceneImage } from "./scenes.ts";
import { Rng } from "../../random/rng.ts";
import type { Objective } from "../../optimize/mod.ts";

/** How the second-order map is thresholded. */
export type ThresholdRule =
  /** Pixels at or above `fraction` × the map's maximum (a manual setting, as in the thesis). */
  | { kind: "fraction"; fraction: number }
  /** Otsu's threshold of the 10th-root-transformed map (automatic). */
  | { kind: "otsu"; bins?: number }
  /** Pixels at or above `value` in the map's raw units (the thesis' code: 5e-10). */
  | { kind: "absolute"; value: number };

/** Which pixels may become seeds. */
export type SeedRule =
  /** Any unassigned pixel (the thesis' algorithm: the most salient one). */
  | "max"
  /** Unassigned pixels of the medium group of a 3-means of 10th-root saliency. */
  | "kmeans-medium";

/** Options of the detection loop. */
export interface DetectOptions {
  /** Threshold of the second-order map (default fraction 0.5). */
  threshold?: ThresholdRule;
  /** Seed selection (default "max"). */
  seeds?: SeedRule;
  /** Number of shapes to find; default round(sum of the model's outputs). */
  steps?: number;
  /** Keep each step's second-order map (for pictures); default false. */
  keepMaps?: boolean;
  /** The scalar whose saliency is taken (default: the sum of the outputs). */
  objective?: Objective;
}

/** One iteration of the algorithm. */
export interface DetectionStep {
  /** Flat index (row·W + col) of the seed pixel. */
  seed: number;
  /** Pixels assigned at this step (1) within the image, H×W. */
  mask: Uint8Array;
  /** Threshold applied to the second-order map (in its raw units). */
  threshold: number;
  /** Largest value of the second-order map (0 for a ReLU network). */
  peak: number;
  /** The second-order map, when `keepMaps`. */
  secondOrder?: Float32Array;
}

/** What the algorithm found in one image. */
export interface Detection {
  height: number;
  width: number;
  /** The model's outputs (per-kind counts); empty for hand-made maps. */
  outputs: number[];
  /** The first-order saliency map. */
  saliency: Float32Array;
  steps: DetectionStep[];
}

function thresholdOf(map: Float32Array, rule: ThresholdRule): number {
  let peak = 0;
  for (const v of map) if (v > peak) peak = v;
  if (peak === 0) return Infinity;
  if (rule.kind === "fraction") {
    if (!(rule.fraction > 0 && rule.fraction <= 1)) {
      throw new Error(
        `detect: threshold fraction must be in (0, 1], got ${rule.fraction}`,
      );
    }
    return rule.fraction * peak;
  }
  if (rule.kind === "otsu") {
    // Otsu on the display scale v^(1/10)/max, mapped back to raw units.
    const t = otsuThreshold(rootDisplay(map), rule.bins ?? 64);
    return t ** 10 * peak;
  }
  if (rule.kind === "absolute") {
    if (!(rule.value >= 0)) {
      throw new Error(`detect: an absolute threshold must be ≥ 0, got ${rule.value}`);
    }
    return rule.value;
  }
  throw new Error(
    `detect: unknown threshold rule ${JSON.stringify(rule)}; use fraction, otsu or absolute`,
  );
}

function seedCandidates(saliency: Float32Array, rule: SeedRule): Uint8Array {
  if (rule === "max") return new Uint8Array(saliency.length).fill(1);
  if (rule === "kmeans-medium") {
    const group = kmeans1d(rootDisplay(saliency), 3);
    return group.map((g) => (g === 1 ? 1 : 0));
  }
  throw new Error(
    `detect: unknown seed rule "${rule}"; use "max" or "kmeans-medium"`,
  );
}

/**
 * The detection loop on given maps: `secondOrder(seed)` returns the second-order map of a seed.
 *
 * @example
 * ```ts
 * const steps = await detectFromMaps({ saliency, steps: 2,
 *   secondOrder: (seed) => maps[seed], threshold: { kind: "fraction", fraction: 0.5 } });
 * ```
 */
export async function detectFromMaps(opts: {
  saliency: Float32Array;
  steps: number;
  secondOrder: (seed: number) => Float32Array | Promise<Float32Array>;
  threshold?: ThresholdRule;
  seeds?: SeedRule;
  keepMaps?: boolean;
}): Promise<DetectionStep[]> {
  const n = opts.saliency.length;
  if (!Number.isInteger(opts.steps) || opts.steps < 0) {
    throw new Error(
      `detect: steps must be a non-negative integer, got ${opts.steps}`,
    );
  }
  const rule = opts.threshold ?? { kind: "fraction", fraction: 0.5 };
  const allowed = seedCandidates(opts.saliency, opts.seeds ?? "max");
  const assigned = new Uint8Array(n);
  const steps: DetectionStep[] = [];
  for (let k = 0; k < opts.steps; k++) {
    let seed = -1;
    // Allowed seeds first; when none is left, any unassigned pixel.
    for (const strict of [true, false]) {
      for (let p = 0; p < n; p++) {
        if (assigned[p] || (strict && !allowed[p])) continue;
        if (seed < 0 || opts.saliency[p] > opts.saliency[seed]) seed = p;
      }
      if (seed >= 0) break;
    }
    if (seed < 0) break;
    const map = await opts.secondOrder(seed);
    if (map.length !== n) {
      throw new Error(
        `detect: the second-order map has ${map.length} values for an image of ${n} pixels`,
      );
    }
    const threshold = thresholdOf(map, rule);
    let peak = 0;
    for (const v of map) if (v > peak) peak = v;
    const mask = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      if (!assigned[p] && map[p] >= threshold) mask[p] = 1;
    }
    mask[seed] = 1;
    for (let p = 0; p < n; p++) if (mask[p]) assigned[p] = 1;
    steps.push({
      seed,
      mask,
      threshold,
      peak,
      ...(opts.keepMaps ? { secondOrder: map } : {}),
    });
  }
  return steps;
}

/**
 * Runs the algorithm with a trained counter on one image.
 *
 * @example
 * ```ts
 * const det = await detectShapes(model, { data: scene.image, shape: [48, 48, 3] },
 *   { threshold: { kind: "otsu" }, keepMaps: true });
 * det.steps.length; // the network's rounded count
 * ```
 */
export async function detectShapes(
  model: tf.LayersModel,
  image: SaliencyInput,
  opts: DetectOptions = {},
): Promise<Detection> {
  const first = await inputSaliency(model, image, opts.objective);
  const outputs = await modelOutputs(model, image);
  const steps = opts.steps ??
    Math.max(0, Math.round(outputs.reduce((a, b) => a + b, 0)));
  const found = await detectFromMaps({
    saliency: first.data,
    steps,
    threshold: opts.threshold,
    seeds: opts.seeds,
    keepMaps: opts.keepMaps,
    secondOrder: async (seed) =>
      (await secondOrderSaliency(model, image, seed, opts.objective)).data,
  });
  return {
    height: first.height,
    width: first.width,
    outputs,
    saliency: first.data,
    steps: found,
  };
}

async function modelOutputs(
  model: tf.LayersModel,
  image: SaliencyInput,
): Promise<number[]> {
  const expected = model.inputs[0].shape.slice(1) as number[];
  const out = tf.tidy(() => {
    const t = image instanceof tf.Tensor ? image : tf.tensor(image.data, [...image.shape]);
    return model.predict(t.reshape([1, ...expected])) as tf.Tensor;
  });
  const values = Array.from(await out.data());
  out.dispose();
  return values;
}

/** Where a seed fell. */
export type SeedPlace = "shape" | "edge" | "between";

/** How one step's mask matches the ground truth. */
export interface StepScore {
  /** 0-based iteration. */
  step: number;
  /** On a shape pixel; on background next to a shape (8-neighbour); or further out. */
  seedPlace: SeedPlace;
  /** Index of the shape the mask overlaps most (-1 when it overlaps none). */
  shape: number;
  /** |mask ∩ shape| / |shape|. */
  coverage: number;
  /** |mask ∩ shape| / |mask ∪ shape|. */
  iou: number;
  /** IoU of the mask's bounding box with the shape's (the thesis' detection is the box). */
  boxIou: number;
  /** Fraction of the mask's pixels that are background. */
  offShape: number;
  /** Whether this step matched a shape no earlier step matched. */
  newShape: boolean;
}

/** Scores of a whole detection. */
export interface DetectionScore {
  steps: StepScore[];
  /** Distinct shapes matched / true number of shapes (1 when there are none and none found). */
  found: number;
}

/**
 * Scores a detection against a scene's label map (0 background, k + 1 for shape k).
 *
 * @example
 * ```ts
 * const score = scoreDetection(det, scene.labels, scene.shapes.length);
 * score.steps[0].coverage; // e.g. 0.4
 * ```
 */
export function scoreDetection(
  detection: Pick<Detection, "steps" | "width">,
  labels: Uint8Array,
  shapeCount: number,
): DetectionScore {
  const sizes = new Float64Array(shapeCount + 1);
  for (const l of labels) {
    if (l > shapeCount) {
      throw new Error(
        `scoreDetection: the label map names shape ${l} but shapeCount is ${shapeCount}`,
      );
    }
    sizes[l] += 1;
  }
  const w = detection.width;
  const h = labels.length / w;
  const seen = new Set<number>();
  const steps = detection.steps.map((s, step) => {
    if (s.mask.length !== labels.length) {
      throw new Error(
        `scoreDetection: a mask of ${s.mask.length} pixels for a label map of ${labels.length}`,
      );
    }
    const overlap = new Float64Array(shapeCount + 1);
    let size = 0;
    for (let p = 0; p < labels.length; p++) {
      if (s.mask[p]) {
        overlap[labels[p]] += 1;
        size += 1;
      }
    }
    let best = 0;
    for (let k = 1; k <= shapeCount; k++) {
      if (overlap[k] > overlap[best] || best === 0 && overlap[k] > 0) best = k;
    }
    const inter = best > 0 ? overlap[best] : 0;
    const newShape = best > 0 && !seen.has(best);
    if (best > 0) seen.add(best);
    return {
      step,
      seedPlace: seedPlace(s.seed, labels, w, h),
      shape: best - 1,
      coverage: best > 0 ? inter / sizes[best] : 0,
      iou: best > 0 ? inter / (size + sizes[best] - inter) : 0,
      boxIou: best > 0 ? boxIou(boxOf(s.mask, 1, w), boxOf(labels, best, w)) : 0,
      offShape: overlap[0] / size,
      newShape,
    };
  });
  return {
    steps,
    found: shapeCount === 0 ? (steps.length === 0 ? 1 : 0) : seen.size / shapeCount,
  };
}

/** Inclusive pixel bounding box [r0, c0, r1, c1] of the pixels equal to `value`. */
function boxOf(
  map: Uint8Array,
  value: number,
  w: number,
): [number, number, number, number] {
  let r0 = Infinity, c0 = Infinity, r1 = -1, c1 = -1;
  for (let p = 0; p < map.length; p++) {
    if (map[p] !== value) continue;
    const r = Math.floor(p / w), c = p % w;
    r0 = Math.min(r0, r);
    c0 = Math.min(c0, c);
    r1 = Math.max(r1, r);
    c1 = Math.max(c1, c);
  }
  return [r0, c0, r1, c1];
}

function boxIou(
  a: [number, number, number, number],
  b: [number, number, number, number],
): number {
  const area = (x: number[]) => (x[2] - x[0] + 1) * (x[3] - x[1] + 1);
  const ih = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const iw = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  const inter = ih > 0 && iw > 0 ? ih * iw : 0;
  return inter / (area(a) + area(b) - inter);
}

function seedPlace(
  seed: number,
  labels: Uint8Array,
  w: number,
  h: number,
): SeedPlace {
  if (labels[seed] !== 0) return "shape";
  const r = Math.floor(seed / w), c = seed % w;
  for (let dr = -1; dr <= 1; dr++) {
    for (let dc = -1; dc <= 1; dc++) {
      const rr = r + dr, cc = c + dc;
      if (rr >= 0 && cc >= 0 && rr < h && cc < w && labels[rr * w + cc] !== 0) {
        return "edge";
      }
    }
  }
  return "between";
}

/** Means of step scores, overall or per iteration. */
export interface ScoreSummary {
  steps: number;
  coverage: number;
  iou: number;
  boxIou: number;
  offShape: number;
  /** Fractions of seeds on shapes, at edges, between shapes. */
  seedOnShape: number;
  seedAtEdge: number;
  seedBetween: number;
  /** Fraction of steps that matched a new shape. */
  newShape: number;
}

/**
 * Averages step scores (e.g. all steps of many images, or only the k-th step of each).
 *
 * @example
 * ```ts
 * summarizeScores(scores.flatMap((s) => s.steps)).coverage;
 * ```
 */
export function summarizeScores(steps: readonly StepScore[]): ScoreSummary {
  const meanOf = (f: (s: StepScore) => number) => mean(steps.map(f));
  return {
    steps: steps.length,
    coverage: meanOf((s) => s.coverage),
    iou: meanOf((s) => s.iou),
    boxIou: meanOf((s) => s.boxIou),
    offShape: meanOf((s) => s.offShape),
    seedOnShape: meanOf((s) => (s.seedPlace === "shape" ? 1 : 0)),
    seedAtEdge: meanOf((s) => (s.seedPlace === "edge" ? 1 : 0)),
    seedBetween: meanOf((s) => (s.seedPlace === "between" ? 1 : 0)),
    newShape: meanOf((s) => (s.newShape ? 1 : 0)),
  };
}

/** One scene's detection and its grading. */
export interface SceneDetection {
  detection: Detection;
  score: DetectionScore;
}

/** Detection quality over many scenes: overall, per iteration, and per scene. */
export interface DetectionReport {
  overall: ScoreSummary;
  /** Summary of the k-th step of every scene that had one, k = 0, 1, … */
  byStep: ScoreSummary[];
  /** Mean over scenes of the distinct shapes found / true shapes. */
  found: number;
  /** Coverage of every step, for distributions. */
  coverages: number[];
  /** 90th percentile of the coverages (the lower of the two nearest ranks; NaN for none). */
  coverageP90: number;
  /** Every scene's detection and score, in the order given (for per-scene statistics). */
  scenes: SceneDetection[];
}

/**
 * Runs {@link detectShapes} on the given scenes and scores each against its masks.
 *
 * @example
 * ```ts
 * const report = await detectionReport(model, scenes, { threshold: { kind: "otsu" } });
 * report.overall.iou; report.byStep[0].coverage;
 * ```
 */
export async function detectionReport(
  model: tf.LayersModel,
  scenes: readonly Scene[],
  opts: DetectOptions = {},
): Promise<DetectionReport> {
  if (scenes.length === 0) {
    throw new Error("detectionReport: give at least one scene");
  }
  const scores: DetectionScore[] = [];
  const perScene: SceneDetection[] = [];
  for (const scene of scenes) {
    const detection = await detectShapes(
      model,
      sceneImage(scene),
      { ...opts, keepMaps: false },
    );
    const score = scoreDetection(detection, scene.labels, scene.shapes.length);
    scores.push(score);
    perScene.push({ detection, score });
  }
  const all = scores.flatMap((s) => s.steps);
  const coverages = all.map((s) => s.coverage);
  const depth = Math.max(0, ...scores.map((s) => s.steps.length));
  return {
    overall: summarizeScores(all),
    byStep: Array.from(
      { length: depth },
      (_, k) => summarizeScores(all.filter((s) => s.step === k)),
    ),
    found: scores.reduce((a, s) => a + s.found, 0) / scores.length,
    coverages,
    coverageP90: lowerQuantile(coverages, 0.9),
    scenes: perScene,
  };
}

/** The value of rank ⌊q·(n − 1)⌋ of the sorted values (NaN for none). */
function lowerQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
}

/**
 * A per-scene value of a report: the mean of `value` over each scene's steps (NaN for a scene
 * without steps), so that scenes, not steps, are the independent units of a bootstrap.
 *
 * @example
 * ```ts
 * const boxIou = perSceneMean(report, (s) => s.boxIou); // one value per scene
 * ```
 */
export function perSceneMean(
  report: DetectionReport,
  value: (step: StepScore) => number,
): number[] {
  return report.scenes.map(({ score }) => mean(score.steps.map(value)));
}

/**
 * Keeps the items (scenes) where every series is a finite number, series by series: the paired
 * comparisons of variants need the same scenes in each.
 *
 * @example
 * ```ts
 * const { original, otsu } = commonFinite({ original: [0.2, NaN], otsu: [0.3, 0.1] });
 * // { original: [0.2], otsu: [0.3] }
 * ```
 */
export function commonFinite<K extends string>(
  series: Record<K, readonly number[]>,
): Record<K, number[]> {
  const lists = Object.values(series) as number[][];
  const n = lists[0]?.length ?? 0;
  if (lists.some((l) => l.length !== n)) {
    throw new Error(
      `commonFinite: the series have ${lists.map((l) => l.length).join(", ")} items; they must ` +
        "score the same items",
    );
  }
  const keep = Array.from({ length: n }, (_, i) => i)
    .filter((i) => lists.every((l) => Number.isFinite(l[i])));
  return Object.fromEntries(
    Object.entries(series).map(([k, l]) => [k, keep.map((i) => (l as number[])[i])]),
  ) as Record<K, number[]>;
}

/** One threshold of {@link thresholdSweep}: per-scene values of the first step's mask. */
export interface SweepPoint {
  /** The rule's name, as given. */
  name: string;
  rule: ThresholdRule;
  /** Per scene: coverage of the shape the mask overlaps most. */
  coverage: number[];
  /** Per scene: fraction of the mask's pixels off every shape. */
  offShape: number[];
  /** Per scene: pixels in the mask. */
  pixels: number[];
  /** The same, for a random mask of as many pixels, drawn uniformly over the image. */
  randomCoverage: number[];
  randomOffShape: number[];
}

/**
 * The first step of the detection (the most salient pixel's second-order map) thresholded by
 * each rule, on every scene, against random masks of the same sizes: how much of a shape each
 * threshold finds and at what cost in off-shape pixels. One second-order map per scene serves all
 * rules.
 *
 * @example
 * ```ts
 * const sweep = await thresholdSweep(model, scenes, {
 *   "½ max": { kind: "fraction", fraction: 0.5 },
 *   "thesis 5e-10": { kind: "absolute", value: 5e-10 },
 * }, { seed: 0 });
 * ```
 */
export async function thresholdSweep(
  model: tf.LayersModel,
  scenes: readonly Scene[],
  rules: Record<string, ThresholdRule>,
  options: { seed: number; objective?: Objective },
): Promise<SweepPoint[]> {
  if (scenes.length === 0) throw new Error("thresholdSweep: give at least one scene");
  const points: SweepPoint[] = Object.entries(rules).map(([name, rule]) => ({
    name,
    rule,
    coverage: [],
    offShape: [],
    pixels: [],
    randomCoverage: [],
    randomOffShape: [],
  }));
  const rng = new Rng(options.seed);
  for (const [i, scene] of scenes.entries()) {
    const image = sceneImage(scene);
    const first = await inputSaliency(model, image, options.objective);
    const seed = first.data.indexOf(Math.max(...first.data));
    const map = (await secondOrderSaliency(model, image, seed, options.objective)).data;
    const sceneRng = rng.fork(`scene-${i}`);
    for (const point of points) {
      const [step] = await detectFromMaps({
        saliency: first.data,
        steps: 1,
        threshold: point.rule,
        secondOrder: () => map,
      });
      const size = step.mask.reduce((a, b) => a + b, 0);
      const random = new Uint8Array(step.mask.length);
      for (const p of sceneRng.permutation(random.length).subarray(0, size)) random[p] = 1;
      const grade = (mask: Uint8Array) =>
        scoreDetection(
          { width: scene.size, steps: [{ seed, mask, threshold: 0, peak: 0 }] },
          scene.labels,
          scene.shapes.length,
        ).steps[0];
      const real = grade(step.mask), chance = grade(random);
      point.coverage.push(real.coverage);
      point.offShape.push(real.offShape);
      point.pixels.push(size);
      point.randomCoverage.push(chance.coverage);
      point.randomOffShape.push(chance.offShape);
    }
  }
  return points;
}
