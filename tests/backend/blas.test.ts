import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { findBlas } from "../../lib/backend/blas.ts";
import {
  assertClose,
  nativeBlas,
  onBackend,
  randomArray,
  setUpBackends,
  withProducts,
} from "./wasm_helpers.ts";

await setUpBackends();

const blasMode = { name: "blas" as const, blas: nativeBlas };
const ignore = !nativeBlas;

/** Runs `fn` on wasm with the BLAS product kernels, checking that it leaks no tensors. */
function onBlas<T>(fn: () => T): Promise<T> {
  return withProducts(blasMode, () =>
    onBackend("wasm", () => {
      const before = tf.memory().numTensors;
      const out = fn();
      assert.equal(tf.memory().numTensors, before, "tensors leaked");
      return out;
    }));
}

function tensor(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(randomArray(seed, shape), shape);
}

/** `fn` on wasm+BLAS and on cpu, compared. */
async function matchesCpu(
  what: string,
  fn: () => tf.Tensor | tf.Tensor[],
  tol = 1e-4,
): Promise<void> {
  const values = () => tf.tidy(() => [fn()].flat().map((t) => t.dataSync())) as Float32Array[];
  const [wasm, cpu] = [await onBlas(values), await onBackend("cpu", values)];
  assert.equal(wasm.length, cpu.length);
  wasm.forEach((w, i) => assertClose(w, cpu[i], tol, `${what} output ${i}`));
}

Deno.test("findBlas honours LENSES_BLAS and explains what it did not use", () => {
  const saved = Deno.env.get("LENSES_BLAS");
  try {
    Deno.env.set("LENSES_BLAS", "off");
    assert.deepEqual(findBlas(), { reason: "LENSES_BLAS=off" });
    Deno.env.set("LENSES_BLAS", "/nonexistent/libopenblas.so");
    const missing = findBlas();
    assert.equal(missing.blas, undefined);
    assert.match(
      missing.reason ?? "",
      /LENSES_BLAS=\/nonexistent\/libopenblas\.so: /,
    );
  } finally {
    if (saved === undefined) Deno.env.delete("LENSES_BLAS");
    else Deno.env.set("LENSES_BLAS", saved);
  }
});

Deno.test(
  "a native BLAS is found where CI installs one (LENSES_REQUIRE_BLAS=1)",
  {
    ignore: Deno.env.get("LENSES_REQUIRE_BLAS") !== "1",
  },
  () => {
    const { blas, reason } = findBlas();
    assert.ok(blas, `no BLAS found: ${reason}`);
    assert.ok(blas.threads() >= 1);
  },
);

Deno.test({
  name: "sgemm computes all four transpose forms and accumulates with beta",
  ignore,
  fn() {
    const blas = nativeBlas!;
    // A = [[1, 2, 3], [4, 5, 6]] (2×3), B = [[1, 0], [0, 1], [1, 1]] (3×2).
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const aT = new Float32Array([1, 4, 2, 5, 3, 6]);
    const b = new Float32Array([1, 0, 0, 1, 1, 1]);
    const bT = new Float32Array([1, 0, 1, 0, 1, 1]);
    const expected = [4, 5, 10, 11];
    for (
      const [ta, tb] of [[false, false], [true, false], [false, true], [
        true,
        true,
      ]]
    ) {
      const c = new Float32Array(4);
      blas.sgemm(ta, tb, 2, 2, 3, ta ? aT : a, tb ? bT : b, c);
      assert.deepEqual([...c], expected, `tA=${ta} tB=${tb}`);
    }
    const c = new Float32Array([1, 1, 1, 1]);
    blas.sgemm(false, false, 2, 2, 3, a, b, c, 1);
    assert.deepEqual([...c], [5, 6, 11, 12]);
  },
});

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  stride: number | [number, number];
  pad: "same" | "valid" | number;
  dilation?: number;
}

const convCases: ConvCase[] = [
  { x: [2, 9, 9, 3], k: [3, 3], cout: 4, stride: 1, pad: "same" },
  { x: [2, 9, 8, 3], k: [3, 3], cout: 4, stride: 2, pad: "valid" },
  { x: [1, 11, 10, 2], k: [3, 2], cout: 5, stride: [2, 1], pad: "same" },
  { x: [3, 6, 6, 5], k: [1, 1], cout: 7, stride: 1, pad: "valid" }, // pointwise
  {
    x: [2, 12, 12, 2],
    k: [3, 3],
    cout: 3,
    stride: 1,
    pad: "same",
    dilation: 2,
  },
  { x: [1, 7, 7, 1], k: [5, 5], cout: 2, stride: 1, pad: 1 },
  // Stride 1 with ≥ 8 channels each side: per-tap products on the padded image.
  { x: [2, 9, 9, 8], k: [3, 3], cout: 8, stride: 1, pad: "same" },
  { x: [2, 10, 9, 12], k: [3, 2], cout: 9, stride: 1, pad: "valid" },
  { x: [1, 8, 8, 8], k: [5, 5], cout: 10, stride: 1, pad: 1 },
  {
    x: [2, 11, 12, 9],
    k: [3, 3],
    cout: 8,
    stride: 1,
    pad: "same",
    dilation: 2,
  },
  { x: [1, 6, 6, 8], k: [2, 2], cout: 8, stride: 1, pad: 3 }, // pad beyond the kernel
];

Deno.test({
  name: "BLAS Conv2D and its gradients match cpu over strides, paddings, dilations and 1×1 kernels",
  ignore,
  async fn() {
    for (const [i, c] of convCases.entries()) {
      await matchesCpu(JSON.stringify(c), () => {
        const x = tensor(i, c.x);
        const w = tensor(i + 9, [...c.k, c.x[3], c.cout]);
        const conv = (a: tf.Tensor, b: tf.Tensor) =>
          tf.conv2d(
            a as tf.Tensor4D,
            b as tf.Tensor4D,
            c.stride,
            c.pad,
            "NHWC",
            c.dilation ?? 1,
          );
        const y = conv(x, w);
        // tfjs differentiates convolutions only without dilation.
        if (c.dilation) return y;
        const r = tensor(i + 17, y.shape);
        return [y, ...tf.grads((a, b) => conv(a, b).mul(r).sum())([x, w])];
      });
    }
  },
});

Deno.test({
  name: "BLAS FusedConv2D and fused matMul apply bias and every activation like cpu",
  ignore,
  async fn() {
    const activations = [
      "linear",
      "relu",
      "relu6",
      "elu",
      "sigmoid",
      "leakyrelu",
      "prelu",
    ] as const;
    for (const activation of activations) {
      const prelu = activation === "prelu";
      await matchesCpu(`conv ${activation}`, () =>
        tf.fused.conv2d({
          x: tensor(1, [2, 6, 6, 3]).mul(4) as tf.Tensor4D,
          filter: tensor(2, [3, 3, 3, 4]) as tf.Tensor4D,
          strides: 1,
          pad: "same",
          bias: tensor(3, [4]),
          activation,
          preluActivationWeights: prelu ? tensor(4, [4]) : undefined,
          leakyreluAlpha: 0.3,
        }));
      await matchesCpu(`matMul ${activation}`, () =>
        tf.fused.matMul({
          a: tensor(5, [5, 7]).mul(4),
          b: tensor(6, [7, 3]),
          bias: tensor(7, [3]),
          activation,
          preluActivationWeights: prelu ? tensor(8, [3]) : undefined,
          leakyreluAlpha: 0.3,
        }));
    }
    // A bias that is not per-channel goes through the backend's Add.
    await matchesCpu("matMul full bias", () =>
      tf.fused.matMul({
        a: tensor(9, [5, 7]),
        b: tensor(10, [7, 3]),
        bias: tensor(11, [5, 3]),
        activation: "relu",
      }));
  },
});

Deno.test({
  name: "BLAS convolutions over many chunks of images match XNNPACK's (forward and both gradients)",
  ignore,
  async fn() {
    // im2col (6 output channels): 28·28·(3·3·40) floats per image, 14 images per 4M-float
    // chunk, so 30 images are 3 chunks. Per-tap products (8 output channels): 66·66·(40 + 8)
    // floats per image, 20 per chunk, so 24 images are 2 chunks.
    // XNNPACK's kernels (checked against cpu elsewhere) are the reference: cpu takes 10 s here.
    for (const [n, size, cout] of [[30, 28, 6], [24, 64, 8]]) {
      const run = () => {
        const outputs = tf.tidy(() => {
          const x = tensor(20, [n, size, size, 40]);
          const w = tensor(21, [3, 3, 40, cout]).mul(0.1);
          const r = tensor(22, [n, size, size, cout]);
          const f = (a: tf.Tensor, b: tf.Tensor) =>
            tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same").mul(r)
              .sum();
          const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same");
          return [y, ...tf.grads(f)([x, w])];
        });
        const values = outputs.map((t) => t.dataSync());
        tf.dispose(outputs);
        return values;
      };
      const blas = await onBlas(run);
      const xnnpack = await withProducts(
        { name: "xnnpack" },
        () => onBackend("wasm", run),
      );
      blas.forEach((b, i) => assertClose(b, xnnpack[i], 2e-4, `${n} images, output ${i}`));
    }
  },
});

Deno.test({
  name: "BLAS BatchMatMul broadcasts batches, handles rank 4 and empty inner sizes",
  ignore,
  async fn() {
    await matchesCpu(
      "broadcast A",
      () => tf.matMul(tensor(1, [1, 4, 6]), tensor(2, [3, 6, 2])),
    );
    await matchesCpu(
      "rank 4, both transposed",
      () => tf.matMul(tensor(3, [2, 3, 5, 4]), tensor(4, [2, 3, 6, 5]), true, true),
    );
    await matchesCpu(
      "k = 0",
      () => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])),
    );
  },
});

Deno.test({
  name:
    "OpenBLAS runs the kernels the CPU's feature flags call for, and the environment is restored",
  ignore: !nativeBlas?.description.startsWith("OpenBLAS") ||
    Deno.env.get("OPENBLAS_CORETYPE") !== undefined,
  fn() {
    const { blas } = findBlas();
    assert.equal(Deno.env.get("OPENBLAS_CORETYPE"), undefined, "OPENBLAS_CORETYPE left set");
    if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return;
    const flags = new Set(
      Deno.readTextFileSync("/proc/cpuinfo").match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/),
    );
    const has = (names: string[]) => names.every((f) => flags.has(f));
    const expected = has(["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"])
      ? "SkylakeX"
      : has(["avx2", "fma"])
      ? "Haswell"
      : undefined;
    if (expected) assert.ok(blas!.description.endsWith(`(${expected})`), blas!.description);
  },
});
