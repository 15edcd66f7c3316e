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

const shapes: Array<{ a: number[]; b: number[] }> = [
  { a: [5, 7], b: [7, 3] },
  { a: [1, 9], b: [9, 1] },
  { a: [4, 6, 5], b: [4, 5, 2] },
  { a: [3, 2, 4], b: [1, 4, 6] }, // batch broadcast
  { a: [33, 70], b: [70, 17] },
  { a: [8, 12], b: [12, 40] }, // A·Bᵀ with fewer rows in A: computed as (B·Aᵀ)ᵀ
];

function transposed(shape: number[], flag: boolean): number[] {
  if (!flag) return shape;
  const s = [...shape];
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return s;
}

testEachProductMode(
  "wasm BatchMatMul with transposed operands matches cpu",
  async (t) => {
    for (const [i, { a, b }] of shapes.entries()) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const name = `${a}·${b} tA=${ta} tB=${tb}`;
          await t.step(name, async () => {
            const run = (backend: string) =>
              onBackend(backend, () =>
                tf.tidy(() => {
                  const sa = transposed(a, ta), sb = transposed(b, tb);
                  const x = tf.tensor(randomArray(i, sa), sa);
                  const y = tf.tensor(randomArray(i + 50, sb), sb);
                  return tf.matMul(x, y, ta, tb).dataSync();
                }));
            const before = await onBackend(
              "wasm",
              () => tf.memory().numTensors,
            );
            const wasm = await run("wasm");
            assert.equal(
              await onBackend("wasm", () => tf.memory().numTensors),
              before,
            );
            assertClose(wasm, await run("cpu"), 1e-5, name);
          });
        }
      }
    }
  },
);

testEachProductMode(
  "wasm fused matMul (bias + relu) with transposed operands matches cpu",
  async () => {
    for (const [ta, tb] of [[true, false], [false, true], [true, true]]) {
      const run = (backend: string) =>
        onBackend(backend, () =>
          tf.tidy(() => {
            const sa = transposed([6, 8], ta), sb = transposed([8, 4], tb);
            const a = tf.tensor2d(randomArray(1, sa), sa as [number, number]);
            const b = tf.tensor2d(randomArray(2, sb), sb as [number, number]);
            const bias = tf.tensor1d(randomArray(3, [4]));
            return tf.fused.matMul({
              a,
              b,
              transposeA: ta,
              transposeB: tb,
              bias,
              activation: "relu",
            })
              .dataSync();
          }));
      assertClose(
        await run("wasm"),
        await run("cpu"),
        1e-5,
        `fused tA=${ta} tB=${tb}`,
      );
    }
  },
);

testEachProductMode("a dense layer's gradients on wasm match cpu", async () => {
  const run = (backend: string) =>
    onBackend(backend, () =>
      tf.tidy(() => {
        const x = tf.tensor2d(randomArray(4, [16, 30]), [16, 30]);
        const w = tf.tensor2d(randomArray(5, [30, 12]), [30, 12]);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.relu(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)).square().sum()
        )([x, w]);
        return [dx.dataSync(), dw.dataSync()];
      }));
  const [wasm, cpu] = [await run("wasm"), await run("cpu")];
  assertClose(wasm[0], cpu[0], 1e-4, "dx");
  assertClose(wasm[1], cpu[1], 1e-4, "dw");
});
