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

interface PoolCase {
  shape: [number, number, number, number];
  size: number;
  stride: number;
  pad: "same" | "valid";
  /** Round inputs to integers and clip at 0 so that windows hold ties, as after a ReLU. */
  ties: boolean;
}

const poolCases: PoolCase[] = [
  { shape: [2, 8, 8, 3], size: 2, stride: 2, pad: "valid", ties: false },
  { shape: [2, 10, 6, 8], size: 2, stride: 2, pad: "valid", ties: true },
  { shape: [3, 7, 9, 4], size: 2, stride: 2, pad: "same", ties: true },
  { shape: [2, 9, 7, 5], size: 3, stride: 2, pad: "same", ties: true },
  { shape: [1, 6, 6, 2], size: 3, stride: 1, pad: "valid", ties: true },
  { shape: [2, 5, 5, 1], size: 2, stride: 1, pad: "same", ties: false },
  // 2×2 stride 2 without padding takes a specialised path; odd sizes leave a last row and
  // column outside every window under 'valid'.
  { shape: [2, 9, 7, 6], size: 2, stride: 2, pad: "valid", ties: true },
  { shape: [2, 9, 7, 8], size: 2, stride: 2, pad: "valid", ties: true }, // SIMD, odd sizes
  { shape: [3, 5, 11, 4], size: 2, stride: 2, pad: "valid", ties: false }, // SIMD, odd sizes
  { shape: [3, 5, 11, 5], size: 2, stride: 2, pad: "valid", ties: false },
  { shape: [2, 6, 8, 7], size: 2, stride: 2, pad: "same", ties: true },
];

Deno.test("wasm MaxPoolGrad matches cpu, ties and overlapping windows included", async (t) => {
  for (const [i, c] of poolCases.entries()) {
    const name = `${c.shape} pool${c.size} s${c.stride} ${c.pad}${c.ties ? " ties" : ""}`;
    await t.step(name, async () => {
      const run = (backend: string) =>
        onBackend(backend, () =>
          tf.tidy(() => {
            let values = randomArray(i, c.shape);
            if (c.ties) values = values.map((v) => Math.max(0, Math.round(v)));
            const x = tf.tensor4d(values, c.shape);
            const r = tf.tensor(
              randomArray(i + 9, tf.maxPool(x, c.size, c.stride, c.pad).shape),
            );
            const g = tf.grad((a: tf.Tensor) =>
              tf.maxPool(a as tf.Tensor4D, c.size, c.stride, c.pad).mul(
                r.reshape(
                  tf.maxPool(x, c.size, c.stride, c.pad).shape,
                ),
              ).sum()
            )(x);
            return g.dataSync();
          }));
      const before = await onBackend("wasm", () => tf.memory().numTensors);
      const wasm = await run("wasm");
      assert.equal(
        await onBackend("wasm", () => tf.memory().numTensors),
        before,
        "leak",
      );
      assertClose(wasm, await run("cpu"), 1e-6, name);
    });
  }
});

Deno.test("wasm MaxPoolGrad gives no gradient to windows of NaN or -Infinity, like cpu", async () => {
  const run = (backend: string) =>
    onBackend(backend, () =>
      tf.tidy(() => {
        const x = tf.tensor4d([NaN, -Infinity, 1, 2, -Infinity, NaN, 3, 3], [
          1,
          2,
          4,
          1,
        ]);
        return tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid").sum())(x)
          .dataSync();
      }));
  const wasm = await run("wasm");
  assert.deepEqual(Array.from(wasm), Array.from(await run("cpu")));
  assert.deepEqual(Array.from(wasm), [0, 0, 0, 0, 0, 0, 1, 0]);
});

Deno.test("wasm MaxPoolGrad equals cpu bit for bit on special values, both paths", async (t) => {
  // Window by window (2×2, channel 1): all equal, ±0 ties, NaN among numbers, NaN first,
  // -Infinity beside a number, all -Infinity, NaN last, ties after a smaller first pixel.
  const values = [
    [2, 2, 2, 2],
    [-0, 0, 0, -0],
    [1, NaN, 3, 3],
    [NaN, 5, 5, 4],
    [-Infinity, -Infinity, -7, -Infinity],
    [-Infinity, -Infinity, -Infinity, -Infinity],
    [0, 1, 1, NaN],
    [-1, 4, 4, 4],
  ];
  // One channel, and four channels (the SIMD path) with the windows rotated across lanes.
  const image = (channels: number) => {
    const x = new Float32Array(32 * channels);
    for (let ch = 0; ch < channels; ch++) {
      values.forEach((_, i) => {
        const r = 2 * Math.floor(i / 4), c = 2 * (i % 4);
        const w = values[(i + ch) % values.length];
        for (
          const [k, [dr, dc]] of [[0, 0], [0, 1], [1, 0], [1, 1]].entries()
        ) {
          x[((r + dr) * 8 + c + dc) * channels + ch] = w[k];
        }
      });
    }
    return x;
  };
  // Finite dy keeps 2×2 stride 2 on its specialised path; a non-finite one sends it elsewhere.
  const dys = [[1.5, -2, 3, -0, 4, 5, -6, 7], [
    1.5,
    -2,
    NaN,
    -0,
    4,
    5,
    -6,
    Infinity,
  ]];
  const poolings: Array<[number, number, "valid" | "same"]> = [
    [2, 2, "valid"], // specialised
    [2, 2, "same"], // even size: no padding, specialised
    [3, 2, "same"], // general
  ];
  for (
    const [[size, stride, pad], dy, channels] of poolings.flatMap((p) =>
      dys.flatMap((d) => [1, 4].map((c) => [p, d, c] as const))
    )
  ) {
    await t.step(
      `pool${size} s${stride} ${pad} dy ${dy} ×${channels}`,
      async () => {
        const run = (backend: string) =>
          onBackend(backend, () =>
            tf.tidy(() => {
              const input = tf.tensor4d(image(channels), [1, 4, 8, channels]);
              const shape = tf.maxPool(input, size, stride, pad).shape;
              const cells = shape.reduce((a, b) => a * b, 1);
              const grad = tf.tensor4d(
                Array.from({ length: cells }, (_, i) => dy[i % dy.length]),
                shape,
              );
              const dx = tf.engine().runKernel("MaxPoolGrad", {
                dy: grad,
                input,
              }, { filterSize: size, strides: stride, pad }) as tf.Tensor;
              return Array.from(dx.dataSync());
            }));
        const [wasm, cpu] = [await run("wasm"), await run("cpu")];
        assert.equal(wasm.length, cpu.length);
        wasm.forEach((v, i) =>
          assert.ok(Object.is(v, cpu[i]), `dx[${i}]: wasm ${v}, cpu ${cpu[i]}`)
        );
      },
    );
  }
});

testEachProductMode(
  "wasm Sum over leading axes matches cpu; other reductions still work",
  async (t) => {
    const cases: Array<{ shape: number[]; axis: number[]; keepDims: boolean }> = [
      { shape: [16, 7, 7, 5], axis: [0, 1, 2], keepDims: false },
      { shape: [16, 7, 7, 5], axis: [2, 0, 1], keepDims: true },
      { shape: [300, 20], axis: [0], keepDims: false },
      { shape: [4, 6, 3], axis: [0, 1], keepDims: false },
      { shape: [4, 6, 3], axis: [1], keepDims: false }, // not leading: wasm's own Sum
      { shape: [4, 6, 3], axis: [0, 1, 2], keepDims: false }, // all axes: wasm's own Sum
      { shape: [0, 3], axis: [0], keepDims: false }, // empty: zeros
      { shape: [100000, 3], axis: [0], keepDims: false }, // long columns: accumulation error
    ];
    for (const [i, c] of cases.entries()) {
      const name = `sum ${c.shape} over ${c.axis}${c.keepDims ? " keepDims" : ""}`;
      await t.step(name, async () => {
        const run = (backend: string) =>
          onBackend(backend, () =>
            tf.tidy(() => {
              const s = tf.sum(
                tf.tensor(randomArray(i, c.shape), c.shape),
                c.axis,
                c.keepDims,
              );
              return { shape: s.shape, values: s.dataSync() };
            }));
        const [wasm, cpu] = [await run("wasm"), await run("cpu")];
        assert.deepEqual(wasm.shape, cpu.shape);
        assertClose(wasm.values, cpu.values, 1e-5, name);
      });
    }
    const ints = await onBackend(
      "wasm",
      () =>
        tf.tidy(() =>
          Array.from(
            tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"), 0)
              .dataSync(),
          )
        ),
    );
    assert.deepEqual(ints, [4, 6]);
  },
);

Deno.test("wasm Identity and same-dtype Cast share data; tensors stay independent", async () => {
  await onBackend("wasm", () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    const z = tf.cast(x, "float32");
    const i = tf.cast(x, "int32");
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(z.dataSync()), [1, 2, 3]);
    assert.equal(i.dtype, "int32");
    assert.deepEqual(Array.from(i.dataSync()), [1, 2, 3]);
    const words = tf.tensor1d(["a", "b"], "string");
    const copy = tf.clone(words);
    words.dispose();
    assert.deepEqual(copy.arraySync(), ["a", "b"]);
    tf.dispose([y, z, i, copy]);
    assert.equal(tf.memory().numTensors, before);
  });
});
