import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CIFAR10_ARCHIVE,
  CIFAR10_CLASS_NAMES,
  cifar10FromArchive,
  loadCifar10,
  parseCifarBatch,
} from "../../lib/data/cifar10.ts";
import { sha256Hex } from "../../lib/io/bytes.ts";
import { readTar } from "../../lib/data/tar.ts";
import { gunzip } from "../../lib/data/gzip.ts";
import { cifarPixel, cifarRecords, gzip, tar, withTempDir } from "./fixtures.ts";

/** Checks that record `k` of `x` holds fixture record `r` in NHWC order. */
function assertRecord(x: Float32Array, k: number, r: number) {
  for (const [row, col] of [[0, 0], [0, 31], [5, 17], [31, 0], [31, 31]]) {
    for (let c = 0; c < 3; c++) {
      const got = x[k * 3072 + (row * 32 + col) * 3 + c];
      assert.equal(
        got,
        Math.fround(cifarPixel(r, c, row * 32 + col) / 255),
        `record ${k}, pixel (${row}, ${col}), channel ${c}`,
      );
    }
  }
}

/** The six batch files (two records each, labels cycling 0..9) under the archive's folder. */
function batchFiles(extra: { name: string; data: Uint8Array }[] = []) {
  const names = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat(
    "test_batch.bin",
  );
  return names.map((name, b) => ({
    name: `cifar-10-batches-bin/${name}`,
    data: cifarRecords([(2 * b) % 10, (2 * b + 1) % 10], 2 * b),
  })).concat(extra);
}

Deno.test("CIFAR batch: labels and CHW planes become NHWC values in [0,1]", () => {
  const { x, labels } = parseCifarBatch(cifarRecords([3, 9, 0]), "b.bin");
  assert.deepEqual(Array.from(labels), [3, 9, 0]);
  assert.equal(x.length, 3 * 32 * 32 * 3);
  for (let k = 0; k < 3; k++) assertRecord(x, k, k);
  assert.ok(x.every((v) => v >= 0 && v <= 1));
});

Deno.test("CIFAR batch: a truncated record is an error that counts the bytes", () => {
  const bytes = cifarRecords([1, 2]).subarray(0, 3073 + 100);
  assert.throws(
    () => parseCifarBatch(bytes, "data_batch_1.bin"),
    /data_batch_1\.bin: truncated CIFAR-10 batch: 3173 bytes is not a whole number of 3073-byte records \(1 records and 100 stray bytes\)/,
  );
});

Deno.test("CIFAR batch: a label above 9 is refused", () => {
  const bytes = cifarRecords([1, 2]);
  bytes[3073] = 57;
  assert.throws(
    () => parseCifarBatch(bytes, "b.bin"),
    /b\.bin: record 1 has label 57; CIFAR-10 labels are 0\.\.9/,
  );
});

Deno.test("CIFAR archive: a tar.gz of the six batches loads as train and test sets", async () => {
  const meta = {
    name: "cifar-10-batches-bin/batches.meta.txt",
    data: new TextEncoder().encode("airplane\n"),
  };
  const archive = await gzip(tar(batchFiles([meta])));
  const { train, test } = await cifar10FromArchive(archive, "fixture.tar.gz");
  assert.equal(train.name, "cifar10-train");
  assert.equal(test.name, "cifar10-test");
  assert.deepEqual(train.shape, [32, 32, 3]);
  assert.deepEqual(train.classNames, CIFAR10_CLASS_NAMES);
  assert.deepEqual(Array.from(train.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from(test.labels), [0, 1]);
  for (let k = 0; k < 10; k++) assertRecord(train.x, k, k);
  assertRecord(test.x, 1, 11);
});

Deno.test("CIFAR archive: trainSize and testSize keep the first records across batches", async () => {
  const archive = await gzip(tar(batchFiles()));
  const { train, test } = await cifar10FromArchive(archive, "f", {
    trainSize: 3,
    testSize: 1,
  });
  assert.deepEqual(Array.from(train.labels), [0, 1, 2]);
  assert.deepEqual(Array.from(test.labels), [0]);
  assertRecord(train.x, 2, 2);
  await assert.rejects(
    cifar10FromArchive(archive, "f", { trainSize: 0 }),
    /trainSize must be a positive integer, got 0/,
  );
});

Deno.test("CIFAR archive: a missing batch and a truncated record name the file", async () => {
  const missing = await gzip(
    tar(batchFiles().filter((f) => !f.name.endsWith("data_batch_5.bin"))),
  );
  await assert.rejects(
    cifar10FromArchive(missing, "a.tar.gz"),
    /a\.tar\.gz: not the CIFAR-10 binary archive: it lacks data_batch_5\.bin/,
  );
  const files = batchFiles();
  files[5] = { ...files[5], data: files[5].data.subarray(0, 5000) };
  await assert.rejects(
    cifar10FromArchive(await gzip(tar(files)), "b.tar.gz"),
    /b\.tar\.gz: test_batch\.bin: truncated CIFAR-10 batch: 5000 bytes/,
  );
});

Deno.test("CIFAR archive: truncated gzip and truncated or damaged tar are clear errors", async () => {
  const tarBytes = tar(batchFiles());
  const gz = await gzip(tarBytes);
  await assert.rejects(
    cifar10FromArchive(gz.subarray(0, gz.length >> 1), "c.tar.gz"),
    /c\.tar\.gz: the gzip data is truncated or corrupt/,
  );
  assert.throws(
    () => readTar(tarBytes.subarray(0, 512 + 1000), "c.tar"),
    /c\.tar: truncated tar archive: an entry declares 6146 bytes at byte 512 but the archive ends at byte 1512/,
  );
  const damaged = tarBytes.slice();
  damaged[10] ^= 0xff; // inside the first file name
  assert.throws(
    () => readTar(damaged, "d.tar"),
    /d\.tar: damaged tar archive \(header checksum mismatch at byte 0\)/,
  );
});

Deno.test({
  name: "CIFAR archive: reads an archive written by the system's tar (long names too)",
  ignore: !(await Deno.stat("/usr/bin/tar").then(() => true, () => false)),
  fn: async () => {
    await withTempDir(async (dir) => {
      // A folder name over 100 bytes makes GNU tar write its long-name ('L') entries.
      const folder = `cifar-10-batches-bin-${"x".repeat(100)}`;
      await Deno.mkdir(join(dir, "src", folder), { recursive: true });
      for (const f of batchFiles()) {
        await Deno.writeFile(
          join(dir, "src", f.name.replace("cifar-10-batches-bin", folder)),
          f.data,
        );
      }
      const out = join(dir, "real.tar.gz");
      const tarRun = await new Deno.Command("tar", {
        args: ["-czf", out, "-C", join(dir, "src"), folder],
      }).output();
      assert.equal(tarRun.code, 0, new TextDecoder().decode(tarRun.stderr));
      const { train, test } = await cifar10FromArchive(
        await Deno.readFile(out),
        out,
      );
      assert.equal(train.labels.length, 10);
      assert.equal(test.labels.length, 2);
      assertRecord(train.x, 7, 7);
      assertRecord(test.x, 0, 10);
      const names = readTar(await gunzip(await Deno.readFile(out), out), out)
        .map((e) => e.name);
      assert.ok(names.includes(`${folder}/data_batch_1.bin`), names.join(", "));
    });
  },
});

Deno.test("loadCifar10 reads the archive from the data cache", async () => {
  await withTempDir(async (dir) => {
    const archive = await gzip(tar(batchFiles()));
    await Deno.writeFile(join(dir, CIFAR10_ARCHIVE), archive);
    const manifest = [{
      name: CIFAR10_ARCHIVE,
      dataset: "fixture",
      urls: ["https://example.invalid/c.tar.gz"],
      size: archive.length,
      sha256: await sha256Hex(archive),
    }];
    const { train } = await loadCifar10({
      dir,
      manifest,
      download: false,
      trainSize: 4,
    });
    assert.deepEqual(Array.from(train.labels), [0, 1, 2, 3]);
  });
});
