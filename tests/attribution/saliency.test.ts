import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { H, tinyModel } from "./fixtures.ts";
import { channel, outputSum, scale, sum } from "../../lib/optimize/mod.ts";
import { inputSaliency, rootDisplay, secondOrderSaliency } from "../../lib/attribution/saliency.ts";
import { detectShapes } from "../../lib/studies/subitization/detection.ts";

await initBackend({ backend: "cpu" });

function image(seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: H * H * 3 }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

function summedOutputs(model: tf.LayersModel, x: Float32Array): number {
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
      const g = (summedOutputs(model, plus) - summedOutputs(model, minus)) / (2 * eps);
      best = Math.max(best, Math.abs(g));
    }
    assert.ok(
      Math.abs(best - map.data[pixel]) < 2e-3 + 0.02 * best,
      `pixel ${pixel}: finite differences ${best}, saliency ${map.data[pixel]}`,
    );
  }
  model.dispose();
});

Deno.test("saliency of another objective: twice the sum gives twice the maps", async () => {
  const model = tinyModel("softplus");
  const x = { data: image(6), shape: [H, H, 3] as [number, number, number] };
  const twice = scale(outputSum(), 2);
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
  // One output alone: its map differs from the sum's, and sum of both channels gives the sum's.
  const [t, q] = [
    await inputSaliency(model, x, channel("logits", 0)),
    await inputSaliency(model, x, sum(channel("logits", 0), channel("logits", 1))),
  ];
  assert.ok(t.data.some((v, i) => Math.abs(v - a.data[i]) > 1e-4));
  q.data.forEach((v, i) => assert.ok(Math.abs(v - a.data[i]) < 1e-5));
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
