import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  cca,
  correlationMatrix,
  debiasedLinearCka,
  linearCka,
  rbfCka,
} from "../../lib/representations/mod.ts";
import { demoFixture } from "./helpers.ts";

// Notebooks run on wasm (its BLAS products): the measures must agree with the cpu backend.

async function measuresOn(backend: "cpu" | "wasm"): Promise<number[]> {
  await initBackend({ backend });
  const x = tf.tensor2d(demoFixture.x);
  const y = tf.tensor2d(demoFixture.y);
  // 120 features for 100 examples: linear CKA takes its example-space (XXᵀ) path.
  const wide = tf.tidy(() =>
    tf.concat([x, x.square(), y.square(), x.mul(y), x.sin(), y.cos(), x.cos(), y.sin()], 1).concat(
      tf.concat([x.exp(), y.exp(), x.abs(), y.abs()], 1),
      1,
    )
  );
  const values = [
    linearCka(x, y),
    rbfCka(x, y, 0.5),
    debiasedLinearCka(x, y),
    cca(x, y).mean,
    correlationMatrix(x, y)[3][3],
    linearCka(wide, y),
  ];
  tf.dispose([x, y, wide]);
  return values;
}

Deno.test("similarity measures agree on wasm and cpu", async () => {
  const cpu = await measuresOn("cpu");
  const wasm = await measuresOn("wasm");
  cpu.forEach((v, i) =>
    assert.ok(Math.abs(v - wasm[i]) < 1e-5, `measure ${i}: ${v} vs ${wasm[i]}`)
  );
  await initBackend({ backend: "cpu" });
});
