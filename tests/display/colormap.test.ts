import assert from "node:assert/strict";
import { colormapLut, type ColormapName, plotlyColorscale } from "../../lib/display/mod.ts";

const at = (
  name: ColormapName,
  i: number,
) => [...colormapLut(name).subarray(i * 3, i * 3 + 3)];

Deno.test("colour maps have matplotlib's end colours", () => {
  assert.deepEqual(at("viridis", 0), [68, 1, 84]); // #440154
  assert.deepEqual(at("viridis", 255), [253, 231, 37]); // #fde725
  assert.deepEqual(at("magma", 0), [0, 0, 4]); // #000004
  assert.deepEqual(at("magma", 255), [252, 253, 191]); // #fcfdbf
  assert.deepEqual(at("gray", 0), [0, 0, 0]);
  assert.deepEqual(at("gray", 200), [200, 200, 200]);
  assert.deepEqual(at("gray", 255), [255, 255, 255]);
});

Deno.test("the diverging map runs blue → near white → red", () => {
  assert.deepEqual(at("diverging", 0), [5, 48, 97]);
  assert.deepEqual(at("diverging", 255), [103, 0, 31]);
  const mid = at("diverging", 128);
  assert.ok(
    mid.every((v) => v > 230),
    `middle colour ${mid} should be near white`,
  );
});

Deno.test("viridis gets brighter monotonically (perceptual order)", () => {
  const lum = (i: number) => {
    const [r, g, b] = at("viridis", i);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (let i = 1; i < 256; i++) {
    assert.ok(lum(i) >= lum(i - 1) - 0.5, `step ${i}`);
  }
});

Deno.test("plotlyColorscale samples the same table", () => {
  const scale = plotlyColorscale("viridis", 3);
  assert.equal(scale.length, 3);
  assert.deepEqual(scale[0], [0, "rgb(68,1,84)"]);
  assert.deepEqual(scale[2], [1, "rgb(253,231,37)"]);
  assert.equal(scale[1][0], 0.5);
});

Deno.test("an unknown colour map is rejected with the list of names", () => {
  assert.throws(
    () => colormapLut("jet" as ColormapName),
    /unknown colour map "jet"; use one of gray, viridis, magma, diverging/,
  );
});
