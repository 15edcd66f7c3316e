/**
 * Synthetic counting scenes: filled right-isosceles triangles and squares, blue on black, each
 * rotated by a random angle, placed fully inside the image, never overlapping or touching
 * another shape. The counts per kind are drawn uniformly over the pairs (triangles, squares)
 * whose sum is at most a limit.
 *
 * Shapes are rasterised here without anti-aliasing: a pixel is blue exactly when its centre lies
 * inside a polygon. So every blue pixel belongs to exactly one shape, and the per-shape masks
 * (kept as one label map per scene) match the image pixel for pixel; a canvas would blend the
 * edges and make "which shape owns this pixel" ambiguous.
 *
 * Size modes: `fixed` (one side for every shape), `per-shape` (each shape its own random side)
 * and `per-image` (one random side per image, shared by its shapes and resampled every image:
 * after Guan & Loew 2021, so that the blue area no longer reveals the count).
 *
 * @module
 */

import { Rng } from "../random/rng.ts";
import { type Dataset, makeDataset } from "./dataset.ts";

/** The two kinds of shape, in the order of the count targets. */
export const SHAPE_KINDS = ["triangle", "square"] as const;
/** One of {@link SHAPE_KINDS}. */
export type ShapeKind = typeof SHAPE_KINDS[number];

/** How shape sizes are drawn (see the module doc). */
export type SizeMode = "fixed" | "per-shape" | "per-image";

/** Options of {@link generateScene} and {@link generateScenes}. */
export interface SceneOptions {
  /** Image side in pixels (square images). */
  imageSize: number;
  /** Largest total count: pairs (triangles, squares) with sum ≤ limit are equally likely. */
  maxTotal: number;
  /** Smallest total count (default 0). */
  minTotal?: number;
  /** Size mode (default "per-image"). */
  sizeMode?: SizeMode;
  /**
   * Side of a square in pixels: one number for `fixed`, a range for the random modes. A triangle
   * has legs √2 × side, so both kinds cover the same area and a kind cannot be told by its area.
   */
  side: number | { min: number; max: number };
  /** Background pixels required between two shapes (default 1: no touching). */
  gap?: number;
  /** Placement attempts per shape before the scene starts over (default 200). */
  triesPerShape?: number;
  /** Fresh starts per scene before giving up with an error (default 50). */
  restarts?: number;
}

/** One placed shape. */
export interface PlacedShape {
  kind: ShapeKind;
  /** Square side in pixels (triangle legs are √2 × side). */
  side: number;
  /** Rotation in radians. */
  angle: number;
  /** Centroid [x, y] in pixels (pixel (c, r) has its centre at (c + 0.5, r + 0.5)). */
  centre: [number, number];
  /** Vertices [x, y], in order around the shape. */
  vertices: [number, number][];
  /** Number of pixels the shape covers. */
  pixels: number;
}

/** A generated scene. */
export interface Scene {
  /** Image side in pixels. */
  size: number;
  /** RGB pixels, H×W×3, blue (0, 0, 1) on black. */
  image: Float32Array;
  /** Label map, H×W: 0 for background, k + 1 for pixels of `shapes[k]`. */
  labels: Uint8Array;
  shapes: PlacedShape[];
  /** Counts in {@link SHAPE_KINDS} order: [triangles, squares]. */
  counts: [number, number];
}

/** Many scenes packed for training: flat arrays, no tensors. */
export interface SceneSet {
  name: string;
  /** [height, width, channels] of one image. */
  shape: [number, number, 3];
  /** All images, NHWC float32 in [0, 1]. */
  x: Float32Array;
  /** Counts, N×2 row-major: [triangles, squares] per image. */
  counts: Float32Array;
  /** Label maps, N×H×W (see {@link Scene.labels}). */
  labels: Uint8Array;
  /** The shapes of every scene. */
  shapes: PlacedShape[][];
}

function checkOptions(opts: SceneOptions): Required<SceneOptions> {
  const full: Required<SceneOptions> = {
    minTotal: 0,
    sizeMode: "per-image",
    gap: 1,
    triesPerShape: 200,
    restarts: 50,
    ...opts,
  };
  const posInt = (v: number, name: string, min = 1) => {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(
        `shapes: ${name} must be an integer ≥ ${min}, got ${v}`,
      );
    }
  };
  posInt(full.imageSize, "imageSize", 4);
  if (full.imageSize > 1024) {
    throw new Error(
      `shapes: imageSize ${full.imageSize} is over 1024; the label maps are bytes per pixel, keep images ≤ 1024 px`,
    );
  }
  posInt(full.maxTotal, "maxTotal", 0);
  posInt(full.minTotal, "minTotal", 0);
  if (full.maxTotal > 254) {
    throw new Error(
      `shapes: maxTotal ${full.maxTotal} is over 254; label maps hold at most 254 shapes`,
    );
  }
  if (full.minTotal > full.maxTotal) {
    throw new Error(
      `shapes: minTotal ${full.minTotal} is above maxTotal ${full.maxTotal}`,
    );
  }
  posInt(full.gap, "gap", 0);
  posInt(full.triesPerShape, "triesPerShape");
  posInt(full.restarts, "restarts");
  if (!["fixed", "per-shape", "per-image"].includes(full.sizeMode)) {
    throw new Error(
      `shapes: unknown sizeMode "${full.sizeMode}"; use fixed, per-shape or per-image`,
    );
  }
  const { min, max } = sideRange(full);
  if (!(min >= 1) || !(max >= min) || !Number.isFinite(max)) {
    throw new Error(
      `shapes: side must be ≥ 1 px (and min ≤ max for a range), got ${JSON.stringify(full.side)}`,
    );
  }
  if (full.sizeMode === "fixed" && typeof full.side !== "number") {
    throw new Error(
      'shapes: sizeMode "fixed" takes one side (a number), not a range',
    );
  }
  // The diagonal of a square (= the hypotenuse of a triangle) must fit in the image at any angle.
  if (max * Math.SQRT2 * 1.2 > full.imageSize) {
    throw new Error(
      `shapes: side ${max} px cannot fit at every angle in a ${full.imageSize} px image; ` +
        `use sides ≤ ${Math.floor(full.imageSize / (Math.SQRT2 * 1.2))} px or a larger image`,
    );
  }
  // A scene of maxTotal of the largest shapes needs at least this much room, gaps included.
  const needed = full.maxTotal * (max + full.gap) ** 2;
  if (needed > full.imageSize ** 2) {
    throw new Error(
      `shapes: ${full.maxTotal} shapes of side ${max} px (gap ${full.gap}) need at least ` +
        `${Math.ceil(needed)} px² but the image has ${full.imageSize ** 2}; ` +
        `lower maxTotal or the side, or enlarge the image`,
    );
  }
  return full;
}

function sideRange(opts: SceneOptions): { min: number; max: number } {
  return typeof opts.side === "number"
    ? { min: opts.side, max: opts.side }
    : { min: opts.side?.min, max: opts.side?.max };
}

/**
 * Vertices of a shape, in order around it, rotated by `angle` about its centroid.
 *
 * @example
 * ```ts
 * shapeVertices("square", 10, 0, [16, 16]); // [[11, 11], [21, 11], [21, 21], [11, 21]]
 * ```
 */
export function shapeVertices(
  kind: ShapeKind,
  side: number,
  angle: number,
  centre: readonly [number, number],
): [number, number][] {
  let local: [number, number][];
  if (kind === "square") {
    const h = side / 2;
    local = [[-h, -h], [h, -h], [h, h], [-h, h]];
  } else {
    // Right angle at the origin, legs √2·side along the axes, shifted so the centroid is at 0.
    const leg = side * Math.SQRT2;
    const c = leg / 3;
    local = [[-c, -c], [leg - c, -c], [-c, leg - c]];
  }
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return local.map(([x, y]) => [
    centre[0] + x * cos - y * sin,
    centre[1] + x * sin + y * cos,
  ]);
}

/**
 * Pixels whose centres lie inside a convex polygon (no anti-aliasing), as flat indices
 * `row * size + col`, in raster order.
 *
 * @example
 * ```ts
 * rasterizePolygon([[0, 0], [2, 0], [2, 2], [0, 2]], 4); // [0, 1, 4, 5]
 * ```
 */
export function rasterizePolygon(
  vertices: readonly (readonly [number, number])[],
  size: number,
): number[] {
  const n = vertices.length;
  // Orientation-independent: a centre is inside when it is on the same side of every edge.
  let area = 0;
  for (let k = 0; k < n; k++) {
    const [x0, y0] = vertices[k];
    const [x1, y1] = vertices[(k + 1) % n];
    area += x0 * y1 - x1 * y0;
  }
  const sign = area >= 0 ? 1 : -1;
  const xs = vertices.map((v) => v[0]);
  const ys = vertices.map((v) => v[1]);
  const c0 = Math.max(0, Math.floor(Math.min(...xs)));
  const c1 = Math.min(size - 1, Math.ceil(Math.max(...xs)));
  const r0 = Math.max(0, Math.floor(Math.min(...ys)));
  const r1 = Math.min(size - 1, Math.ceil(Math.max(...ys)));
  const out: number[] = [];
  for (let r = r0; r <= r1; r++) {
    const py = r + 0.5;
    for (let c = c0; c <= c1; c++) {
      const px = c + 0.5;
      let inside = true;
      for (let k = 0; k < n && inside; k++) {
        const [x0, y0] = vertices[k];
        const [x1, y1] = vertices[(k + 1) % n];
        const cross = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0);
        if (cross * sign < 0) inside = false;
      }
      if (inside) out.push(r * size + c);
    }
  }
  return out;
}

/** Whether any pixel within `gap` (Chebyshev distance) of `pixels` is already taken. */
function collides(
  pixels: readonly number[],
  labels: Uint8Array,
  size: number,
  gap: number,
): boolean {
  for (const p of pixels) {
    const r = Math.floor(p / size);
    const c = p - r * size;
    for (let dr = -gap; dr <= gap; dr++) {
      const rr = r + dr;
      if (rr < 0 || rr >= size) continue;
      for (let dc = -gap; dc <= gap; dc++) {
        const cc = c + dc;
        if (cc >= 0 && cc < size && labels[rr * size + cc] !== 0) return true;
      }
    }
  }
  return false;
}

/** Counts drawn uniformly over the pairs (t, s) with minTotal ≤ t + s ≤ maxTotal. */
function drawCounts(rng: Rng, minTotal: number, maxTotal: number): [
  number,
  number,
] {
  const pairs: [number, number][] = [];
  for (let total = minTotal; total <= maxTotal; total++) {
    for (let t = 0; t <= total; t++) pairs.push([t, total - t]);
  }
  return pairs[rng.int(pairs.length)];
}

/**
 * Draws one scene. Throws when the shapes cannot be placed (too many or too large for the
 * image), naming what to change.
 *
 * @example
 * ```ts
 * const scene = generateScene({ imageSize: 48, maxTotal: 5, side: { min: 6, max: 10 } },
 *   new Rng(0));
 * scene.counts; // e.g. [2, 1]
 * ```
 */
export function generateScene(opts: SceneOptions, rng: Rng): Scene {
  const o = checkOptions(opts);
  return drawScene(o, rng);
}

function drawScene(o: Required<SceneOptions>, rng: Rng): Scene {
  const size = o.imageSize;
  const counts = drawCounts(rng, o.minTotal, o.maxTotal);
  const kinds: ShapeKind[] = [
    ...Array<ShapeKind>(counts[0]).fill("triangle"),
    ...Array<ShapeKind>(counts[1]).fill("square"),
  ];
  rng.shuffle(kinds);
  const { min, max } = sideRange(o);
  const draw = () => min + (max - min) * rng.uniform();
  const imageSide = o.sizeMode === "per-image" ? draw() : min;
  const sides = kinds.map(() => o.sizeMode === "per-shape" ? draw() : imageSide);
  for (let attempt = 0; attempt < o.restarts; attempt++) {
    const labels = new Uint8Array(size * size);
    const shapes: PlacedShape[] = [];
    for (let k = 0; k < kinds.length; k++) {
      const placed = placeShape(kinds[k], sides[k], k + 1, labels, o, rng);
      if (!placed) break;
      shapes.push(placed);
    }
    if (shapes.length === kinds.length) {
      const image = new Float32Array(size * size * 3);
      for (let p = 0; p < labels.length; p++) {
        if (labels[p] !== 0) image[p * 3 + 2] = 1;
      }
      return { size, image, labels, shapes, counts };
    }
  }
  throw new Error(
    `shapes: could not place ${kinds.length} shapes (sides ${
      sides.map((s) => s.toFixed(1)).join(", ")
    } px, gap ${o.gap}) in a ${size} px image after ${o.restarts} restarts of ` +
      `${o.triesPerShape} tries per shape; lower maxTotal or the side, or enlarge the image`,
  );
}

function placeShape(
  kind: ShapeKind,
  side: number,
  label: number,
  labels: Uint8Array,
  o: Required<SceneOptions>,
  rng: Rng,
): PlacedShape | undefined {
  const size = o.imageSize;
  for (let t = 0; t < o.triesPerShape; t++) {
    const angle = 2 * Math.PI * rng.uniform();
    const centre: [number, number] = [
      size * rng.uniform(),
      size * rng.uniform(),
    ];
    const vertices = shapeVertices(kind, side, angle, centre);
    // Fully inside: every vertex (so the whole convex shape) within the image.
    if (vertices.some(([x, y]) => x < 0 || y < 0 || x > size || y > size)) {
      continue;
    }
    const pixels = rasterizePolygon(vertices, size);
    if (pixels.length === 0 || collides(pixels, labels, size, o.gap)) continue;
    for (const p of pixels) labels[p] = label;
    return { kind, side, angle, centre, vertices, pixels: pixels.length };
  }
  return undefined;
}

/**
 * Draws `n` scenes from `seed` into flat arrays for training and evaluation. The same options
 * and seed give the same scenes.
 *
 * @example
 * ```ts
 * const train = generateScenes("train", 1000,
 *   { imageSize: 48, maxTotal: 5, sizeMode: "per-image", side: { min: 6, max: 10 } }, 1);
 * train.counts.subarray(0, 2); // [triangles, squares] of the first image
 * ```
 */
export function generateScenes(
  name: string,
  n: number,
  opts: SceneOptions,
  seed: number,
): SceneSet {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `shapes: the number of scenes must be a positive integer, got ${n}`,
    );
  }
  const o = checkOptions(opts);
  const size = o.imageSize;
  const hw = size * size;
  const x = new Float32Array(n * hw * 3);
  const counts = new Float32Array(n * 2);
  const labels = new Uint8Array(n * hw);
  const shapes: PlacedShape[][] = [];
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const scene = drawScene(o, rng);
    x.set(scene.image, i * hw * 3);
    labels.set(scene.labels, i * hw);
    counts[2 * i] = scene.counts[0];
    counts[2 * i + 1] = scene.counts[1];
    shapes.push(scene.shapes);
  }
  return { name, shape: [size, size, 3], x, counts, labels, shapes };
}

/**
 * The scene at `index` of a set, as a {@link Scene} (views into the set's arrays, no copy).
 *
 * @example
 * ```ts
 * const scene = sceneAt(test, 0);
 * const mask = shapeMask(scene, 0);
 * ```
 */
export function sceneAt(set: SceneSet, index: number): Scene {
  const n = set.shapes.length;
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new Error(
      `shapes: scene index ${index} is outside the set "${set.name}" of ${n} scenes`,
    );
  }
  const size = set.shape[0];
  const hw = size * size;
  return {
    size,
    image: set.x.subarray(index * hw * 3, (index + 1) * hw * 3),
    labels: set.labels.subarray(index * hw, (index + 1) * hw),
    shapes: set.shapes[index],
    counts: [set.counts[2 * index], set.counts[2 * index + 1]],
  };
}

/**
 * The mask of shape `k` of a scene: 1 where the shape's pixels are, else 0 (H×W).
 *
 * @example
 * ```ts
 * const mask = shapeMask(scene, 0);
 * mask.reduce((a, b) => a + b, 0) === scene.shapes[0].pixels; // true
 * ```
 */
export function shapeMask(scene: Scene, k: number): Uint8Array {
  if (!Number.isInteger(k) || k < 0 || k >= scene.shapes.length) {
    throw new Error(
      `shapes: the scene has ${scene.shapes.length} shapes; there is no shape ${k}`,
    );
  }
  const mask = new Uint8Array(scene.labels.length);
  for (let p = 0; p < mask.length; p++) {
    if (scene.labels[p] === k + 1) mask[p] = 1;
  }
  return mask;
}

/**
 * Scenes as a {@link Dataset} for training and prediction: the images, the counts
 * [triangles, squares] as real-valued targets (what a counter regresses), and the total count
 * as the label.
 *
 * @example
 * ```ts
 * await fit(model, sceneDataset(train), { steps: 500, batchSize: 32, seed: 0,
 *   optimizer: { name: "adam", lr: 1e-3 }, shuffle: "stream" });
 * ```
 */
export function sceneDataset(set: SceneSet): Dataset {
  const n = set.counts.length / SHAPE_KINDS.length;
  const labels = Int32Array.from(
    { length: n },
    (_, i) => set.counts[2 * i] + set.counts[2 * i + 1],
  );
  return makeDataset({
    name: set.name,
    shape: set.shape,
    x: set.x,
    labels,
    numClasses: Math.max(0, ...labels) + 1,
    targets: set.counts,
    targetWidth: SHAPE_KINDS.length,
  });
}
