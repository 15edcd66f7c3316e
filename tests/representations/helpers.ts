/** Shared fixtures for the representation-similarity tests. */
import { tf } from "../../lib/tf.ts";

interface DemoFixture {
  comment: string;
  x: number[][];
  y: number[][];
  canonicalCorrelations: number[];
}

/** Kornblith et al.'s demo data (see the fixture's comment for how it was made). */
export const demoFixture: DemoFixture = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/kornblith_demo.json", import.meta.url)),
);

/** The demo's X and Y as float32 tensors [100 × 10]. */
export function kornblithDemo(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return { x: tf.tensor2d(demoFixture.x), y: tf.tensor2d(demoFixture.y) };
}

/** A seeded standard-normal matrix. */
export function randomMatrix(rows: number, cols: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([rows, cols], 0, 1, "float32", seed);
}

/** A seeded random orthogonal matrix (Q of a Gaussian matrix's QR). */
export function orthogonal(size: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => tf.linalg.qr(randomMatrix(size, size, seed))[0] as tf.Tensor2D);
}
