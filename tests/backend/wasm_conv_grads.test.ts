import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import {
  assertClose,
  onBackend,
  randomArray,
  setUpBackends,
  testEachProductMode,
} from "./wasm_helpers.ts";

await setUpBackends();

interface Case {
  batch: number;
  size: [number, number];
  k: [number, number];
  cin: number;
  cout: number;
  stride: number;
  pad: "same" | "valid" | [[0, 0], [number, number], [number, number], [0, 0]];
}

/** Input and filter gradients of Σ conv2d(x, w) ⊙ r on `backend`, via tfjs autodiff. */
function convGrads(backend: string, c: Case, seed: number) {
  return onBackend(backend, () =>
    tf.tidy(() => {
      const x = tf.tensor4d(
        randomArray(seed, [c.batch, ...c.size, c.cin]),
        [c.batch, ...c.size, c.cin],
      );
      const w = tf.tensor4d(randomArray(seed + 1, [...c.k, c.cin, c.cout]), [
        ...c.k,
        c.cin,
        c.cout,
      ]);
      const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
      const r = tf.tensor(randomArray(seed + 2, outShape), outShape);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad).mul(r)
          .sum()
      )([x, w]);
      return {
        dx: dx.dataSync(),
        dw: dw.dataSync(),
        dxShape: dx.shape,
        dwShape: dw.shape,
      };
    }));
}

const cases: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ["same", "valid"] as const) {
    cases.push(
      { batch: 2, size: [7, 7], k: [3, 3], cin: 1, cout: 4, stride, pad },
      { batch: 3, size: [9, 6], k: [3, 3], cin: 5, cout: 8, stride, pad },
      { batch: 1, size: [8, 8], k: [2, 2], cin: 3, cout: 2, stride, pad },
      { batch: 4, size: [5, 11], k: [1, 3], cin: 16, cout: 32, stride, pad },
      { batch: 2, size: [6, 6], k: [5, 5], cin: 2, cout: 3, stride, pad },
      { batch: 2, size: [5, 5], k: [1, 1], cin: 4, cout: 6, stride, pad },
    );
  }
}
cases.push({
  batch: 2,
  size: [10, 10],
  k: [3, 3],
  cin: 3,
  cout: 4,
  stride: 3,
  pad: "same",
});
// Explicit pads wider than k − 1 (stride 1, many channels) take col2im, not the flipped conv.
cases.push(
  {
    batch: 2,
    size: [6, 7],
    k: [3, 3],
    cin: 8,
    cout: 5,
    stride: 1,
    pad: [[0, 0], [3, 1], [0, 2], [0, 0]],
  },
  {
    batch: 1,
    size: [9, 9],
    k: [3, 3],
    cin: 6,
    cout: 4,
    stride: 2,
    pad: [[0, 0], [1, 0], [2, 1], [0, 0]],
  },
);

testEachProductMode(
  "wasm Conv2DBackpropInput/Filter match the cpu backend",
  async (t) => {
    for (const [i, c] of cases.entries()) {
      const name = `b${c.batch} ${c.size.join("x")} k${c.k.join("x")} ${c.cin}→${c.cout} ` +
        `s${c.stride} ${typeof c.pad === "string" ? c.pad : JSON.stringify(c.pad)}`;
      await t.step(name, async () => {
        const before = await onBackend("wasm", () => tf.memory().numTensors);
        const wasm = await convGrads("wasm", c, 100 * i);
        const cpu = await convGrads("cpu", c, 100 * i);
        const after = await onBackend("wasm", () => tf.memory().numTensors);
        assert.deepEqual(wasm.dxShape, cpu.dxShape);
        assert.deepEqual(wasm.dwShape, cpu.dwShape);
        assertClose(wasm.dx, cpu.dx, 1e-4, `${name} dx`);
        assertClose(wasm.dw, cpu.dw, 1e-4, `${name} dw`);
        assert.equal(after, before, `${name}: tensors leaked`);
      });
    }
  },
);

testEachProductMode(
  "wasm conv2dTranspose (Conv2DBackpropInput) matches cpu for a stride-2 decoder",
  async () => {
    const run = (backend: string) =>
      onBackend(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor4d(randomArray(7, [2, 5, 5, 6]), [2, 5, 5, 6]);
          const w = tf.tensor4d(randomArray(8, [3, 3, 4, 6]), [3, 3, 4, 6]);
          return tf.conv2dTranspose(x, w, [2, 10, 10, 4], 2, "same").dataSync();
        }));
    assertClose(await run("wasm"), await run("cpu"), 1e-4, "conv2dTranspose");
  },
);

testEachProductMode(
  "wasm convolution gradients reject NCHW with a clear message",
  async () => {
    await onBackend("wasm", () => {
      const dy = tf.zeros([1, 2, 4, 4]);
      const w = tf.zeros([3, 3, 2, 2]);
      assert.throws(
        () =>
          tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
            strides: 1,
            pad: "same",
            dataFormat: "NCHW",
            inputShape: [1, 2, 4, 4],
          }),
        /only dataFormat 'NHWC'/,
      );
      tf.dispose([dy, w]);
    });
  },
);
