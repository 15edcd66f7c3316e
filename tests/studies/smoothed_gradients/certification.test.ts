import assert from "node:assert/strict";
import { tf } from "../../../lib/tf.ts";
import { initBackend } from "../../../lib/backend/mod.ts";
import type { Dataset } from "../../../lib/data/mod.ts";
import type { ImageFn } from "../../../lib/models/mod.ts";
import { ABSTAIN, type Certificate, normalQuantile } from "../../../lib/smoothing/mod.ts";
import {
  abstentions,
  accuracyUnderNoise,
  certifiedCorrect,
  certifyAll,
  predictAll,
} from "../../../lib/studies/smoothed_gradients/mod.ts";

await initBackend({ backend: "cpu" });

/** Always prefers `winner` of 3 classes, whatever the input. */
function constant(winner: number): ImageFn {
  const row = [0, 1, 2].map((c) => (c === winner ? 9 : 0));
  return (x) => tf.tidy(() => tf.tile(tf.tensor2d([row]), [x.shape[0], 1]));
}

function images(labels: number[]): Dataset {
  return {
    name: "flat",
    shape: [2, 2, 1],
    x: new Float32Array(labels.length * 4).fill(0.5),
    labels: Int32Array.from(labels),
    numClasses: 3,
  };
}

const cert = (prediction: number, radius: number): Certificate => ({
  prediction,
  radius,
  guess: Math.max(prediction, 0),
  nA: 0,
  pABar: 0,
});

Deno.test("certifiedCorrect and abstentions: right label and a radius at least r", () => {
  const certs = [cert(1, 0.6), cert(1, 0.2), cert(ABSTAIN, 0), cert(2, 1)];
  const labels = [1, 1, 1, 0];
  assert.deepEqual(Array.from(certifiedCorrect(certs, labels, 0)), [1, 1, 0, 0]);
  assert.deepEqual(Array.from(certifiedCorrect(certs, labels, 0.5)), [1, 0, 0, 0]);
  assert.equal(abstentions(certs), 1);
  assert.throws(() => certifiedCorrect(certs, [1], 0), /4 certificates for 1 labels/);
});

Deno.test("certifyAll: a classifier that never changes its answer gets the largest radius n allows", async () => {
  const opts = { sigma: 0.5, n0: 10, n: 200, alpha: 0.01, seed: 1 };
  const before = tf.memory().numTensors;
  const certs = await certifyAll(constant(2), images([2, 0, 2]), opts, "test");
  assert.equal(tf.memory().numTensors, before);
  const best = 0.5 * normalQuantile(Math.pow(0.01, 1 / 200));
  for (const c of certs) {
    assert.equal(c.prediction, 2);
    assert.equal(c.nA, 200);
    assert.ok(Math.abs(c.radius - best) < 1e-9, `${c.radius} vs ${best}`);
  }
  assert.deepEqual(Array.from(certifiedCorrect(certs, [2, 0, 2], best)), [1, 0, 1]);
});

Deno.test("accuracyUnderNoise: a constant classifier is right exactly on its own class", async () => {
  const { correct, n } = await accuracyUnderNoise(constant(0), images([0, 1, 0, 2, 0]), 1, 0, 2);
  assert.deepEqual({ correct, n }, { correct: 3, n: 5 });
});

Deno.test("predictAll: a classifier that never changes its answer; a split vote abstains", async () => {
  const opts = { sigma: 0.5, n: 100, alpha: 0.01, seed: 2 };
  assert.deepEqual(Array.from(await predictAll(constant(1), images([0, 1]), opts, "test")), [1, 1]);
  // Two classes tied at every input: the binomial test cannot separate them.
  const tied: ImageFn = (x) => tf.tidy(() => tf.randomUniform([x.shape[0], 2], 0, 1, "float32", 4));
  assert.deepEqual(Array.from(await predictAll(tied, images([0]), opts, "tied")), [ABSTAIN]);
});
