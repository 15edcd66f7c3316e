/**
 * Direct access to float32 tensors in the wasm backend's heap, for kernels that are a simple
 * loop: a JavaScript loop over a heap view beats wasm's generic scalar kernels for these
 * memory-bound jobs and needs no copies.
 *
 * @module
 */
import type { KernelBackend, TensorInfo } from "@tensorflow/tfjs-core";

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

function checkFloat32(inputs: TensorInfo[]): void {
  for (const t of inputs) {
    if (t.dtype !== "float32") {
      throw new Error(
        `expected a float32 tensor, got ${t.dtype} of shape [${t.shape}]`,
      );
    }
  }
}

/**
 * A view of float32 tensor `t` in the wasm heap; valid until the next allocation.
 *
 * @example
 * ```ts
 * const bias = heapView(backend, biasInfo);
 * ```
 */
export function heapView(backend: KernelBackend, t: TensorInfo): Float32Array {
  checkFloat32([t]);
  return (backend as unknown as WasmHeapBackend).typedArrayFromHeap(t);
}

/**
 * Allocates a float32 output of `shape` and returns it with views of it and of `inputs`.
 * Views are taken after the allocation, which may grow (and so detach) the heap.
 *
 * @example
 * ```ts
 * const { out, views: [o, a] } = heapOutput(backend, x.shape, [x]);
 * for (let i = 0; i < o.length; i++) o[i] = 2 * a[i];
 * ```
 */
export function heapOutput(
  backend: KernelBackend,
  shape: number[],
  inputs: TensorInfo[],
): { out: TensorInfo; views: Float32Array[] } {
  checkFloat32(inputs);
  const wasm = backend as unknown as WasmHeapBackend;
  const out = wasm.makeOutput(shape, "float32");
  return {
    out,
    views: [out, ...inputs].map((t) => wasm.typedArrayFromHeap(t)),
  };
}
