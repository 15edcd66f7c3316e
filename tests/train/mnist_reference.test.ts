/**
 * The acceptance run of the training core: the reference CNN on the embedded MNIST split, on
 * the backend a CPU-only machine gets by default (wasm), past 97% test accuracy. Minutes on a
 * busy 2-core machine, and what it checks beyond the fast suite (fit's loop, leaks, schedules:
 * tests/train/loop.test.ts) is the accuracy alone, so it runs only in the opt-in slow set:
 * LENSES_SLOW_TESTS=1 deno test -A tests/
 */
import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadEmbeddedMnist } from "../../lib/data/mod.ts";
import { referenceCnn } from "../../lib/models/builders.ts";
import { evaluate, fit } from "../../lib/train/mod.ts";

const slow = Deno.env.get("LENSES_SLOW_TESTS") === "1";

Deno.test({
  name: `reference CNN trains on wasm to >97% test accuracy on the embedded MNIST split${
    slow ? "" : " (slow: ignored unless LENSES_SLOW_TESTS=1)"
  }`,
  ignore: !slow,
  fn: referenceRun,
});

async function referenceRun() {
  await initBackend({ backend: "wasm" });
  const { train, test } = await loadEmbeddedMnist({ seed: 0 });
  const model = referenceCnn({ seed: 0 });
  const before = tf.memory().numTensors;
  const result = await fit(model, train, {
    epochs: 5,
    batchSize: 64,
    seed: 0,
    optimizer: { name: "adam", lr: 2e-3 },
    schedule: { kind: "cosine" },
    progress: "quiet",
  });
  assert.equal(tf.memory().numTensors, before, "training leaked tensors");
  const { accuracy } = await evaluate(model, test);
  console.log(
    `test accuracy ${accuracy} after ${result.steps} steps, ${
      result.imagesPerSecond.toFixed(0)
    } img/s`,
  );
  assert.ok(accuracy > 0.97, `test accuracy ${accuracy}`);
  model.dispose();
}
