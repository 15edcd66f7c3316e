import assert from "node:assert/strict";
import { join } from "node:path";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { cnn, mlp } from "../../lib/models/builders.ts";
import {
  configHash,
  fit,
  loadCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
  stableStringify,
  trainOrLoad,
} from "../../lib/train/mod.ts";
import { toyDataset } from "./fixtures.ts";

await initBackend({ backend: "cpu" });

const smallCnn = (seed: number, filters = 3) =>
  cnn({
    seed,
    inputShape: [4, 4, 1],
    convs: [{ filters, stride: 2 }],
    dense: [6],
    numClasses: 2,
  });

function outputs(model: tf.LayersModel): number[] {
  return tf.tidy(() =>
    Array.from(
      (model.predict(tf.linspace(0, 1, 32).reshape([2, 4, 4, 1])) as tf.Tensor)
        .dataSync(),
    )
  );
}

Deno.test("a checkpoint round trips weights, config and metrics", async () => {
  const dir = join(await Deno.makeTempDir(), "ckpt");
  const model = smallCnn(1);
  await saveCheckpoint(dir, model, {
    config: { seed: 1 },
    metrics: { acc: 0.5 },
  });
  const other = smallCnn(2);
  assert.notDeepEqual(outputs(other), outputs(model));
  const meta = await restoreCheckpoint(other, dir);
  assert.deepEqual(outputs(other), outputs(model));
  assert.deepEqual(meta.config, { seed: 1 });
  assert.deepEqual(meta.metrics, { acc: 0.5 });
  const loaded = await loadCheckpoint(dir);
  assert.deepEqual(outputs(loaded.model), outputs(model));
  for (const m of [model, other, loaded.model]) m.dispose();
});

Deno.test("restoring into another architecture names the difference", async () => {
  const dir = join(await Deno.makeTempDir(), "ckpt");
  await saveCheckpoint(dir, smallCnn(1, 3), { config: {} });
  await assert.rejects(
    restoreCheckpoint(smallCnn(1, 5), dir),
    /another architecture.*conv1\/kernel \[3,3,1,3\].*conv1\/kernel \[3,3,1,5\]/,
  );
  await assert.rejects(
    restoreCheckpoint(
      mlp({ seed: 0, inputShape: [4, 4, 1], widths: [3], numClasses: 2 }),
      dir,
    ),
    /another architecture/,
  );
});

Deno.test("damaged or missing checkpoints get clear errors", async () => {
  const dir = join(await Deno.makeTempDir(), "ckpt");
  await assert.rejects(
    restoreCheckpoint(smallCnn(1), dir),
    /No checkpoint at .*model\.json is missing/,
  );
  await saveCheckpoint(dir, smallCnn(1), { config: {} });
  const weights = await Deno.readFile(join(dir, "weights.bin"));
  await Deno.writeFile(join(dir, "weights.bin"), weights.slice(0, 10));
  await assert.rejects(
    restoreCheckpoint(smallCnn(1), dir),
    /weights\.bin has 10 bytes.*truncated/,
  );
  await Deno.writeTextFile(join(dir, "model.json"), "{not json");
  await assert.rejects(restoreCheckpoint(smallCnn(1), dir), /not valid JSON/);
});

Deno.test("a checkpoint changed in place (same size, other bytes) is refused", async () => {
  const dir = join(await Deno.makeTempDir(), "ckpt");
  await saveCheckpoint(dir, smallCnn(1), { config: {}, metrics: { acc: 0.5 } });
  const bytes = await Deno.readFile(join(dir, "weights.bin"));
  bytes[bytes.length - 1] ^= 1;
  await Deno.writeFile(join(dir, "weights.bin"), bytes);
  await assert.rejects(
    restoreCheckpoint(smallCnn(1), dir),
    /weights\.bin does not match the checksum in model\.json/,
  );
  bytes[bytes.length - 1] ^= 1;
  await Deno.writeFile(join(dir, "weights.bin"), bytes);
  const file = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  file.meta.metrics.acc = 0.9;
  await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(file));
  await assert.rejects(loadCheckpoint(dir), /content does not match its checksum/);
  delete file.sha256;
  await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(file));
  await assert.rejects(
    restoreCheckpoint(smallCnn(1), dir, { requireChecksums: true }),
    /has no checksums/,
  );
});

Deno.test("configHash ignores key order and sees value changes", async () => {
  assert.equal(
    stableStringify({ b: 1, a: { d: 2, c: 3 } }),
    '{"a":{"c":3,"d":2},"b":1}',
  );
  assert.equal(
    await configHash({ a: 1, b: [1, 2] }),
    await configHash({ b: [1, 2], a: 1 }),
  );
  assert.notEqual(await configHash({ a: 1 }), await configHash({ a: 2 }));
});

Deno.test("trainOrLoad trains once, then reuses the model and its metrics", async () => {
  const previous = Deno.env.get("LENSES_CACHE");
  const cache = await Deno.makeTempDir();
  Deno.env.set("LENSES_CACHE", cache);
  try {
    const data = toyDataset(64, 0);
    let trainings = 0;
    const request = (epochs: number) =>
      trainOrLoad({
        name: "toy-cnn",
        config: { seed: 4, epochs },
        build: () => smallCnn(4),
        log: () => {},
        train: async (m) => {
          trainings++;
          const r = await fit(m, data, {
            epochs,
            batchSize: 16,
            seed: 0,
            optimizer: { name: "adam", lr: 0.01 },
            progress: "quiet",
          });
          return { loss: r.epochs.at(-1)!.loss };
        },
      });
    const first = await request(2);
    const second = await request(2);
    assert.equal(trainings, 1);
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    assert.equal(second.dir, first.dir);
    assert.deepEqual(second.metrics, first.metrics);
    assert.deepEqual(outputs(second.model), outputs(first.model));
    const third = await request(3);
    assert.equal(trainings, 2);
    assert.notEqual(third.dir, first.dir);
    await assert.rejects(
      trainOrLoad({
        name: "bad/name",
        config: {},
        build: () => smallCnn(0),
        train: () => Promise.resolve(0),
      }),
      /must use only letters/,
    );
  } finally {
    if (previous === undefined) Deno.env.delete("LENSES_CACHE");
    else Deno.env.set("LENSES_CACHE", previous);
  }
});
