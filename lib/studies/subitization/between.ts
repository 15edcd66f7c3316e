/**
 * "Between two shapes" as the thesis means it (§2.2.2: selected pixels "between two shapes",
 * which a seed in the gap would tie to both): the background inside the convex hull of some pair
 * of shapes, that is the gap that joins them. Empty corners of the image and the background
 * beside a lone shape are not between shapes.
 *
 * @module
 */

import type { Scene } from "../../data/shapes.ts";

type Point = readonly [number, number];

const cross = (o: Point, a: Point, b: Point) =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/**
 * The convex hull of `points`, counter-clockwise in x-right, y-down pixel coordinates read as
 * a plain plane (Andrew's monotone chain); collinear points are dropped.
 *
 * @example
 * ```ts
 * convexHull([[0, 0], [2, 0], [1, 1], [2, 2], [0, 2]]); // [[0, 0], [2, 0], [2, 2], [0, 2]]
 * ```
 */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const half = (list: Point[]) => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) {
        out.pop();
      }
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

/** Whether `p` is inside or on the convex polygon `hull` (counter-clockwise, as convexHull). */
function insideConvex(hull: readonly Point[], p: Point): boolean {
  if (hull.length < 3) return false;
  for (let i = 0; i < hull.length; i++) {
    if (cross(hull[i], hull[(i + 1) % hull.length], p) < 0) return false;
  }
  return true;
}

/**
 * The pixels between two shapes of a scene: background pixels whose centre lies in the convex
 * hull of two shapes' vertices, for some pair of shapes. Empty (all zero) with fewer than two
 * shapes.
 *
 * @example
 * ```ts
 * const between = betweenShapes(scene); // Uint8Array H×W, 1 = in a gap between two shapes
 * ```
 */
export function betweenShapes(scene: Scene): Uint8Array {
  const n = scene.size;
  const out = new Uint8Array(n * n);
  const shapes = scene.shapes;
  for (let a = 0; a < shapes.length; a++) {
    for (let b = a + 1; b < shapes.length; b++) {
      const hull = convexHull([...shapes[a].vertices, ...shapes[b].vertices]);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          const p = r * n + c;
          if (scene.labels[p] === 0 && insideConvex(hull, [c + 0.5, r + 0.5])) out[p] = 1;
        }
      }
    }
  }
  return out;
}

/** Where a set of selected pixels lies, against where pixels lie by chance. */
export interface BetweenShare {
  /** Fraction of the selected pixels that are between two shapes. */
  selected: number;
  /** Fraction of all pixels that are between two shapes: what a random selection would hit. */
  chance: number;
}

/**
 * The share of `mask`'s pixels between two shapes of `scene`, and the share of the image that
 * is (the chance level). NaN for an empty mask.
 *
 * @example
 * ```ts
 * const { selected, chance } = betweenShare(step.mask, scene);
 * ```
 */
export function betweenShare(mask: Uint8Array, scene: Scene): BetweenShare {
  if (mask.length !== scene.labels.length) {
    throw new Error(
      `betweenShare: a mask of ${mask.length} pixels for a ${scene.size}×${scene.size} scene`,
    );
  }
  const between = betweenShapes(scene);
  let hits = 0, size = 0, area = 0;
  for (let p = 0; p < mask.length; p++) {
    area += between[p];
    if (mask[p]) {
      size += 1;
      hits += between[p];
    }
  }
  return { selected: size ? hits / size : NaN, chance: area / mask.length };
}
