/**
 * Tensor backends: choose one ({@link initBackend}), describe it ({@link backendInfo}).
 *
 * @module
 */

export {
  type BackendInfo,
  backendInfo,
  type BackendName,
  BACKENDS,
  initBackend,
  requestedBackend,
} from "./select.ts";
export {
  registerWebGpuBackend,
  webGpuAdapter,
  type WebGpuAdapterReport,
} from "./webgpu.ts";
