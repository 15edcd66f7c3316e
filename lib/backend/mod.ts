/**
 * Tensor backends: choose one ({@link initBackend}), describe it ({@link backendInfo}).
 *
 * @module
 */

export {
  arithmeticId,
  type BackendInfo,
  backendInfo,
  type BackendName,
  BACKENDS,
  initBackend,
  requestedBackend,
  requestedThreads,
} from "./select.ts";
export { type Blas, type BlasSearch, findBlas } from "./blas.ts";
export { registerWebGpuBackend, webGpuAdapter, type WebGpuAdapterReport } from "./webgpu.ts";
