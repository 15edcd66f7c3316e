import assert from "node:assert/strict";
import { makeDataset } from "../../../lib/data/dataset.ts";
import { l2 } from "../../../lib/optimize/mod.ts";
import { Rng } from "../../../lib/random/mod.ts";
import { tf } from "../../../lib/tf.ts";
import { ARCHS, buildModel, trainModel } from "../../../lib/studies/non_robust_features/mod.ts";
import type { Arch } from "../../../lib/studies/non_robust_features/mod.ts";
import { useCpu } from "../../attacks/helpers.ts";

await useCpu();

const rng = new Rng(3);
const data = makeDataset({
  name: "tiny",
  shape: [28, 28, 1],
  x: Float32Array.from({ length: 16 * 784 }, () => rng.uniform()),
  labels: Int32Array.from({ length: 16 }, (_, i) => i % 10),
  numClasses: 10,
});

/** Runs `fn` with LENSES_CACHE pointing at a fresh temporary directory. */
async function withCache(fn: () => Promise<void>) {
  const saved = Deno.env.get("LENSES_CACHE");
  const dir = await Deno.makeTempDir({ prefix: "nb01-cache-" });
  Deno.env.set("LENSES_CACHE", dir);
  try {
    await fn();
  } finally {
    if (saved === undefined) Deno.env.delete("LENSES_CACHE");
    else Deno.env.set("LENSES_CACHE", saved);
    await Deno.remove(dir, { recursive: true });
  }
}

const weights = async (m: { model: { getWeights(): { data(): Promise<unknown> }[] } }) =>
  await Promise.all(m.model.getWeights().map((w) => w.data()));

Deno.test("trainModel reuses the cached model for the same options and retrains when the adversarial step changes", async () => {
  await withCache(async () => {
    const adversarial = (stepSize: number) => ({ threat: l2(2), steps: 2, stepSize });
    const opts = { arch: "mlp" as const, seed: 0, epochs: 1 };
    const first = await trainModel("t", data, { ...opts, adversarial: adversarial(0.5) });
    const again = await trainModel("t", data, { ...opts, adversarial: adversarial(0.5) });
    assert.equal(first.cached, false);
    assert.equal(again.cached, true);
    assert.deepEqual(await weights(again), await weights(first));
    // Only the step the attack actually takes differs: the key must tell them apart.
    const otherStep = await trainModel("t", data, { ...opts, adversarial: adversarial(0.25) });
    assert.equal(otherStep.cached, false);
    assert.notDeepEqual(await weights(otherStep), await weights(first));
    const standard = await trainModel("t", data, opts);
    assert.equal(standard.cached, false);
  });
});

Deno.test("buildModel: every architecture maps MNIST images to 10 logits, seeded", async () => {
  for (const arch of Object.keys(ARCHS) as Arch[]) {
    const a = buildModel(arch, 0), b = buildModel(arch, 0);
    const out = tf.tidy(() => a.apply(tf.zeros([2, 28, 28, 1])) as tf.Tensor);
    assert.deepEqual(out.shape, [2, 10], arch);
    out.dispose();
    assert.deepEqual(await weights({ model: a }), await weights({ model: b }), arch);
  }
  const linear = buildModel("linear", 0);
  assert.equal(linear.countParams(), 784 * 10 + 10);
  assert.throws(() => buildModel("resnet" as Arch, 0), /unknown architecture "resnet"/);
});
