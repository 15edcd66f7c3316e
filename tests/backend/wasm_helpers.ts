/**
 * Shared helpers for the wasm kernel tests: seeded random tensors, running a function on a
 * named backend (restoring the previous one) or with a given set of product kernels, and
 * comparing arrays.
 *
 * @module
 */
import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/rng.ts";
import { type Blas, findBlas } from "../../lib/backend/blas.ts";
import { registerWasmKernels } from "../../lib/backend/wasm/mod.ts";
import { loadSimdKernels } from "../../lib/backend/wasm/simd.ts";

/** The machine's native BLAS, as `initBackend` would find it. */
export const nativeBlas: Blas | undefined = findBlas().blas;

/** Starts the wasm backend with lenses' kernels, as `initBackend` sets them up, and cpu. */
export async function setUpBackends(): Promise<void> {
  assert.ok(await tf.setBackend("wasm"), "the wasm backend must start");
  const simd = await loadSimdKernels(tf.backend());
  assert.equal(simd, undefined, `lenses' wasm SIMD kernels must load: ${simd}`);
  registerWasmKernels({ blas: nativeBlas });
  assert.ok(await tf.setBackend("cpu"));
}

/** Which kernels compute convolutions and matrix products on wasm. */
export interface ProductMode {
  name: "xnnpack" | "blas";
  blas?: Blas;
}

/** XNNPACK always; the native BLAS as well where the machine has one. */
export const PRODUCT_MODES: ProductMode[] = [
  { name: "xnnpack" },
  ...(nativeBlas ? [{ name: "blas" as const, blas: nativeBlas }] : []),
];

/** Runs `fn` with the product kernels of `mode`, then restores the default set. */
export async function withProducts<T>(
  mode: ProductMode,
  fn: () => T | Promise<T>,
): Promise<T> {
  registerWasmKernels({ blas: mode.blas });
  try {
    return await fn();
  } finally {
    registerWasmKernels({ blas: nativeBlas });
  }
}

/** Seeded normal values of `shape`. */
export function randomArray(seed: number, shape: number[]): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** Runs `fn` with `backend` active, restoring the previously active backend afterwards. */
export async function onBackend<T>(
  backend: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return await fn();
  } finally {
    await tf.setBackend(previous);
  }
}

/** Asserts max |a - b| ≤ tol · max(1, max |b|), naming `what` on failure. */
export function assertClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  let maxErr = 0, scale = 1;
  for (let i = 0; i < a.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  assert.ok(
    maxErr <= tol * scale,
    `${what}: max abs error ${maxErr} > ${tol} × ${scale}`,
  );
}

/** Registers test `name` once per product mode, its body running with that mode's kernels. */
export function testEachProductMode(
  name: string,
  fn: (t: Deno.TestContext) => void | Promise<void>,
): void {
  for (const mode of PRODUCT_MODES) {
    Deno.test(`${name} [${mode.name}]`, (t) => withProducts(mode, () => fn(t)));
  }
}
