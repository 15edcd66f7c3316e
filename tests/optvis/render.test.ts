import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { cnn } from "../../lib/models/builders.ts";
import { activations } from "../../lib/models/layers.ts";
import { fourierImage, pixelImage } from "../../lib/optvis/param.ts";
import { standardTransforms } from "../../lib/optvis/transforms.ts";
import { render } from "../../lib/optvis/render.ts";
import { channel, direction, neuron, onInputs, scale, sum } from "../../lib/optimize/objectives.ts";

const model = cnn({
  seed: 3,
  inputShape: [8, 8, 1],
  convs: [{ filters: 4 }, { filters: 4 }],
  dense: [],
  numClasses: 3,
});
const read = activations(model, ["conv2"]);
/**
 * The conv2 channel that responds most to a grey image: a channel whose ReLU is off everywhere
 * has no gradient to climb (the model's property, not the loop's).
 */
const unit = tf.tidy(() => {
  const grey = tf.fill([1, 8, 8, 1], 0.5);
  return tf.argMax(tf.reshape(tf.mean(read(grey).conv2, [0, 1, 2]), [-1])).dataSync()[0];
});
/** That channel of conv2, averaged over positions, per image. */
const objective = (x: tf.Tensor4D) =>
  tf.tidy(() =>
    tf.mean(tf.slice(read(x).conv2, [0, 0, 0, unit], [-1, -1, -1, 1]), [1, 2, 3]) as tf.Tensor1D
  );

function valueOf(x: tf.Tensor4D): number[] {
  return tf.tidy(() => Array.from(objective(x).dataSync()));
}

// 40 Adam steps at the default rate more than double the unit's response from the random start.
Deno.test("render raises the objective on a tiny CNN (pixel and Fourier, with transforms)", async () => {
  for (const make of [pixelImage, fourierImage]) {
    const param = make({ batch: 2, height: 8, width: 8, seed: 1 });
    const start = param.images();
    const before = valueOf(start);
    start.dispose();
    const { images, value, history } = await render(objective, param, {
      steps: 40,
      learningRate: 0.05,
      transform: standardTransforms(0),
      seed: 2,
    });
    assert.equal(history.length, 40);
    assert.deepEqual(images.shape, [2, 8, 8, 1]);
    assert.deepEqual(
      Array.from(value).map((v) => v.toFixed(4)),
      valueOf(images).map((v) => v.toFixed(4)),
    );
    value.forEach((v, i) =>
      assert.ok(v > 2 * before[i], `${make.name}[${i}]: ${before[i]} → ${v}`)
    );
    const early = history.slice(0, 5).reduce((a, b) => a + b) / 5;
    const late = history.slice(-5).reduce((a, b) => a + b) / 5;
    assert.ok(late > early, `${make.name}: history ${early} → ${late}`);
    images.dispose();
    param.dispose();
  }
});

Deno.test("render: seeded, no leaks, clear errors", async () => {
  const run = async () => {
    const param = fourierImage({ height: 8, width: 8, seed: 4 });
    const out = await render(objective, param, {
      steps: 5,
      transform: standardTransforms(0),
      seed: 9,
    });
    param.dispose();
    return out;
  };
  const first = await run();
  const count = tf.memory().numTensors;
  const second = await run();
  assert.equal(tf.memory().numTensors, count + 1, "only the returned images remain");
  assert.deepEqual(second.images.dataSync(), first.images.dataSync(), "same seeds, same images");
  tf.dispose([first.images, second.images]);
  const param = pixelImage({ batch: 2, height: 8, width: 8, seed: 0 });
  const zero = await render(objective, param, { steps: 0, seed: 0 });
  assert.deepEqual(zero.history, []);
  zero.images.dispose();
  await assert.rejects(
    render(objective, param, { steps: -1, seed: 0 }),
    /steps must be a non-negative integer/,
  );
  await assert.rejects(
    render(objective, param, { steps: 1, seed: 0, learningRate: 0 }),
    /learningRate must be positive/,
  );
  await assert.rejects(
    render((x) => tf.sum(x) as unknown as tf.Tensor1D, param, { steps: 1, seed: 0 }),
    /one value per image \(\[2\]\), got shape \[\]/,
  );
  // An objective that throws (a channel the model does not have) leaks nothing.
  const before = tf.memory().numTensors;
  const missing = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const v = tf.mean(x, [1, 2, 3]) as tf.Tensor1D;
      if (v.shape[0] > 0) throw new RangeError("channel: index 9 is outside [0, 3)");
      return v;
    });
  await assert.rejects(render(missing, param, { steps: 3, seed: 0 }), /index 9 is outside/);
  assert.equal(tf.memory().numTensors, before, "a throwing objective must not leak");
  param.dispose();
});

Deno.test("render climbs objectives from lib/optimize's vocabulary: channel, neuron, direction, sums", async () => {
  const weights = Array.from({ length: 4 }, (_, c) => (c === unit ? 1 : 0.25));
  const terms = [
    channel("conv2", unit),
    neuron("conv2", unit),
    direction("conv2", weights),
    sum(channel("conv2", unit), scale(neuron("conv1", 0), 0.5)),
  ];
  for (const term of terms) {
    const f = onInputs(term, model);
    const param = fourierImage({ height: 8, width: 8, seed: 5 });
    const start = param.images();
    const before = tf.tidy(() => f(start).dataSync()[0]);
    start.dispose();
    const { images, value } = await render(f, param, { steps: 30, seed: 6 });
    assert.ok(value[0] > before, `${term.label}: ${before} → ${value[0]}`);
    images.dispose();
    param.dispose();
  }
});
