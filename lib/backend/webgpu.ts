/**
 * WebGPU for tfjs, set up by lenses rather than by tfjs-backend-webgpu's own factory.
 *
 * Why: the package's factory asks for `['bgra8unorm-storage']` (an array, not a feature name)
 * in `requiredFeatures`, which Deno's WebIDL check rejects (denoland/webgpu-examples#22), and it
 * creates its own adapter that Deno may invalidate (denoland/deno#28135). Here the adapter and
 * device are created once, only features the adapter reports are requested, and the backend is
 * registered with that device.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";

// Importing the package registers its own "webgpu" factory at the highest priority, so any op run
// before initBackend() would start it. Remove it: lenses registers its own when webgpu is chosen.
if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");

/** Features tfjs-backend-webgpu makes use of when present. */
const USEFUL_FEATURES: readonly GPUFeatureName[] = ["timestamp-query"];

/** What the WebGPU probe found. */
export interface WebGpuAdapterReport {
  /** Adapter description, e.g. "NVIDIA H100" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description: string;
  vendor: string;
  /** True for a software renderer (Mesa llvmpipe, SwiftShader): never chosen by default. */
  isFallbackAdapter: boolean;
}

interface Probe {
  adapter: GPUAdapter;
  report: WebGpuAdapterReport;
}

let probed: Promise<Probe | undefined> | undefined;

/** Requests the high-performance adapter once per process; undefined when there is none. */
function probe(): Promise<Probe | undefined> {
  probed ??= (async () => {
    const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
    if (!gpu) return undefined;
    const adapter = await gpu.requestAdapter({
      powerPreference: "high-performance",
    })
      .catch(() => null);
    if (!adapter) return undefined;
    const info = adapter.info;
    return {
      adapter,
      report: {
        description: info.description || info.device || info.vendor ||
          "unknown adapter",
        vendor: info.vendor,
        isFallbackAdapter: Boolean(info.isFallbackAdapter),
      },
    };
  })();
  return probed;
}

/**
 * Describes the WebGPU adapter this process would use, or returns undefined when WebGPU is
 * unavailable.
 *
 * @example
 * ```ts
 * const gpu = await webGpuAdapter();
 * if (gpu && !gpu.isFallbackAdapter) console.log("hardware GPU:", gpu.description);
 * ```
 */
export async function webGpuAdapter(): Promise<
  WebGpuAdapterReport | undefined
> {
  return (await probe())?.report;
}

/**
 * Registers tfjs's "webgpu" backend on a device lenses creates, replacing the package's own
 * factory. Resolves to the adapter report; rejects with a clear message when there is no adapter.
 *
 * @example
 * ```ts
 * await registerWebGpuBackend();
 * await tf.setBackend("webgpu");
 * ```
 */
export async function registerWebGpuBackend(): Promise<WebGpuAdapterReport> {
  const found = await probe();
  if (!found) {
    throw new Error(
      "WebGPU backend requested but no WebGPU adapter is available. " +
        "Unset LENSES_BACKEND (or set it to wasm) to run on the CPU.",
    );
  }
  const { adapter, report } = found;
  const requiredFeatures = USEFUL_FEATURES.filter((f) => adapter.features.has(f));
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
  // Priority 0 keeps tfjs from ever picking this backend on its own: lenses chooses.
  tf.registerBackend(
    "webgpu",
    () => new WebGPUBackend(device, adapter.info),
    0,
  );
  return report;
}
