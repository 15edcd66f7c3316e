/**
 * CIFAR-10 (Krizhevsky 2009) from its binary distribution, cifar-10-binary.tar.gz: five
 * training batches data_batch_1..5.bin and test_batch.bin, each a run of 3073-byte records
 * (one label byte, then 1024 red, 1024 green, 1024 blue bytes, rows top to bottom). Loaded as
 * [N, 32, 32, 3] NHWC data sets in [0, 1].
 *
 * @module
 */

import { makeDataset } from "./dataset.ts";
import type { Dataset } from "./dataset.ts";
import { ensureBytes } from "./cache.ts";
import type { EnsureFileOptions } from "./cache.ts";
import { gunzip } from "./gzip.ts";
import { readTar } from "./tar.ts";

/** Class names by label, as in the data set's batches.meta.txt. */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

/** File name of the archive in the data manifest. */
export const CIFAR10_ARCHIVE = "cifar-10-binary.tar.gz";

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const TRAIN_BATCHES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_BATCH = "test_batch.bin";

/** The number of records in a batch, after checking it holds whole records. */
function recordCount(bytes: Uint8Array, source: string): number {
  if (bytes.length % RECORD !== 0) {
    throw new Error(
      `${source}: truncated CIFAR-10 batch: ${bytes.length} bytes is not a whole number of ` +
        `${RECORD}-byte records (${Math.floor(bytes.length / RECORD)} records and ` +
        `${bytes.length % RECORD} stray bytes). Delete the archive and download it again.`,
    );
  }
  return bytes.length / RECORD;
}

/**
 * Decodes the first `n` records of a batch into `x` and `labels` from record `at` on, so a
 * whole split is decoded into one allocation.
 */
function decodeInto(
  bytes: Uint8Array,
  source: string,
  n: number,
  x: Float32Array,
  labels: Int32Array,
  at: number,
): void {
  for (let r = 0; r < n; r++) {
    const base = r * RECORD;
    const label = bytes[base];
    if (label >= CIFAR10_CLASS_NAMES.length) {
      throw new Error(
        `${source}: record ${r} has label ${label}; CIFAR-10 labels are 0..9. ` +
          `This is not a CIFAR-10 batch (CIFAR-100 records have two label bytes).`,
      );
    }
    labels[at + r] = label;
    // Planes are channel-major (CHW); lenses stores channel-last (HWC).
    const out = (at + r) * 3 * PLANE;
    for (let c = 0; c < 3; c++) {
      const plane = base + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) {
        x[out + p * 3 + c] = bytes[plane + p] / 255;
      }
    }
  }
}

/**
 * Decodes one or more concatenated CIFAR-10 binary batches into images (NHWC, [0, 1]) and
 * labels. `source` names the batch in errors; `limit` keeps only the first records.
 *
 * @example
 * ```ts
 * const { x, labels } = parseCifarBatch(await Deno.readFile("test_batch.bin"), "test_batch.bin");
 * ```
 */
export function parseCifarBatch(
  bytes: Uint8Array,
  source: string,
  limit = Infinity,
): { x: Float32Array; labels: Int32Array } {
  const n = Math.min(recordCount(bytes, source), limit);
  const x = new Float32Array(n * 3 * PLANE);
  const labels = new Int32Array(n);
  decodeInto(bytes, source, n, x, labels, 0);
  return { x, labels };
}

/** The batch files of the archive, by base name. */
function batchFiles(tar: Uint8Array, source: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const { name, data } of readTar(tar, source)) {
    files.set(name.slice(name.lastIndexOf("/") + 1), data);
  }
  const missing = [...TRAIN_BATCHES, TEST_BATCH].filter((f) => !files.has(f));
  if (missing.length > 0) {
    throw new Error(
      `${source}: not the CIFAR-10 binary archive: it lacks ${missing.join(", ")} ` +
        `(it holds ${[...files.keys()].join(", ") || "no files"}).`,
    );
  }
  return files;
}

function toDataset(
  name: string,
  files: Map<string, Uint8Array>,
  batchNames: readonly string[],
  source: string,
  limit: number,
): Dataset {
  // Count first, so the split is allocated once and not also held as per-batch parts.
  const plan: { batch: string; bytes: Uint8Array; n: number }[] = [];
  let left = limit;
  for (const batch of batchNames) {
    if (left <= 0) break;
    const bytes = files.get(batch)!;
    const n = Math.min(recordCount(bytes, `${source}: ${batch}`), left);
    plan.push({ batch, bytes, n });
    left -= n;
  }
  const total = plan.reduce((a, p) => a + p.n, 0);
  const x = new Float32Array(total * 3 * PLANE);
  const labels = new Int32Array(total);
  let at = 0;
  for (const { batch, bytes, n } of plan) {
    decodeInto(bytes, `${source}: ${batch}`, n, x, labels, at);
    at += n;
  }
  return makeDataset({
    name,
    shape: [SIDE, SIDE, 3],
    x,
    labels,
    numClasses: CIFAR10_CLASS_NAMES.length,
    classNames: CIFAR10_CLASS_NAMES,
  });
}

/** Options of {@link loadCifar10}. */
export interface Cifar10Options extends EnsureFileOptions {
  /** Keep only the first `trainSize` training records (all 50,000 by default). */
  trainSize?: number;
  /** Keep only the first `testSize` test records (all 10,000 by default). */
  testSize?: number;
}

/**
 * Decodes CIFAR-10 from the bytes of cifar-10-binary.tar.gz (or any tar.gz with the same
 * batch files).
 *
 * @example
 * ```ts
 * const { train, test } = await cifar10FromArchive(await Deno.readFile(path), path);
 * ```
 */
export async function cifar10FromArchive(
  archive: Uint8Array,
  source: string,
  opts: { trainSize?: number; testSize?: number } = {},
): Promise<{ train: Dataset; test: Dataset }> {
  for (const key of ["trainSize", "testSize"] as const) {
    const v = opts[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
      throw new RangeError(
        `CIFAR-10: ${key} must be a positive integer, got ${v}`,
      );
    }
  }
  const files = batchFiles(await gunzip(archive, source), source);
  return {
    train: toDataset(
      "cifar10-train",
      files,
      TRAIN_BATCHES,
      source,
      opts.trainSize ?? Infinity,
    ),
    test: toDataset(
      "cifar10-test",
      files,
      [TEST_BATCH],
      source,
      opts.testSize ?? Infinity,
    ),
  };
}

/**
 * Loads CIFAR-10 (50,000 training and 10,000 test images, 32×32 RGB) from the data cache,
 * downloading and verifying cifar-10-binary.tar.gz (163 MiB) first when it is missing. The
 * full training set takes about 600 MB as float32; `trainSize` / `testSize` keep fewer.
 *
 * @example
 * ```ts
 * const { train, test } = await loadCifar10({ trainSize: 5000 });
 * console.log(train.classNames?.[train.labels[0]]);
 * ```
 */
export async function loadCifar10(
  opts: Cifar10Options = {},
): Promise<{ train: Dataset; test: Dataset }> {
  const { path, bytes } = await ensureBytes(CIFAR10_ARCHIVE, opts);
  return await cifar10FromArchive(bytes, path, opts);
}
