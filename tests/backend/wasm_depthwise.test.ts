import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { assertClose, onBackend, randomArray, setUpBackends } from "./wasm_helpers.ts";

await setUpBackends();

interface Case {
  shape: [number, number, number, number];
  k: number;
  mult: number;
  stride: number;
  pad: "same" | "valid";
}

// tfjs-core has no depthwise gradient for dilations > 1, so none are tested here.
const cases: Case[] = [
  { shape: [2, 7, 7, 3], k: 3, mult: 1, stride: 1, pad: "same" },
  { shape: [2, 8, 6, 2], k: 3, mult: 2, stride: 2, pad: "same" },
  { shape: [1, 9, 9, 4], k: 2, mult: 1, stride: 2, pad: "valid" },
  { shape: [2, 9, 8, 2], k: 3, mult: 3, stride: 1, pad: "valid" },
  { shape: [1, 7, 5, 3], k: 5, mult: 1, stride: 2, pad: "same" },
];

Deno.test("wasm depthwise conv gradients match cpu", async (t) => {
  for (const [i, c] of cases.entries()) {
    const name = `${c.shape} k${c.k} ×${c.mult} s${c.stride} ${c.pad}`;
    await t.step(name, async () => {
      const run = (backend: string) =>
        onBackend(backend, () =>
          tf.tidy(() => {
            const fShape = [c.k, c.k, c.shape[3], c.mult] as [
              number,
              number,
              number,
              number,
            ];
            const x = tf.tensor4d(randomArray(i, c.shape), c.shape);
            const w = tf.tensor4d(randomArray(i + 1, fShape), fShape);
            const conv = (a: tf.Tensor, b: tf.Tensor) =>
              tf.depthwiseConv2d(
                a as tf.Tensor4D,
                b as tf.Tensor4D,
                c.stride,
                c.pad,
              );
            const r = tf.tensor(
              randomArray(i + 2, conv(x, w).shape),
              conv(x, w).shape,
            );
            const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a, b).mul(r).sum())([
              x,
              w,
            ]);
            return [dx.dataSync(), dw.dataSync()];
          }));
      const before = await onBackend("wasm", () => tf.memory().numTensors);
      const wasm = await run("wasm");
      assert.equal(
        await onBackend("wasm", () => tf.memory().numTensors),
        before,
        "leak",
      );
      const cpu = await run("cpu");
      assertClose(wasm[0], cpu[0], 1e-4, `${name} dx`);
      assertClose(wasm[1], cpu[1], 1e-4, `${name} dw`);
    });
  }
});
