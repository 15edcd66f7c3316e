import assert from "node:assert/strict";
import { join } from "node:path";
import {
  decompressIdx,
  idxDataset,
  parseIdxImages,
  parseIdxLabels,
  readIdx,
} from "../../lib/data/idx.ts";
import { loadMnist, MNIST_FILES } from "../../lib/data/mnist.ts";
import { sha256Hex } from "../../lib/io/bytes.ts";
import type { ManifestEntry } from "../../lib/data/cache.ts";
import { gzip, idxImages, idxLabels, withTempDir } from "./fixtures.ts";

// Three 4×5 images whose bytes are all different, so any misplaced pixel shows.
const COUNT = 3, ROWS = 4, COLS = 5;
const PIXELS = Uint8Array.from(
  { length: COUNT * ROWS * COLS },
  (_, i) => (i * 37 + 11) % 256,
);
const LABELS = [7, 0, 9];

Deno.test("IDX: gzip image and label files round trip into a [0,1] data set", async () => {
  await withTempDir(async (dir) => {
    const imgPath = join(dir, "imgs-idx3-ubyte.gz");
    const lblPath = join(dir, "lbls-idx1-ubyte.gz");
    await Deno.writeFile(
      imgPath,
      await gzip(idxImages(PIXELS, COUNT, ROWS, COLS)),
    );
    await Deno.writeFile(lblPath, await gzip(idxLabels(LABELS)));

    const images = parseIdxImages(await readIdx(imgPath), imgPath);
    assert.deepEqual([images.count, images.rows, images.cols], [
      COUNT,
      ROWS,
      COLS,
    ]);
    assert.deepEqual(images.pixels, PIXELS);

    const ds = idxDataset(
      "toy",
      images,
      parseIdxLabels(await readIdx(lblPath), lblPath),
    );
    assert.deepEqual(ds.shape, [ROWS, COLS, 1]);
    assert.deepEqual(Array.from(ds.labels), LABELS);
    assert.deepEqual(ds.classNames, [..."0123456789"]);
    assert.equal(ds.x.length, PIXELS.length);
    for (let i = 0; i < PIXELS.length; i++) {
      assert.equal(ds.x[i], Math.fround(PIXELS[i] / 255));
    }
  });
});

Deno.test("IDX: decompressIdx inflates gzip bytes and passes raw bytes through", async () => {
  const raw = idxLabels(LABELS);
  assert.deepEqual(await decompressIdx(await gzip(raw), "l.gz"), raw);
  assert.equal(await decompressIdx(raw, "l"), raw);
});

Deno.test("IDX: uncompressed files are read as they are", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "lbls-idx1-ubyte");
    await Deno.writeFile(path, idxLabels(LABELS));
    assert.deepEqual(
      Array.from(parseIdxLabels(await readIdx(path), path)),
      LABELS,
    );
  });
});

Deno.test("IDX: a label file given as images fails on its magic number", () => {
  assert.throws(
    () => parseIdxImages(idxLabels(LABELS), "labels.idx"),
    /labels\.idx: not an IDX image file: magic number 0x00000801, expected 0x00000803/,
  );
  assert.throws(
    () => parseIdxLabels(idxImages(PIXELS, COUNT, ROWS, COLS), "imgs.idx"),
    /imgs\.idx: not an IDX label file: magic number 0x00000803, expected 0x00000801/,
  );
});

Deno.test("IDX: still-compressed bytes get a hint to decompress", async () => {
  const gz = await gzip(idxLabels(LABELS));
  assert.throws(
    () => parseIdxLabels(gz, "l.gz"),
    /magic number 0x1f8b.*still gzip-compressed/,
  );
});

Deno.test("IDX: truncated data, truncated header and trailing bytes are errors", () => {
  const full = idxImages(PIXELS, COUNT, ROWS, COLS);
  assert.throws(
    () => parseIdxImages(full.subarray(0, full.length - 10), "cut.idx"),
    /cut\.idx: truncated IDX image file: its header says 3 × 4 × 5 = 60 values but only 50 bytes follow\. Delete it and download it again/,
  );
  assert.throws(
    () => parseIdxImages(full.subarray(0, 9), "head.idx"),
    /head\.idx: truncated IDX image file: 9 bytes, shorter than its 16-byte header/,
  );
  const longer = new Uint8Array(full.length + 3);
  longer.set(full);
  assert.throws(
    () => parseIdxImages(longer, "long.idx"),
    /long\.idx: IDX image file has 3 bytes after the 3 × 4 × 5 values/,
  );
});

Deno.test("IDX: a truncated .gz file names the file and the fix", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "cut-idx1-ubyte.gz");
    const gz = await gzip(idxLabels(LABELS));
    await Deno.writeFile(path, gz.subarray(0, gz.length - 6));
    await assert.rejects(
      readIdx(path),
      (err: Error) => {
        assert.match(
          err.message,
          /cut-idx1-ubyte\.gz: the gzip data is truncated or corrupt/,
        );
        assert.match(err.message, /Delete the file and download it again/);
        return true;
      },
    );
  });
});

Deno.test("IDX: images and labels of different counts are refused", () => {
  const images = parseIdxImages(idxImages(PIXELS, COUNT, ROWS, COLS), "i");
  assert.throws(
    () => idxDataset("mnist-train", images, parseIdxLabels(idxLabels([1, 2]), "l")),
    /mnist-train: the image file holds 3 images but the label file holds 2 labels/,
  );
});

Deno.test("IDX: a label outside the classes is refused", () => {
  const images = parseIdxImages(idxImages(PIXELS, COUNT, ROWS, COLS), "i");
  assert.throws(
    () => idxDataset("toy", images, parseIdxLabels(idxLabels([1, 12, 3]), "l")),
    /label 12 at index 1 is outside \[0, 10\)/,
  );
});

Deno.test("loadMnist reads the four cached IDX files into train and test sets", async () => {
  await withTempDir(async (dir) => {
    const trainPixels = PIXELS;
    const testPixels = PIXELS.subarray(0, 2 * ROWS * COLS).map((v) => 255 - v);
    const files: Record<string, Uint8Array> = {
      [MNIST_FILES.trainImages]: await gzip(
        idxImages(trainPixels, 3, ROWS, COLS),
      ),
      [MNIST_FILES.trainLabels]: await gzip(idxLabels(LABELS)),
      [MNIST_FILES.testImages]: await gzip(
        idxImages(testPixels, 2, ROWS, COLS),
      ),
      [MNIST_FILES.testLabels]: await gzip(idxLabels([4, 5])),
    };
    const manifest: ManifestEntry[] = [];
    for (const [name, bytes] of Object.entries(files)) {
      await Deno.writeFile(join(dir, name), bytes);
      manifest.push({
        name,
        dataset: "fixture",
        urls: [`https://example.invalid/${name}`],
        size: bytes.length,
        sha256: await sha256Hex(bytes),
      });
    }
    const { train, test } = await loadMnist({ dir, manifest, download: false });
    assert.equal(train.name, "mnist-train");
    assert.equal(test.name, "mnist-test");
    assert.deepEqual(Array.from(train.labels), LABELS);
    assert.deepEqual(Array.from(test.labels), [4, 5]);
    assert.deepEqual(train.classNames, [..."0123456789"]);
    assert.equal(test.x[0], Math.fround(testPixels[0] / 255));
    assert.equal(train.x[59], Math.fround(trainPixels[59] / 255));
  });
});
