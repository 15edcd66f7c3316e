import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { arithmeticId } from "../../lib/backend/select.ts";
import { mlp } from "../../lib/models/mod.ts";
import { type Dataset } from "../../lib/data/dataset.ts";
import {
  cachedFit,
  codeFingerprint,
  fit,
  type FitOptions,
  keyValue,
  meanCrossEntropy,
  restoreCheckpoint,
  trainOrLoad,
} from "../../lib/train/mod.ts";
import { nativeBlas, onBackend, setUpBackends } from "../backend/wasm_helpers.ts";
import { toyDataset } from "./fixtures.ts";

await setUpBackends();
await initBackend({ backend: "cpu" });

const build = (seed = 4, widths = [6]) =>
  mlp({ seed, inputShape: [4, 4, 1], widths, numClasses: 2 });

const data = toyDataset(64, 0);
const base: FitOptions = {
  epochs: 2,
  batchSize: 16,
  seed: 0,
  optimizer: { name: "adam", lr: 0.01 },
  progress: "quiet",
};

function outputs(model: tf.LayersModel): number[] {
  return tf.tidy(() =>
    Array.from((model.predict(tf.linspace(0, 1, 32).reshape([2, 4, 4, 1])) as tf.Tensor).dataSync())
  );
}

/** Runs `fn` with LENSES_CACHE set to a fresh directory, restoring the caller's value after. */
async function withCache<T>(fn: (cache: string) => Promise<T>): Promise<T> {
  const previous = Deno.env.get("LENSES_CACHE");
  const cache = await Deno.makeTempDir();
  Deno.env.set("LENSES_CACHE", cache);
  try {
    return await fn(cache);
  } finally {
    if (previous === undefined) Deno.env.delete("LENSES_CACHE");
    else Deno.env.set("LENSES_CACHE", previous);
    await Deno.remove(cache, { recursive: true });
  }
}

/** A log that keeps its lines. */
function recorder() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}

/** A code tree standing in for lib/, so tests can edit "library" files. */
async function fakeLib(): Promise<string> {
  const root = await Deno.makeTempDir();
  const files: Record<string, string> = {
    "mod.ts": "export * from './train/loop.ts';",
    "train/loop.ts": "export const lr = 1;",
    "display/plot.ts": "export const colour = 'red';",
    "io/fs.ts": "export const atomic = true;",
    "notebook/start.ts": "export const banner = 'hi';",
    "studies/counting/net.ts": "export const width = 3;",
    "studies/scenes/regions.ts": "export const grid = 4;",
    "train/notes.md": "not code",
  };
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

Deno.test("cachedFit trains once, then restores the weights and fit's result, leaking nothing", async () => {
  await withCache(async () => {
    const { lines, log } = recorder();
    const first = build();
    const before = tf.memory().numTensors;
    const r1 = await cachedFit(first, data, base, { name: "toy", log });
    assert.equal(tf.memory().numTensors, before, "tensors leaked while training");
    assert.equal(r1.cached, false);
    assert.deepEqual(lines, ['lenses cache: training "toy" (no entry)']);

    const second = build();
    const before2 = tf.memory().numTensors;
    const r2 = await cachedFit(second, data, base, { name: "toy", log });
    assert.equal(tf.memory().numTensors, before2, "tensors leaked while loading");
    assert.equal(r2.cached, true);
    assert.equal(r2.dir, r1.dir);
    assert.equal(lines.length, 1, "a hit prints nothing");
    assert.deepEqual(r2.stepLosses, r1.stepLosses);
    assert.deepEqual(r2.epochs, r1.epochs);
    assert.deepEqual(outputs(second), outputs(first));

    const savedAt = async () =>
      JSON.parse(await Deno.readTextFile(join(r1.dir, "model.json"))).meta.savedAt;
    const before3 = await savedAt();
    const third = build();
    const r3 = await cachedFit(third, data, base, { name: "toy", log, refresh: true });
    assert.equal(r3.cached, false);
    assert.equal(lines.at(-1), 'lenses cache: training "toy" (refresh requested)');
    assert.notEqual(await savedAt(), before3, "a refresh replaces the entry");
    for (const m of [first, second, third]) m.dispose();
  });
});

Deno.test("a weights file overwritten in place (same size) is reported, retrained and replaced", async () => {
  await withCache(async () => {
    const { lines, log } = recorder();
    const first = build();
    const r1 = await cachedFit(first, data, base, { name: "toy", log });
    const path = join(r1.dir, "weights.bin");
    const bytes = await Deno.readFile(path);
    const damaged = bytes.map((b, i) => (i % 7 === 0 ? b ^ 0x5a : b));
    assert.equal(damaged.length, bytes.length);
    await Deno.writeFile(path, damaged);

    const second = build();
    const r2 = await cachedFit(second, data, base, { name: "toy", log });
    assert.equal(r2.cached, false);
    assert.match(
      lines[1],
      /^lenses cache: training "toy" \(damaged entry, replaced: .*weights\.bin does not match the checksum/,
    );
    assert.deepEqual(outputs(second), outputs(first), "retrained to the same weights");
    assert.deepEqual(await Deno.readFile(path), bytes, "the entry was published again");

    // The metadata is checksummed too: a changed metric is not served either.
    const modelPath = join(r1.dir, "model.json");
    const file = JSON.parse(await Deno.readTextFile(modelPath));
    file.meta.metrics.stepLosses[0] = 0;
    await Deno.writeTextFile(modelPath, JSON.stringify(file));
    const third = build();
    const r3 = await cachedFit(third, data, base, { name: "toy", log });
    assert.equal(r3.cached, false);
    assert.match(lines[2], /damaged entry, replaced: .*content does not match its checksum/);
    assert.equal((await cachedFit(build(), data, base, { name: "toy", log })).cached, true);
    for (const m of [first, second, third]) m.dispose();
  });
});

Deno.test("the key changes with every option, the data and the model, and says which", async () => {
  await withCache(async () => {
    const { lines, log } = recorder();
    await cachedFit(build(), data, base, { name: "toy", log });
    const loss = Object.assign(
      (o: tf.Tensor2D, y: tf.Tensor) => meanCrossEntropy(o, y as tf.Tensor1D),
      { config: { name: "cross-entropy" } },
    );
    const changedData: Dataset = { ...data, x: data.x.slice() };
    (changedData.x as Float32Array)[5] += 0.01;
    // A model prepared before training (as notebook 05 sets its output bias): same topology.
    const prepared = () => {
      const model = build();
      const logits = model.getLayer("logits");
      const [kernel, bias] = logits.getWeights();
      const ones = tf.onesLike(bias);
      logits.setWeights([kernel, ones]);
      ones.dispose();
      return model;
    };
    const cases: {
      what: string;
      options?: Partial<FitOptions>;
      model?: () => tf.LayersModel;
      data?: Dataset;
      reason: RegExp;
    }[] = [
      { what: "batch size", options: { batchSize: 32 }, reason: /fit\.batchSize 16 → 32\)$/ },
      { what: "epochs", options: { epochs: 3 }, reason: /fit\.epochs 2 → 3\)$/ },
      {
        what: "steps",
        options: { epochs: undefined, steps: 5 },
        reason: /fit\.epochs 2 → \(none\), fit\.steps \(none\) → 5\)$/,
      },
      { what: "seed", options: { seed: 1 }, reason: /fit\.seed 0 → 1\)$/ },
      {
        what: "optimizer",
        options: { optimizer: { name: "sgd", lr: 0.01 } },
        reason: /fit\.optimizer\.name "adam" → "sgd"\)$/,
      },
      {
        what: "learning rate",
        options: { optimizer: { name: "adam", lr: 0.02 } },
        reason: /fit\.optimizer\.lr 0\.01 → 0\.02\)$/,
      },
      {
        what: "schedule",
        options: { schedule: { kind: "cosine" } },
        reason: /fit\.schedule \(none\) → \{"kind":"cosine"\}\)$/,
      },
      {
        what: "weight decay",
        options: { weightDecay: 1e-4 },
        reason: /fit\.weightDecay \(none\) → 0\.0001\)$/,
      },
      {
        what: "loss",
        options: { loss },
        reason: /fit\.loss \(none\) → \{"config":\{"name":"cross-entropy"\}\}\)$/,
      },
      {
        what: "validation data",
        options: { validation: toyDataset(8, 1) },
        reason: /fit\.validation \(none\) → /,
      },
      {
        what: "training data",
        data: changedData,
        reason: /\(key changed: data\.x\.sha256 "[0-9a-f]{16}" → "[0-9a-f]{16}"\)$/,
      },
      {
        what: "initial weights",
        model: prepared,
        reason: /\(key changed: model\.weights "[0-9a-f]{16}" → "[0-9a-f]{16}"\)$/,
      },
      {
        what: "architecture",
        model: () => build(4, [7]),
        reason: /\(key changed: model\.topology .*, model\.weights /,
      },
    ];
    for (const c of cases) {
      const model = (c.model ?? build)();
      const r = await cachedFit(model, c.data ?? data, { ...base, ...c.options }, {
        name: "toy",
        log,
      });
      assert.equal(r.cached, false, `${c.what}: a changed key must retrain`);
      assert.match(lines.at(-1)!, c.reason, `${c.what}: ${lines.at(-1)}`);
      model.dispose();
      // Back to one entry, so the next case is compared with the base run.
      await Deno.remove(r.dir, { recursive: true });
    }
    const shown = await cachedFit(
      build(),
      data,
      { ...base, label: "other", progress: "terminal" },
      {
        name: "toy",
        log,
      },
    );
    assert.equal(shown.cached, true, "label and progress only change the display");
  });
});

Deno.test("functions and objects without a stable value are refused, naming the option", async () => {
  await assert.rejects(
    keyValue({ beforeStep: () => {} }, "fit"),
    /cache key: fit\.beforeStep is a function without a `config` property/,
  );
  await assert.rejects(
    cachedFit(build(), data, { ...base, loss: (o, y) => meanCrossEntropy(o, y as tf.Tensor1D) }, {
      name: "toy",
    }),
    /fit\.loss is a function without a `config` property/,
  );
  await assert.rejects(keyValue({ hooks: [new Map()] }, "fit"), /fit\.hooks\[0\] is a Map object/);
  const t = tf.scalar(1);
  await assert.rejects(keyValue({ mask: t }, "fit"), /fit\.mask is a .* object/);
  t.dispose();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await assert.rejects(keyValue(cyclic, "fit"), /fit\.self refers back to itself/);
  const hook = Object.assign(() => {}, { config: { eps: Infinity, steps: undefined } });
  assert.deepEqual(await keyValue({ beforeStep: hook, skip: undefined }, "fit"), {
    beforeStep: { config: { eps: "Infinity" } },
  });
});

Deno.test("typed arrays enter the key by content, hashed once per array", async () => {
  const a = new Float32Array([1, 2, 3]);
  const k1 = await keyValue({ a }, "x");
  a[0] = 9; // datasets are immutable values: a mutated array keeps its first hash
  assert.deepEqual(await keyValue({ a }, "x"), k1);
  assert.notDeepEqual(await keyValue({ a: new Float32Array([9, 2, 3]) }, "x"), k1);
  assert.deepEqual(await keyValue({ a: new Float32Array([1, 2, 3]) }, "x"), k1);
});

Deno.test("the code fingerprint covers lib/ except display, notebook, io, mod.ts and unnamed studies", async () => {
  const root = await fakeLib();
  const all = await codeFingerprint({ root });
  assert.deepEqual(Object.keys(all.files), [
    "lib/studies/counting/net.ts",
    "lib/studies/scenes/regions.ts",
    "lib/train/loop.ts",
  ]);
  const counting = await codeFingerprint({ root, studies: ["counting"] });
  assert.deepEqual(Object.keys(counting.files), [
    "lib/studies/counting/net.ts",
    "lib/train/loop.ts",
  ]);

  for (
    const path of ["display/plot.ts", "io/fs.ts", "notebook/start.ts", "mod.ts", "train/notes.md"]
  ) {
    await Deno.writeTextFile(join(root, path), "// edited\n", { append: true });
  }
  await Deno.writeTextFile(join(root, "studies/scenes/regions.ts"), "// edited\n", {
    append: true,
  });
  assert.equal((await codeFingerprint({ root, studies: ["counting"] })).hash, counting.hash);
  assert.notEqual((await codeFingerprint({ root })).hash, all.hash);

  await Deno.writeTextFile(join(root, "train/loop.ts"), "export const lr = 2;");
  assert.notEqual((await codeFingerprint({ root, studies: ["counting"] })).hash, counting.hash);
  await assert.rejects(
    codeFingerprint({ root, studies: ["countng"] }),
    /studies: "countng" not found in .*; the studies are counting, scenes/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("editing a fingerprinted file retrains, naming the file", async () => {
  const root = await fakeLib();
  await withCache(async () => {
    const { lines, log } = recorder();
    const opts = { name: "toy", log, root, studies: ["counting"] };
    await cachedFit(build(), data, base, opts);
    assert.equal((await cachedFit(build(), data, base, opts)).cached, true);
    await Deno.writeTextFile(join(root, "display/plot.ts"), "export const colour = 'blue';");
    assert.equal((await cachedFit(build(), data, base, opts)).cached, true);
    await Deno.writeTextFile(join(root, "train/loop.ts"), "export const lr = 2;");
    await Deno.writeTextFile(join(root, "train/new.ts"), "export const x = 1;");
    assert.equal((await cachedFit(build(), data, base, opts)).cached, false);
    assert.equal(
      lines.at(-1),
      'lenses cache: training "toy" (key changed: code changed in lib/train/loop.ts, lib/train/new.ts (new))',
    );
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("trainOrLoad's key covers the backend", async () => {
  await withCache(async () => {
    const { lines, log } = recorder();
    const request = () =>
      trainOrLoad({
        name: "toy",
        config: { seed: 4 },
        log,
        build: () => build(),
        train: (m) => fit(m, data, base),
      });
    assert.equal(arithmeticId(), "cpu");
    const onCpu = await request();
    assert.equal((await request()).cached, true);
    const onWasm = await onBackend("wasm", request);
    assert.equal(onWasm.cached, false);
    assert.notEqual(onWasm.dir, onCpu.dir);
    assert.match(lines.at(-1)!, /key changed: backend cpu → wasm/);
    for (const t of [onCpu, onWasm]) t.model.dispose();
  });
});

Deno.test({
  name: "trainOrLoad's key covers the BLAS and its thread count",
  // Apple's Accelerate offers no thread control, so its id cannot change.
  ignore: !nativeBlas || nativeBlas.description.includes("Accelerate"),
  fn: async () => {
    await withCache(async () => {
      const { lines, log } = recorder();
      const blas = nativeBlas!;
      const threads = blas.threads();
      const request = () =>
        trainOrLoad({
          name: "toy",
          config: { seed: 4 },
          log,
          build: () => build(),
          train: (m) => fit(m, data, base),
        });
      await onBackend("wasm", async () => {
        assert.equal(arithmeticId(), `wasm+${blas.description}+${threads}t`);
        const first = await request();
        blas.setThreads(threads === 1 ? 2 : 1);
        try {
          const second = await request();
          assert.equal(second.cached, false);
          assert.ok(
            lines.at(-1)!.includes(`backend wasm+${blas.description}+${threads}t → wasm+`),
            lines.at(-1),
          );
          second.model.dispose();
        } finally {
          blas.setThreads(threads);
        }
        first.model.dispose();
      });
    });
  },
});

Deno.test("temporaries of dead processes in the cache are removed on first use", async () => {
  await withCache(async (cache) => {
    const dead = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
    await dead.status;
    const models = join(cache, "models");
    const stale = join(models, `toy-0123456789abcdef.tmp-${dead.pid}-1`);
    const live = join(models, `toy-0123456789abcdef.tmp-${Deno.ppid}-1`);
    for (const dir of [stale, live]) {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(join(dir, "weights.bin"), "partial");
      const hourAgo = new Date(Date.now() - 3_600_000);
      await Deno.utime(dir, hourAgo, hourAgo);
    }
    await cachedFit(build(), data, base, { name: "toy", log: () => {} });
    const names = [...Deno.readDirSync(models)].map((e) => e.name).sort();
    assert.ok(!names.includes(stale.split("/").at(-1)!), "the dead process's temp was kept");
    assert.ok(names.includes(live.split("/").at(-1)!), "a live process's temp was removed");
  });
});

Deno.test("processes publishing the same entry at once all succeed and leave one whole entry", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "models", "toy-0123456789abcdef");
  const worker = fileURLToPath(new URL("./cache_publish_worker.ts", import.meta.url));
  const runs = await Promise.all(
    Array.from({ length: 5 }, () =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", worker, dir, "30", "keep"],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output()),
  );
  const decoder = new TextDecoder();
  let published = 0;
  for (const run of runs) {
    assert.equal(run.code, 0, decoder.decode(run.stderr));
    const counts = JSON.parse(decoder.decode(run.stdout).trim());
    assert.equal(counts.published + counts.kept, 30);
    published += counts.published;
  }
  // Each round either published or found another process's entry, and every third round of
  // each process discarded it, so entries were published again and again, concurrently.
  assert.ok(published >= 10, `only ${published} publishes`);
  // No temporaries left behind; the entry is whole if the last process to act published it.
  const left = [...Deno.readDirSync(join(root, "models"))].map((e) => e.name);
  assert.ok(left.every((name) => name === "toy-0123456789abcdef"), left.join(", "));
  if (left.length > 0) {
    const model = mlp({ seed: 3, inputShape: [4, 4, 1], widths: [5], numClasses: 2 });
    await restoreCheckpoint(model, dir, { requireChecksums: true });
    model.dispose();
  }
  await Deno.remove(root, { recursive: true });
});
