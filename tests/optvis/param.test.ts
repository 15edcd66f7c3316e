import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { colorCorrelationSqrt, fourierImage, pixelImage } from "../../lib/optvis/param.ts";

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

Deno.test("fourierImage: an image's spectrum round-trips to the image (even and odd sizes)", () => {
  for (const [h, w] of [[8, 8], [7, 5], [6, 9]]) {
    const original = tf.randomUniform([2, h, w, 3], 0.05, 0.95, "float32", h * w) as tf.Tensor4D;
    for (const decayPower of [0, 1]) {
      const param = fourierImage({
        batch: 2,
        height: h,
        width: w,
        channels: 3,
        seed: 0,
        init: original,
        decayPower,
      });
      const back = param.images();
      const err = maxAbsDiff(back, original);
      assert.ok(err < 1e-4, `${h}×${w}, decay ${decayPower}: max error ${err}`);
      tf.dispose(back);
      param.dispose();
    }
    original.dispose();
  }
});

Deno.test("fourierImage: a single frequency is the cosine the DFT says", () => {
  // Parameters zero but the real part at (k, l) = (1, 2): the pre-sigmoid image is
  // weight · scale · sqrt(hw) / (hw) · cos(2π(km/h + ln/w)) with weight 2 (conjugate pair).
  const [h, w] = [6, 8];
  const param = fourierImage({ height: h, width: w, seed: 0, decayPower: 0 });
  const re = tf.buffer([1, 1, h, w / 2 + 1]);
  re.set(1, 0, 0, 1, 2);
  param.variables[0].assign(re.toTensor());
  param.variables[1].assign(tf.zerosLike(param.variables[1]));
  const images = param.images();
  const pre = tf.tidy(() => tf.log(tf.div(images, tf.sub(1, images)))); // undo the sigmoid
  const got = pre.arraySync() as number[][][][];
  for (let m = 0; m < h; m++) {
    for (let n = 0; n < w; n++) {
      const expected = (2 / Math.sqrt(h * w)) * Math.cos(2 * Math.PI * (m / h + (2 * n) / w));
      assert.ok(Math.abs(got[0][m][n][0] - expected) < 1e-5, `(${m}, ${n})`);
    }
  }
  tf.dispose([images, pre]);
  param.dispose();
});

Deno.test("pixelImage and colour decorrelation round-trip; images lie in [0, 1]", () => {
  const original = tf.randomUniform([1, 5, 5, 3], 0.05, 0.95, "float32", 3) as tf.Tensor4D;
  const data = tf.tidy(() => {
    // Correlated colours: channel 1 follows channel 0.
    const base = tf.randomNormal([50, 4, 4, 1], 0, 1, "float32", 4);
    return tf.concat([
      base,
      base.mul(0.8).add(tf.randomNormal([50, 4, 4, 1], 0, 0.2, "float32", 5)),
      tf.randomNormal([50, 4, 4, 1], 0, 0.5, "float32", 6),
    ], 3);
  });
  const colorSqrt = colorCorrelationSqrt(data as tf.Tensor4D);
  // M Mᵀ is the colour covariance.
  const cov = tf.tidy(() => {
    const flat = tf.reshape(data, [-1, 3]);
    const c = flat.sub(flat.mean(0));
    return tf.matMul(c, c, true).div(flat.shape[0]).arraySync() as number[][];
  });
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const mmt = colorSqrt[i].reduce((s, v, k) => s + v * colorSqrt[j][k], 0);
      assert.ok(Math.abs(mmt - cov[i][j]) < 1e-4, `(M Mᵀ)[${i}][${j}] ${mmt} vs ${cov[i][j]}`);
    }
  }
  for (const make of [pixelImage, fourierImage]) {
    const param = make({ height: 5, width: 5, channels: 3, seed: 1, init: original, colorSqrt });
    const back = param.images();
    assert.ok(maxAbsDiff(back, original) < 1e-4, make.name);
    tf.dispose(back);
    param.dispose();
    const noise = make({ height: 5, width: 5, channels: 3, seed: 1, colorSqrt, sd: 10 });
    const x = noise.images();
    const [lo, hi] = tf.tidy(() => [x.min().dataSync()[0], x.max().dataSync()[0]]);
    assert.ok(lo >= 0 && hi <= 1 && hi > lo);
    tf.dispose(x);
    noise.dispose();
  }
  tf.dispose([original, data]);
});

Deno.test("parameterisations: seeded, bad options are clear errors, no leaks", () => {
  const a = fourierImage({ height: 4, width: 4, seed: 7 });
  const b = fourierImage({ height: 4, width: 4, seed: 7 });
  const [xa, xb] = [a.images(), b.images()];
  assert.equal(maxAbsDiff(xa, xb), 0, "same seed, same start");
  tf.dispose([xa, xb]);
  a.dispose();
  b.dispose();
  assert.throws(
    () => pixelImage({ height: 0, width: 4, seed: 0 }),
    /height must be a positive integer, got 0/,
  );
  assert.throws(
    () => fourierImage({ height: 4, width: 4, seed: 0, decayPower: -1 }),
    /decayPower must be ≥ 0/,
  );
  assert.throws(
    () => pixelImage({ height: 4, width: 4, channels: 3, seed: 0, colorSqrt: [[1]] }),
    /colorSqrt must be 3 × 3/,
  );
  const wrong = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
  assert.throws(
    () => pixelImage({ height: 4, width: 4, seed: 0, init: wrong }),
    /init has shape \[1,3,3,1\] but the images are \[1,4,4,1\]/,
  );
  const before = tf.memory().numTensors;
  for (const make of [pixelImage, fourierImage]) {
    const p = make({
      height: 6,
      width: 5,
      channels: 3,
      seed: 2,
      colorSqrt: [[1, 0, 0], [0.5, 1, 0], [0, 0, 1]],
    });
    tf.dispose(p.images());
    p.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  wrong.dispose();
});

Deno.test("parameterisations: seed 0 is a seed too (tfjs reads a raw 0 as Math.random)", () => {
  for (const make of [pixelImage, fourierImage]) {
    const [a, b] = [make({ height: 6, width: 6, seed: 0 }), make({ height: 6, width: 6, seed: 0 })];
    const [xa, xb] = [a.images(), b.images()];
    assert.equal(maxAbsDiff(xa, xb), 0, `${make.name}: seed 0, same start`);
    tf.dispose([xa, xb]);
    a.dispose();
    b.dispose();
  }
});
