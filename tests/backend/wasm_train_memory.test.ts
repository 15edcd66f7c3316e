import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { referenceCnn } from "../../lib/models/builders.ts";
import { meanCrossEntropy } from "../../lib/train/evaluate.ts";
import { assertClose, onBackend, randomArray, setUpBackends } from "./wasm_helpers.ts";

await setUpBackends();

/** One Adam step of the reference CNN on a fixed batch; returns the loss. */
function trainer(batch: number) {
  const model = referenceCnn({ seed: 3 });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.tensor4d(randomArray(5, [batch, 28, 28, 1]).map(Math.abs), [
    batch,
    28,
    28,
    1,
  ]);
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    "int32",
  );
  return {
    step(): number {
      const loss = optimizer.minimize(
        () =>
          meanCrossEntropy(
            model.apply(x, { training: true }) as tf.Tensor2D,
            y,
          ),
        true,
      )!;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    weights: () => model.getWeights().map((w) => w.dataSync()),
    dispose() {
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

// Sizes: a leak grows the count by at least one tensor per step, so a few steps show it as
// well as fifty; batch 32 still takes the BLAS/XNNPACK paths of the full-size kernels.
Deno.test("reference CNN train steps on wasm keep the tensor count flat", async () => {
  await onBackend("wasm", () => {
    const before = tf.memory().numTensors;
    const t = trainer(32);
    t.step(); // optimizer slots are created on the first step
    const settled = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) losses.push(t.step());
    assert.equal(
      tf.memory().numTensors,
      settled,
      "tensors grew across 6 steps",
    );
    assert.ok(losses.every(Number.isFinite));
    assert.ok(
      losses[5] < losses[0],
      `loss did not fall: ${losses[0]} → ${losses[5]}`,
    );
    t.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});

// Two steps (the second uses Adam's moments) at batch 2: the cpu backend takes most of the
// time, and the kernels' agreement is checked op by op in the other wasm tests.
Deno.test("two reference-CNN train steps give the same weights on wasm and cpu", async () => {
  const run = (backend: string) =>
    onBackend(backend, () => {
      const t = trainer(2);
      const losses = [t.step(), t.step()];
      const weights = t.weights();
      t.dispose();
      return { losses, weights };
    });
  const [wasm, cpu] = [await run("wasm"), await run("cpu")];
  assertClose(wasm.losses, cpu.losses, 1e-4, "losses");
  wasm.weights.forEach((w, i) => assertClose(w, cpu.weights[i], 1e-4, `weight ${i}`));
});
