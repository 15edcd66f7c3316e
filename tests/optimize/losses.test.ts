import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { crossEntropy, margin } from "../../lib/optimize/losses.ts";
import { assertNoLeak, useCpu } from "../attacks/helpers.ts";

await useCpu();

const LOGITS = [[2, 0, -1], [0.5, 3, 0.5], [1, 1, 1]];
const LABELS = [0, 2, 1];

Deno.test("crossEntropy is logsumexp(z) − z_label per example", async () => {
  await assertNoLeak(() =>
    tf.tidy(() => {
      const got = crossEntropy(
        tf.tensor2d(LOGITS),
        tf.tensor1d(LABELS, "int32"),
      ).arraySync();
      LOGITS.forEach((z, i) => {
        const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
        assert.ok(Math.abs(got[i] - (lse - z[LABELS[i]])) < 1e-6);
      });
    })
  );
});

Deno.test("margin is max_{j≠label} z_j − z_label, positive exactly when misclassified", () => {
  tf.tidy(() => {
    const got = margin(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, "int32"))
      .arraySync();
    assert.deepEqual(got, [-2, 2.5, 0]);
    // Its input gradient is finite (the masked −∞ entry must not poison it).
    const g = tf.grad((z) => tf.sum(margin(z as tf.Tensor2D, tf.tensor1d(LABELS, "int32"))))(
      tf.tensor2d(LOGITS),
    ).arraySync() as number[][];
    assert.deepEqual(g[0], [-1, 1, 0]);
  });
});
