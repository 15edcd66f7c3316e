import assert from "node:assert/strict";
import { tf } from "../../../lib/tf.ts";
import { layerNames } from "../../../lib/models/mod.ts";
import { initBackend } from "../../../lib/backend/mod.ts";
import {
  buildMember,
  comparedLayers,
  firstLayerFilters,
  layerActivations,
  matchedFilterCosines,
  memberName,
  unitResponses,
  visualiseUnits,
} from "../../../lib/studies/universality/mod.ts";

await initBackend({ backend: "cpu" });

Deno.test("zoo: members have the compared layers, and names say what decides the weights", () => {
  for (const arch of ["mlp", "cnn"] as const) {
    const model = buildMember({ arch, width: 8, initSeed: 0, orderSeed: 0 });
    for (const layer of comparedLayers(arch)) assert.ok(layerNames(model).includes(layer), layer);
    model.dispose();
  }
  assert.equal(memberName({ arch: "cnn", width: 8, initSeed: 0, orderSeed: 1 }), "CNN-8 i0/o1");
  assert.equal(
    memberName({
      arch: "cnn",
      width: 8,
      initSeed: 2,
      orderSeed: 2,
      adversarial: { eps: 1, steps: 3 },
    }),
    "AT CNN-8 i2",
  );
  assert.throws(
    () => buildMember({ arch: "mlp", width: 6, initSeed: 0, orderSeed: 0 }),
    /multiple of 4/,
  );
});

Deno.test("first-layer filters: shapes; a permuted, negated copy matches with |cos| 1", () => {
  const a = buildMember({ arch: "cnn", width: 8, initSeed: 0, orderSeed: 0 });
  const filters = firstLayerFilters(a);
  assert.equal(filters.length, 8);
  assert.equal(filters[0].length, 9);
  const copy = [...filters].reverse().map((f, i) => f.map((v) => (i % 2 ? -v : v)));
  const cosines = matchedFilterCosines(filters, copy);
  assert.equal(cosines.length, 8);
  for (const c of cosines) assert.ok(Math.abs(c - 1) < 1e-9, `${c}`);
  const other = firstLayerFilters(
    buildMember({ arch: "cnn", width: 8, initSeed: 1, orderSeed: 1 }),
  );
  const random = matchedFilterCosines(filters, other);
  assert.ok(random.every((c) => c >= 0 && c < 1 - 1e-6), "two random inits are not copies");
  assert.throws(() => matchedFilterCosines(filters, [[1, 2]]), /filters of one length/);
  const dense = firstLayerFilters(
    buildMember({ arch: "mlp", width: 16, initSeed: 0, orderSeed: 0 }),
  );
  assert.deepEqual([dense.length, dense[0].length], [16, 784]);
  a.dispose();
});

Deno.test("unit responses: conv channels over examples and positions; no tensors leak", () => {
  const model = buildMember({ arch: "cnn", width: 4, initSeed: 0, orderSeed: 0 });
  const x = tf.randomUniform([3, 28, 28, 1], 0, 1, "float32", 1) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const acts = layerActivations(model, ["conv2", "fc1"], x);
  assert.deepEqual(acts.map((t) => t.shape), [[3, 14, 14, 8], [3, 32]]);
  const units = unitResponses(acts[0]);
  assert.deepEqual(units.shape, [3 * 14 * 14, 8]);
  // Row (example 1, position (2, 5)) holds that position's channels.
  const expected = tf.tidy(() => acts[0].slice([1, 2, 5, 0], [1, 1, 1, 8]).reshape([8]));
  const row = tf.tidy(() => units.slice([14 * 14 + 2 * 14 + 5, 0], [1, 8]).reshape([8]));
  assert.deepEqual(Array.from(row.dataSync()), Array.from(expected.dataSync()));
  tf.dispose([...acts, units, expected, row]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x]);
  model.dispose();
});

Deno.test("visualiseUnits: one image per unit in [0, 1]; no tensors leak", async () => {
  const model = buildMember({ arch: "cnn", width: 4, initSeed: 0, orderSeed: 0 });
  const before = tf.memory().numTensors;
  const images = await visualiseUnits(model, "conv3", [0, 3, 5], { steps: 3, seed: 0 });
  assert.deepEqual(images.shape, [3, 28, 28, 1]);
  const values = await images.data();
  assert.ok(values.every((v) => v >= 0 && v <= 1));
  images.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(
    () => visualiseUnits(model, "conv3", [99], { steps: 1, seed: 0 }),
    /index 99/,
  );
  model.dispose();
});
