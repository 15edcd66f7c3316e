import assert from "node:assert/strict";
import { tf } from "../../../lib/tf.ts";
import { sparseLinearTask } from "../../../lib/data/sparse_coding.ts";
import { perturbationAnatomy, staircase } from "../../../lib/studies/purification/mod.ts";
import { neuronMatrix } from "../../../lib/weights/mod.ts";

await tf.setBackend("cpu");

Deno.test("perturbationAnatomy: a linear model along Mw* is attacked along ∓Mw*, spread evenly over the atoms", async () => {
  const d = 16;
  const task = sparseLinearTask({ seed: 0, d, k: 2, margin: 0.1 });
  const sample = task.sample(40, 1);
  // f(x) = 4·⟨Mw*, x − offset⟩; logits [−f/2, f/2]. Its input gradient is ∝ Mw* everywhere.
  const direction = tf.tensor2d(
    Array.from(
      { length: d },
      (_, q) => task.options.wStar.reduce((a, wj, j) => a + wj * task.dictionary[j * d + q], 0),
    ),
    [d, 1],
  );
  const model = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const f = tf.mul(tf.matMul(tf.sub(tf.reshape(x, [x.shape[0], d]), 0.5), direction), 4);
      return tf.concat([tf.mul(f, -0.5), tf.mul(f, 0.5)], 1) as tf.Tensor2D;
    });
  const before = tf.memory().numTensors;
  const a = await perturbationAnatomy(model, sample, task, {
    norm: "l2",
    tau: 0.05,
    steps: 5,
    seed: 0,
    keep: 3,
    randomStart: false,
  });
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  for (let i = 0; i < 40; i++) {
    assert.ok(a.towardTarget[i] > 0.999, `example ${i}: cos ${a.towardTarget[i]}`);
    assert.ok(a.targetAtoms[i] > 0.999, `example ${i}: target share ${a.targetAtoms[i]}`);
    // |w*_j| = 1 for all j: the energy is spread evenly, so the own-atom share is active / d.
    assert.ok(Math.abs(a.ownAtoms[i] - a.ownAtomsBaseline[i]) < 1e-3);
  }
  assert.equal(a.coefficients.length, 3);
  assert.equal(a.coefficients[0].length, d);
  direction.dispose();
});

Deno.test("staircase: neurons sorted by top atom, rows scaled to a maximum of 1", () => {
  const c = neuronMatrix(3, 3, new Float32Array([0, 0, -4, 2, 1, 0, 0.5, 3, 0]));
  const { rows, order } = staircase(c);
  assert.deepEqual(order, [1, 2, 0]);
  assert.deepEqual(rows[0], [1, 0.5, 0]);
  assert.deepEqual(rows[2], [0, 0, 1]);
});
