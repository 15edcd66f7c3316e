import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import {
  arithmeticId,
  findBlas,
  initBackend,
  requestedBackend,
  requestedThreads,
  webGpuAdapter,
} from "../../lib/backend/mod.ts";
import { cnn } from "../../lib/models/builders.ts";

function withEnv<T>(name: string, value: string | undefined, f: () => T): T {
  const old = Deno.env.get(name);
  if (value === undefined) Deno.env.delete(name);
  else Deno.env.set(name, value);
  try {
    return f();
  } finally {
    if (old === undefined) Deno.env.delete(name);
    else Deno.env.set(name, old);
  }
}

Deno.test("LENSES_BACKEND: a bad value names the valid ones", () => {
  withEnv("LENSES_BACKEND", "tpu", () => {
    assert.throws(
      () => requestedBackend(),
      /LENSES_BACKEND="tpu".*webgpu, wasm, cpu/,
    );
  });
  withEnv(
    "LENSES_BACKEND",
    " WASM ",
    () => assert.equal(requestedBackend(), "wasm"),
  );
  withEnv(
    "LENSES_BACKEND",
    "",
    () => assert.equal(requestedBackend(), undefined),
  );
});

Deno.test("LENSES_THREADS: a bad value says what to use; a good one is read", () => {
  for (const bad of ["0", "-2", "1.5", "all"]) {
    withEnv("LENSES_THREADS", bad, () => {
      assert.throws(
        () => requestedThreads(),
        new RegExp(
          `LENSES_THREADS="${bad}" is not a thread count.*positive integer`,
        ),
      );
    });
  }
  withEnv("LENSES_THREADS", " 3 ", () => assert.equal(requestedThreads(), 3));
  withEnv(
    "LENSES_THREADS",
    "",
    () => assert.equal(requestedThreads(), undefined),
  );
});

Deno.test("automatic choice never takes a software WebGPU adapter", async () => {
  const info = await withEnv("LENSES_BACKEND", undefined, () => initBackend());
  const gpu = await webGpuAdapter();
  if (!gpu || gpu.isFallbackAdapter) {
    assert.equal(info.backend, "wasm");
    assert.match(
      info.reason,
      gpu ? /software WebGPU adapter/ : /no WebGPU adapter/,
    );
  } else {
    assert.equal(info.backend, "webgpu");
  }
  assert.equal(tf.getBackend(), info.backend);
  assert.equal(info.tfjs, tf.version_core);
  assert.ok(info.threads >= 1 && info.cores >= 1);
  assert.ok(info.device.length > 0);
});

Deno.test("a forced backend is used and described", async () => {
  const info = await initBackend({ backend: "cpu" });
  assert.equal(info.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(info.reason, "requested by the caller");
  assert.equal(info.blas, undefined, "only wasm uses a BLAS");
});

Deno.test("wasm says which BLAS runs its products, or why none does", async () => {
  const { blas, reason } = findBlas();
  const info = await initBackend({ backend: "wasm" });
  try {
    if (blas) {
      assert.equal(info.blas, blas.description);
      assert.equal(info.threads, blas.threads());
      assert.match(arithmeticId(), /^wasm\+.+\+\d+t$/);
    } else {
      assert.equal(info.blas, `none (${reason})`);
      assert.equal(arithmeticId(), "wasm");
    }
  } finally {
    await initBackend({ backend: "cpu" });
  }
});

/**
 * Logits and input gradient of a small CNN with the reference CNN's layer kinds (conv, pool,
 * strided conv, dense) on a fixed batch, on the active backend. Small, because the software
 * adapter compiles every shader on the CPU.
 */
async function cnnForwardBackward(): Promise<
  { logits: Float32Array; grad: Float32Array }
> {
  const model = cnn({
    seed: 3,
    inputShape: [12, 12, 1],
    convs: [{ filters: 4, pool: 2 }, { filters: 8, stride: 2 }],
    dense: [16],
  });
  const x = tf.tensor4d(
    Float32Array.from(
      { length: 2 * 12 * 12 },
      (_, i) => (Math.sin(i * 0.37) + 1) / 2,
    ),
    [2, 12, 12, 1],
  );
  const y = tf.oneHot(tf.tensor1d([3, 7], "int32"), 10);
  const logits = model.apply(x) as tf.Tensor;
  const grad = tf.grad((input: tf.Tensor) =>
    tf.losses.softmaxCrossEntropy(y, model.apply(input) as tf.Tensor)
  )(x);
  const out = {
    logits: await logits.data() as Float32Array,
    grad: await grad.data() as Float32Array,
  };
  tf.dispose([x, y, logits, grad]);
  model.dispose();
  return out;
}

Deno.test({
  name: "webgpu (forced, software adapter here) matches cpu on a small CNN, forward and backward",
  ignore: !navigator.gpu,
  fn: async () => {
    await initBackend({ backend: "cpu" });
    const ref = await cnnForwardBackward();
    const info = await initBackend({ backend: "webgpu" });
    assert.equal(info.backend, "webgpu");
    const got = await cnnForwardBackward();
    const maxDiff = (a: Float32Array, b: Float32Array) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const gradScale = ref.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(
      maxDiff(ref.logits, got.logits) < 1e-4,
      `logits differ by ${maxDiff(ref.logits, got.logits)}`,
    );
    assert.ok(
      maxDiff(ref.grad, got.grad) < 1e-4 * Math.max(1, gradScale),
      "input gradients differ",
    );
    await initBackend({ backend: "cpu" });
  },
});
