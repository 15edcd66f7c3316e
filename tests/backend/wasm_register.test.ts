import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { registerWasmKernels } from "../../lib/backend/wasm/mod.ts";
import {
  nativeBlas,
  onBackend,
  PRODUCT_MODES,
  setUpBackends,
  withProducts,
} from "./wasm_helpers.ts";

await setUpBackends();

Deno.test("registerWasmKernels is idempotent and leaves a training-capable wasm backend", async () => {
  const kernels = () => tf.getKernelsForBackend("wasm").map((k) => k.kernelName).sort();
  const before = kernels();
  const filterGrad = tf.getKernel("Conv2DBackpropFilter", "wasm");
  assert.ok(filterGrad, "Conv2DBackpropFilter must be registered for wasm");
  registerWasmKernels({ blas: nativeBlas });
  registerWasmKernels({ blas: nativeBlas });
  assert.deepEqual(kernels(), before);
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), filterGrad);
  const [dx, dw] = await onBackend("wasm", () => {
    const grads = tf.tidy(() =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid").sum()
      )([tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1])])
    );
    const values = grads.map((g) => Array.from(g.dataSync()));
    tf.dispose(grads);
    return values;
  });
  // Each output sums a 2×2 window: every filter tap sees 4 windows; the centre pixel is in 4.
  assert.deepEqual(dw, [4, 4, 4, 4]);
  assert.deepEqual(dx, [1, 2, 1, 2, 4, 2, 1, 2, 1]);
});

Deno.test("switching product kernels swaps only the products and switches back exactly", async () => {
  const products = [
    "Conv2D",
    "FusedConv2D",
    "Conv2DBackpropFilter",
    "Conv2DBackpropInput",
    "BatchMatMul",
    "_FusedMatMul",
    "Sum",
  ];
  const funcs = () => tf.getKernelsForBackend("wasm").map((k) => [k.kernelName, k.kernelFunc]);
  const before = funcs();
  const seen = new Set<unknown>();
  for (const mode of PRODUCT_MODES) {
    await withProducts(mode, () => {
      const now = new Map(funcs() as [string, unknown][]);
      for (const [name, func] of before) {
        if (!products.includes(name as string)) {
          assert.equal(
            now.get(name as string),
            func,
            `${name} must not change`,
          );
        }
      }
      seen.add(now.get("Conv2D"));
    });
  }
  assert.equal(seen.size, PRODUCT_MODES.length, "each mode has its own Conv2D");
  assert.deepEqual(funcs(), before);
});
