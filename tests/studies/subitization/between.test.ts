import assert from "node:assert/strict";
import type { PlacedShape, Scene } from "../../../lib/data/shapes.ts";
import {
  betweenShapes,
  betweenShare,
  convexHull,
} from "../../../lib/studies/subitization/between.ts";

Deno.test("convexHull drops inner and collinear points, keeps one orientation", () => {
  const hull = convexHull([[0, 0], [1, 0], [2, 0], [1, 1], [2, 2], [0, 2]]);
  assert.deepEqual(hull, [[0, 0], [2, 0], [2, 2], [0, 2]]);
  assert.deepEqual(convexHull([[1, 1], [0, 0]]), [[0, 0], [1, 1]]);
});

/** A 1-pixel square at (col, row) as a placed shape. */
function pixelSquare(col: number, row: number): PlacedShape {
  return {
    kind: "square",
    side: 1,
    angle: 0,
    centre: [col + 0.5, row + 0.5],
    vertices: [[col, row], [col + 1, row], [col + 1, row + 1], [col, row + 1]],
    pixels: 1,
  };
}

/** A 7×7 scene with 1-pixel squares at the given (col, row) places. */
function scene(places: [number, number][]): Scene {
  const labels = new Uint8Array(49);
  places.forEach(([c, r], k) => labels[r * 7 + c] = k + 1);
  return {
    size: 7,
    image: new Float32Array(147),
    labels,
    shapes: places.map(([c, r]) => pixelSquare(c, r)),
    counts: [0, places.length],
  };
}

Deno.test("betweenShapes: the background in the hull of a pair, nothing for a lone shape", () => {
  // Two squares on row 3, at columns 1 and 5: the gap is columns 2–4 of row 3.
  const two = betweenShapes(scene([[1, 3], [5, 3]]));
  const gap = [...two.keys()].filter((p) => two[p]);
  assert.deepEqual(gap, [3 * 7 + 2, 3 * 7 + 3, 3 * 7 + 4]);
  assert.equal(betweenShapes(scene([[1, 3]])).reduce((a, b) => a + b, 0), 0);
  // Three squares: each pair adds its gap, the shapes themselves never count.
  const three = betweenShapes(scene([[1, 1], [5, 1], [1, 5]]));
  assert.equal(three[1 * 7 + 3], 1); // between the top two
  assert.equal(three[3 * 7 + 1], 1); // between the left two
  assert.equal(three[3 * 7 + 3], 1); // between the top-right and the bottom-left
  assert.equal(three[1 * 7 + 1], 0); // a shape
  assert.equal(three[6 * 7 + 6], 0); // an empty corner
});

Deno.test("betweenShare: selected pixels in the gap against the gap's share of the image", () => {
  const s = scene([[1, 3], [5, 3]]);
  const mask = new Uint8Array(49);
  mask[3 * 7 + 2] = 1; // in the gap
  mask[0] = 1; // an empty corner
  assert.deepEqual(betweenShare(mask, s), { selected: 0.5, chance: 3 / 49 });
  assert.ok(Number.isNaN(betweenShare(new Uint8Array(49), s).selected));
  assert.throws(() => betweenShare(new Uint8Array(4), s), /a mask of 4 pixels for a 7×7 scene/);
});
