import assert from "node:assert/strict";
import { Rng } from "../../lib/random/rng.ts";
import {
  generateScene,
  generateScenes,
  rasterizePolygon,
  sceneAt,
  type SceneOptions,
  shapeMask,
  shapeVertices,
} from "../../lib/data/shapes.ts";

const base: SceneOptions = {
  imageSize: 40,
  maxTotal: 4,
  sizeMode: "per-image",
  side: { min: 6, max: 10 },
};

Deno.test("rasterizePolygon fills pixels whose centres are inside, without anti-aliasing", () => {
  assert.deepEqual(rasterizePolygon([[0, 0], [2, 0], [2, 2], [0, 2]], 4), [
    0,
    1,
    4,
    5,
  ]);
  // Clockwise order gives the same pixels.
  assert.deepEqual(
    rasterizePolygon([[0, 0], [0, 2], [2, 2], [2, 0]], 4),
    [0, 1, 4, 5],
  );
  // Clipped to the image.
  assert.deepEqual(rasterizePolygon([[-5, -5], [1, -5], [1, 1], [-5, 1]], 3), [
    0,
  ]);
});

Deno.test("shapeVertices: squares and right-isosceles triangles of equal area", () => {
  const sq = shapeVertices("square", 10, 0, [16, 16]);
  assert.deepEqual(sq, [[11, 11], [21, 11], [21, 21], [11, 21]]);
  const tri = shapeVertices("triangle", 10, 0.3, [16, 16]);
  const area = (v: [number, number][]) =>
    Math.abs(
      v.reduce(
        (a, [x, y], i) => a + x * v[(i + 1) % v.length][1] - v[(i + 1) % v.length][0] * y,
        0,
      ),
    ) / 2;
  assert.ok(Math.abs(area(tri) - 100) < 1e-9);
  // Right angle at vertex 0, equal legs: √2 × side.
  const [a, b, c] = tri;
  const ab = [b[0] - a[0], b[1] - a[1]], ac = [c[0] - a[0], c[1] - a[1]];
  assert.ok(Math.abs(ab[0] * ac[0] + ab[1] * ac[1]) < 1e-9);
  assert.ok(Math.abs(Math.hypot(ab[0], ab[1]) - 10 * Math.SQRT2) < 1e-9);
  assert.ok(Math.abs(Math.hypot(ac[0], ac[1]) - 10 * Math.SQRT2) < 1e-9);
  // The centroid is the centre.
  const cx = (a[0] + b[0] + c[0]) / 3, cy = (a[1] + b[1] + c[1]) / 3;
  assert.ok(Math.abs(cx - 16) < 1e-9 && Math.abs(cy - 16) < 1e-9);
});

Deno.test("scenes: counts, containment, non-overlap, no touching, masks match pixels", () => {
  const set = generateScenes("t", 60, base, 3);
  const n = 40;
  for (let i = 0; i < 60; i++) {
    const scene = sceneAt(set, i);
    const [t, s] = scene.counts;
    assert.ok(t + s <= 4);
    assert.equal(scene.shapes.filter((x) => x.kind === "triangle").length, t);
    assert.equal(scene.shapes.filter((x) => x.kind === "square").length, s);
    for (const shape of scene.shapes) {
      for (const [x, y] of shape.vertices) {
        assert.ok(x >= 0 && y >= 0 && x <= n && y <= n, "vertex inside");
      }
    }
    // Masks partition the blue pixels, and each has the shape's pixel count.
    const union = new Uint8Array(n * n);
    scene.shapes.forEach((shape, k) => {
      const mask = shapeMask(scene, k);
      assert.equal(mask.reduce((a, b) => a + b, 0), shape.pixels);
      assert.ok(shape.pixels > 0);
      // The mask is exactly the rasterised polygon.
      const expected = new Uint8Array(n * n);
      for (const p of rasterizePolygon(shape.vertices, n)) expected[p] = 1;
      assert.deepEqual(mask, expected);
      mask.forEach((m, p) => {
        if (m) {
          assert.equal(union[p], 0, "shapes overlap");
          union[p] = 1;
        }
      });
    });
    for (let p = 0; p < n * n; p++) {
      assert.equal(scene.image[p * 3 + 2], union[p], "blue iff in a mask");
      assert.equal(scene.image[p * 3], 0);
      assert.equal(scene.image[p * 3 + 1], 0);
    }
    // No two shapes touch: no 8-neighbours with different non-zero labels.
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const l = scene.labels[r * n + c];
        if (!l) continue;
        for (let dr = -1; dr <= 1; dr++) {
          for (let dc = -1; dc <= 1; dc++) {
            const rr = r + dr, cc = c + dc;
            if (rr < 0 || cc < 0 || rr >= n || cc >= n) continue;
            const m = scene.labels[rr * n + cc];
            assert.ok(m === 0 || m === l, "shapes touch");
          }
        }
      }
    }
  }
});

Deno.test("scenes: counts are uniform over pairs with sum ≤ limit", () => {
  const set = generateScenes(
    "u",
    3000,
    { imageSize: 24, maxTotal: 2, sizeMode: "fixed", side: 4 },
    5,
  );
  const freq = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const key = `${set.counts[2 * i]},${set.counts[2 * i + 1]}`;
    freq.set(key, (freq.get(key) ?? 0) + 1);
  }
  // Six pairs: (0,0) (0,1) (1,0) (0,2) (1,1) (2,0), 500 each in expectation.
  assert.equal(freq.size, 6);
  for (const count of freq.values()) assert.ok(Math.abs(count - 500) < 90);
});

Deno.test("scenes: size modes", () => {
  const fixed = generateScenes(
    "f",
    20,
    { ...base, sizeMode: "fixed", side: 8 },
    1,
  );
  assert.ok(fixed.shapes.flat().every((s) => s.side === 8));
  const perImage = generateScenes("i", 40, base, 1);
  const imageSides = perImage.shapes.filter((s) => s.length > 1).map((s) =>
    new Set(s.map((x) => x.side))
  );
  assert.ok(imageSides.every((s) => s.size === 1), "one side per image");
  const distinct = new Set(perImage.shapes.flat().map((s) => s.side));
  assert.ok(distinct.size > 5, "resampled every image");
  const perShape = generateScenes(
    "s",
    40,
    { ...base, sizeMode: "per-shape" },
    1,
  );
  assert.ok(
    perShape.shapes.some((s) => new Set(s.map((x) => x.side)).size > 1),
    "sides vary within an image",
  );
  for (const s of [...perImage.shapes.flat(), ...perShape.shapes.flat()]) {
    assert.ok(s.side >= 6 && s.side <= 10);
  }
});

Deno.test("scenes are deterministic in the seed", () => {
  const a = generateScenes("a", 10, base, 7);
  const b = generateScenes("b", 10, base, 7);
  const c = generateScenes("c", 10, base, 8);
  assert.deepEqual(a.x, b.x);
  assert.deepEqual(a.counts, b.counts);
  assert.deepEqual(a.labels, b.labels);
  assert.notDeepEqual(a.x, c.x);
  assert.deepEqual(
    generateScene(base, new Rng(2)).image,
    generateScene(base, new Rng(2)).image,
  );
});

Deno.test("scenes: asking for more shapes than fit fails with a clear error", () => {
  // Impossible by area: refused before sampling.
  assert.throws(
    () =>
      generateScene(
        { imageSize: 20, maxTotal: 10, sizeMode: "fixed", side: 8 },
        new Rng(0),
      ),
    /need at least .* lower maxTotal or the side, or enlarge the image/,
  );
  // Possible by area but not by placement: rejection sampling gives up.
  assert.throws(
    () =>
      generateScene({
        imageSize: 24,
        minTotal: 8,
        maxTotal: 8,
        sizeMode: "fixed",
        side: 6,
        triesPerShape: 20,
        restarts: 3,
      }, new Rng(0)),
    /could not place 8 shapes .* after 3 restarts/,
  );
});

Deno.test("scenes: bad options are named", () => {
  assert.throws(
    () => generateScene({ ...base, sizeMode: "fixed" }, new Rng(0)),
    /"fixed" takes one side/,
  );
  assert.throws(
    () => generateScene({ ...base, side: 30 }, new Rng(0)),
    /cannot fit at every angle/,
  );
  assert.throws(
    () => generateScene({ ...base, maxTotal: -1 }, new Rng(0)),
    /maxTotal must be an integer/,
  );
  assert.throws(
    () => generateScene({ ...base, side: { min: 9, max: 5 } }, new Rng(0)),
    /min ≤ max/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => generateScene({ ...base, sizeMode: "huge" as any }, new Rng(0)),
    /unknown sizeMode/,
  );
  assert.throws(() => generateScenes("x", 0, base, 0), /positive integer/);
  const set = generateScenes("x", 2, base, 0);
  assert.throws(() => sceneAt(set, 2), /outside the set/);
});
