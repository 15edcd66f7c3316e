import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { fourierImage } from "../../lib/optvis/param.ts";
import { standardTransforms } from "../../lib/optvis/transforms.ts";
import { render } from "../../lib/optvis/render.ts";

// Notebooks run on wasm: every op of a render (the DFT products, the transforms' gathers and
// their custom gradient) must exist there and agree with the reference cpu backend.

async function renderOn(
  backend: "cpu" | "wasm",
): Promise<{ images: Float32Array; history: number[] }> {
  await initBackend({ backend });
  const kernel = tf.tensor4d(Float32Array.from({ length: 9 * 2 }, (_, i) => Math.sin(i + 1)), [
    3,
    3,
    1,
    2,
  ]);
  const objective = (x: tf.Tensor4D) =>
    tf.tidy(() => tf.mean(tf.relu(tf.conv2d(x, kernel, 1, "same")), [1, 2, 3]) as tf.Tensor1D);
  const param = fourierImage({ batch: 2, height: 10, width: 10, seed: 3 });
  const before = tf.memory().numTensors;
  const out = await render(objective, param, {
    steps: 5,
    transform: standardTransforms(0),
    seed: 4,
  });
  const images = Float32Array.from(out.images.dataSync());
  out.images.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: no leaks`);
  param.dispose();
  kernel.dispose();
  return { images, history: out.history };
}

Deno.test("render gives the same images on wasm as on cpu", async () => {
  const cpu = await renderOn("cpu");
  const wasm = await renderOn("wasm");
  const err = cpu.images.reduce((m, v, i) => Math.max(m, Math.abs(v - wasm.images[i])), 0);
  assert.ok(err < 1e-3, `max image difference ${err}`);
  cpu.history.forEach((v, i) => assert.ok(Math.abs(v - wasm.history[i]) < 1e-3, `step ${i}`));
  assert.ok(cpu.history[4] > cpu.history[0], "the objective rises");
  await initBackend({ backend: "cpu" });
});
