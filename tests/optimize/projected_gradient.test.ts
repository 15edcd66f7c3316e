import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { linf, projectedGradient } from "../../lib/optimize/mod.ts";
import { assertNoLeak, useCpu } from "../attacks/helpers.ts";

await useCpu();

// One pixel climbing from 0.1 in steps of 0.1: the objective (its value) rises at every step,
// but only the iterate near 0.3 "succeeds". Ranking by the objective alone returns the last
// iterate, which failed; success first returns the iterate that succeeded.
const objective = (x: tf.Tensor4D) => tf.sum(x, [1, 2, 3]) as tf.Tensor1D;
const inBand = (x: tf.Tensor4D) =>
  tf.tidy(() =>
    tf.logicalAnd(tf.greater(x, 0.25), tf.less(x, 0.35)).reshape([x.shape[0]]) as tf.Tensor1D
  );
const opts = { threat: linf(0.5), steps: 5, stepSize: 0.1 };

Deno.test("the best iterate of a run is a successful one, even when a later one has a better objective", async () => {
  const x0 = tf.tensor4d([0.1, 0.6], [2, 1, 1, 1]);
  await assertNoLeak(async () => {
    const r = await projectedGradient(objective, x0, { ...opts, succeeded: inBand });
    const [a, b] = await r.x.data();
    // Example 0 passed through the band at 0.3 (step 2); example 1 started above it and never
    // succeeded, so its best objective wins (clipped at 1).
    assert.ok(Math.abs(a - 0.3) < 1e-6, `example 0 kept ${a}`);
    assert.ok(Math.abs(b - 1) < 1e-6, `example 1 kept ${b}`);
    assert.deepEqual(Array.from(r.success!), [1, 0]);
    assert.ok(Math.abs(r.value[0] - 0.3) < 1e-6);
    r.x.dispose();
  });
  // Without a success predicate only the objective ranks: the last iterate.
  const plain = await projectedGradient(objective, x0, opts);
  assert.ok(Math.abs((await plain.x.data())[0] - 0.6) < 1e-6);
  tf.dispose([plain.x, x0]);
});

Deno.test("with score, each step's gradient pass also gives its success: one evaluation per step", async () => {
  const x0 = tf.tensor4d([0.1], [1, 1, 1, 1]);
  let scored = 0, objectiveCalls = 0, successCalls = 0;
  await assertNoLeak(async () => {
    const r = await projectedGradient(
      (x) => {
        objectiveCalls += 1;
        return objective(x);
      },
      x0,
      {
        ...opts,
        succeeded: (x) => {
          successCalls += 1;
          return inBand(x);
        },
        score: (x) => {
          scored += 1;
          return { value: objective(x), success: inBand(x) };
        },
      },
    );
    assert.ok(Math.abs((await r.x.data())[0] - 0.3) < 1e-6);
    assert.deepEqual(Array.from(r.success!), [1]);
    r.x.dispose();
  });
  assert.equal(scored, opts.steps + 1);
  assert.equal(objectiveCalls, 0);
  assert.equal(successCalls, 0);
  x0.dispose();
});
