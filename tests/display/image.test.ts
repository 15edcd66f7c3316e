import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Buffer } from "node:buffer";
import {
  colormapLut,
  type ColormapName,
  encodeImageGrid,
  encodePng,
  imageGridBundle,
  showImageGrid,
} from "../../lib/display/mod.ts";
import { captureLog, decodePng, withFakeKernel } from "./helpers.ts";

await tf.setBackend("cpu");

const rgbOf = (
  name: ColormapName,
  index: number,
) => [...colormapLut(name).subarray(index * 3, index * 3 + 3), 255];

Deno.test("a gray image upscales by nearest neighbour to exact pixel values", async () => {
  const png = await encodePng({ data: [0, 1, 0.5, 0.25], shape: [2, 2] }, {
    scale: 2,
  });
  const img = await decodePng(png);
  assert.equal(img.width, 4);
  assert.equal(img.height, 4);
  const expected = [[0, 255], [128, 64]];
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const v = expected[y >> 1][x >> 1];
      assert.deepEqual(img.pixel(x, y), [v, v, v, 255], `pixel (${x}, ${y})`);
    }
  }
});

Deno.test("a tensor batch maps to viridis per image without leaking tensors", async () => {
  const batch = tf.tensor4d([0, 1, 2, 3, 10, 20, 30, 40], [2, 2, 2, 1]);
  const before = tf.memory().numTensors;
  const png = await encodeImageGrid(batch, {
    colormap: "viridis",
    normalize: "per-image",
    scale: 1,
    gap: 0,
  });
  assert.equal(tf.memory().numTensors, before);
  batch.dispose();
  const img = await decodePng(png);
  assert.deepEqual([img.width, img.height], [4, 2]);
  // Each image spans its own range: its first pixel is the low end, its last the high end.
  assert.deepEqual(img.pixel(0, 0), rgbOf("viridis", 0));
  assert.deepEqual(img.pixel(1, 1), rgbOf("viridis", 255));
  assert.deepEqual(img.pixel(2, 0), rgbOf("viridis", 0));
  assert.deepEqual(img.pixel(3, 1), rgbOf("viridis", 255));
  assert.deepEqual(img.pixel(1, 0), rgbOf("viridis", 85)); // 1/3 of the range
});

Deno.test("shared normalisation uses one range for all images", async () => {
  const images = [
    { data: [0, 1], shape: [1, 2] },
    { data: [0, 2], shape: [1, 2] },
  ];
  const shared = await decodePng(
    await encodeImageGrid(images, { normalize: "shared", scale: 1, gap: 0 }),
  );
  assert.deepEqual(shared.pixel(1, 0), [128, 128, 128, 255]);
  assert.deepEqual(shared.pixel(3, 0), [255, 255, 255, 255]);
  const perImage = await decodePng(
    await encodeImageGrid(images, { normalize: "per-image", scale: 1, gap: 0 }),
  );
  assert.deepEqual(perImage.pixel(1, 0), [255, 255, 255, 255]);
  const fixed = await decodePng(
    await encodeImageGrid(images, {
      normalize: { min: 0, max: 4 },
      scale: 1,
      gap: 0,
    }),
  );
  assert.deepEqual(fixed.pixel(3, 0), [128, 128, 128, 255]);
});

Deno.test("signed maps default to the diverging map centred at 0", async () => {
  const png = await encodePng({ data: [-2, 0, 1], shape: [1, 3, 1] });
  const img = await decodePng(png);
  assert.deepEqual(img.pixel(0, 0), rgbOf("diverging", 0));
  assert.deepEqual(img.pixel(1, 0), rgbOf("diverging", 128));
  assert.deepEqual(img.pixel(2, 0), rgbOf("diverging", 191)); // 1 in [-2, 2] → 0.75
});

Deno.test("3-channel images pass through as RGB", async () => {
  const img = await decodePng(
    await encodePng({ data: [1, 0, 0.5], shape: [1, 1, 3] }),
  );
  assert.deepEqual(img.pixel(0, 0), [255, 0, 128, 255]);
});

Deno.test("rows of batches are laid out on a grid with gaps", async () => {
  const row = (v: number) => ({
    data: new Float32Array(3 * 4).fill(v),
    shape: [3, 2, 2, 1],
  });
  const png = await encodeImageGrid([row(0), row(1)], { scale: 3, gap: 4 });
  const img = await decodePng(png);
  // 3 columns and 2 rows of 6×6 cells with 4 px between and around them.
  assert.deepEqual([img.width, img.height], [4 + 3 * (6 + 4), 4 + 2 * (6 + 4)]);
  assert.deepEqual(img.pixel(0, 0), [255, 255, 255, 255]);
  assert.deepEqual(img.pixel(4, 4), [0, 0, 0, 255]); // row 0, column 0
  assert.deepEqual(img.pixel(24 + 5, 14 + 5), [255, 255, 255, 255]); // row 1, column 2
  assert.deepEqual(img.pixel(24 - 1, 14), [255, 255, 255, 255]); // the gap before it
});

Deno.test("titles and captions add room and draw text", async () => {
  const images = {
    data: new Float32Array(2 * 4 * 4).fill(1),
    shape: [2, 4, 4, 1],
  };
  const plain = await decodePng(await encodeImageGrid(images, { scale: 4 }));
  const titled = await decodePng(
    await encodeImageGrid(images, {
      scale: 4,
      title: "Adversarial examples",
      rowTitles: ["clean"],
      columnTitles: ["a", "b"],
      captions: ["7 (0.98)", "1 (0.51)"],
    }),
  );
  assert.ok(
    titled.width > plain.width,
    "row titles and the title widen the grid",
  );
  assert.ok(
    titled.height > plain.height,
    "titles and captions heighten the grid",
  );
  let dark = 0;
  for (let x = 0; x < titled.width; x++) {
    for (let y = 0; y < 16; y++) if (titled.pixel(x, y)[0] < 128) dark++;
  }
  assert.ok(
    dark > 20,
    `the title should be drawn (dark pixels in the top band: ${dark})`,
  );
});

Deno.test("28×28 images are upscaled ×3 by default", async () => {
  const img = await decodePng(
    await encodePng(
      { data: new Float32Array(28 * 28), shape: [28, 28, 1] },
      { scale: undefined },
    ),
  );
  assert.deepEqual([img.width, img.height], [28, 28]);
  const grid = await decodePng(
    await encodeImageGrid(
      { data: new Float32Array(28 * 28), shape: [28, 28] },
      { gap: 0 },
    ),
  );
  assert.deepEqual([grid.width, grid.height], [84, 84]);
});

Deno.test("imageGridBundle holds a base64 PNG and a description with ranges", async () => {
  const bundle = await imageGridBundle(
    [[{ data: [0, 1], shape: [1, 2] }], [{
      data: [-0.5, 0.25],
      shape: [1, 2, 1],
    }]],
    { rowTitles: ["x", "δ"], colormap: ["gray", "diverging"], title: "Attack" },
  );
  const png = new Uint8Array(
    Buffer.from(bundle["image/png"] as string, "base64"),
  );
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const { width, height } = await decodePng(png);
  assert.equal(
    bundle["text/plain"],
    `Attack\nImage grid: 2 × 1 of 1×2 (×32), ${width}×${height} px PNG\n` +
      "  x: gray, range [0, 1]\n  δ: diverging, range [-0.500, 0.500]",
  );
});

Deno.test("showImageGrid sends image/png to the kernel", async () => {
  const sent = await withFakeKernel(async (sent) => {
    await showImageGrid({ data: [0, 1], shape: [1, 2] });
    return sent;
  });
  assert.equal(sent.length, 1);
  assert.equal(typeof sent[0].content.data["image/png"], "string");
  const printed = await captureLog(() => showImageGrid({ data: [0, 1], shape: [1, 2] }));
  assert.match(printed[0], /^Image grid: 1 × 1 of 1×2/);
});

Deno.test("bad image input gets errors that name the fix", async () => {
  await assert.rejects(
    encodeImageGrid({ data: new Float32Array(8), shape: [2, 2, 2] }),
    /shape \[2,2,2\]; expected \[H,W\], \[H,W,C\] or \[N,H,W,C\] with C = 1 or 3/,
  );
  await assert.rejects(
    encodeImageGrid({ data: new Float32Array(3), shape: [2, 2] }),
    /has 3 values but shape \[2,2\] needs 4/,
  );
  const t = tf.zeros([2, 2]);
  t.dispose();
  await assert.rejects(
    encodeImageGrid(t),
    /disposed tensor; show it before disposing it/,
  );
  await assert.rejects(
    encodeImageGrid({ data: [0, 1], shape: [1, 2] }, { captions: ["a", "b"] }),
    /2 captions for 1 images/,
  );
  await assert.rejects(
    encodeImageGrid([{ data: [0, 1], shape: [1, 2] }, [{
      data: [0, 1],
      shape: [1, 2],
    }]]),
    /mixes rows \(batches or lists\) with single images/,
  );
  await assert.rejects(
    encodeImageGrid({ data: [0, 1], shape: [1, 2] }, { colormap: "rgb" }),
    /colormap rgb needs 3-channel images/,
  );
  await assert.rejects(
    encodeImageGrid({ data: [0, 1], shape: [1, 2] }, { scale: 1.5 }),
    /scale must be a positive integer/,
  );
  await assert.rejects(encodeImageGrid([]), /no images to show/);
  await assert.rejects(
    encodeImageGrid({ data: [0, 1], shape: [1, 2] }, {
      colormap: ["gray", "gray"],
    }),
    /colormap lists 2 entries but the grid has 1 group/,
  );
});
