/**
 * Picks the tensor backend once per process and describes what runs.
 *
 * Order: a hardware WebGPU adapter → "webgpu"; otherwise "wasm" (XNNPACK, SIMD) with lenses'
 * training kernels, its products on the machine's native BLAS when one is installed; "cpu"
 * (plain JavaScript) only when wasm cannot start. The software WebGPU adapter (Mesa llvmpipe,
 * `isFallbackAdapter`) runs at a few GFLOP/s and is never chosen on its own, but
 * `LENSES_BACKEND=webgpu` forces it, which is how tests exercise the GPU path on a machine
 * without a GPU.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { findBlas } from "./blas.ts";
import { registerWasmKernels, wasmBlas } from "./wasm/mod.ts";
import { loadSimdKernels } from "./wasm/simd.ts";
import { registerWebGpuBackend, webGpuAdapter } from "./webgpu.ts";

/** The backends lenses knows how to run on. */
export const BACKENDS = ["webgpu", "wasm", "cpu"] as const;
/** One of {@link BACKENDS}. */
export type BackendName = typeof BACKENDS[number];

/** What runs: shown at the top of every notebook and stored in report metadata. */
export interface BackendInfo {
  /** The active tfjs backend. */
  backend: BackendName;
  /** The GPU adapter, or the CPU model for wasm/cpu. */
  device: string;
  /** True when the GPU adapter is a software renderer. */
  fallbackAdapter: boolean;
  /**
   * Threads the heaviest kernels compute with: the native BLAS's on wasm when one is used,
   * else 1 (single-threaded wasm and cpu).
   */
  threads: number;
  /**
   * wasm only: the native BLAS its convolutions and matrix products run on (e.g. "OpenBLAS
   * 0.3.21 (SkylakeX)"), or "none (why)" when they run on XNNPACK.
   */
  blas?: string;
  /** Logical CPU cores of the machine. */
  cores: number;
  /** tfjs-core version. */
  tfjs: string;
  /** Deno version. */
  deno: string;
  /** Why this backend was chosen. */
  reason: string;
}

let current: BackendInfo | undefined;

function isBackendName(value: string): value is BackendName {
  return (BACKENDS as readonly string[]).includes(value);
}

/** The backend named by `LENSES_BACKEND`, or undefined when it is unset or empty. */
export function requestedBackend(): BackendName | undefined {
  const value = Deno.env.get("LENSES_BACKEND")?.trim().toLowerCase();
  if (!value) return undefined;
  if (!isBackendName(value)) {
    throw new Error(
      `LENSES_BACKEND="${value}" is not a backend lenses knows. ` +
        `Use one of ${BACKENDS.join(", ")}, or unset it to choose automatically.`,
    );
  }
  return value;
}

/** The thread count `LENSES_THREADS` asks for, or undefined when it is unset or empty. */
export function requestedThreads(): number | undefined {
  const value = Deno.env.get("LENSES_THREADS")?.trim();
  if (!value) return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(
      `LENSES_THREADS="${value}" is not a thread count. Use a positive integer ` +
        `(e.g. 1 to leave the other cores free), or unset it to use every core.`,
    );
  }
  return threads;
}

function cpuModel(): string {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    const line = text.split("\n").find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1].trim();
  } catch {
    // Not Linux, or /proc is hidden: the architecture is still worth showing.
  }
  return `${Deno.build.arch} CPU (${Deno.build.os})`;
}

async function activate(
  name: BackendName,
): Promise<Omit<BackendInfo, "reason">> {
  const base = {
    cores: navigator.hardwareConcurrency ?? 1,
    tfjs: tf.version_core,
    deno: Deno.version.deno,
  };
  if (name === "webgpu") {
    const report = await registerWebGpuBackend();
    await setOrThrow("webgpu");
    return {
      ...base,
      backend: name,
      device: report.description,
      fallbackAdapter: report.isFallbackAdapter,
      threads: 1,
    };
  }
  await setOrThrow(name);
  if (name === "wasm") {
    await loadSimdKernels(tf.backend()); // without them, JavaScript loops do the same work
    const { blas, reason } = findBlas();
    const threads = requestedThreads();
    if (blas && threads) blas.setThreads(threads);
    registerWasmKernels({ blas });
    return {
      ...base,
      backend: name,
      device: cpuModel(),
      fallbackAdapter: false,
      threads: blas ? blas.threads() : getThreadsCount(),
      blas: blas ? blas.description : `none (${reason})`,
    };
  }
  if (name === "cpu") {
    // The cpu backend greets Node users on first use with advice to install tfjs-node, which
    // does not apply to Deno; lenses says which backend runs in its own run header instead.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  }
  return {
    ...base,
    backend: name,
    device: cpuModel(),
    fallbackAdapter: false,
    threads: 1,
  };
}

async function setOrThrow(name: BackendName): Promise<void> {
  let ok = false;
  let cause: unknown;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    cause = err;
  }
  if (!ok || tf.getBackend() !== name) {
    const why = cause instanceof Error ? `: ${cause.message}` : "";
    throw new Error(`The tfjs "${name}" backend failed to start${why}`);
  }
}

/**
 * Chooses and starts the backend (once; later calls return the same description unless a
 * different backend is asked for explicitly).
 *
 * @example
 * ```ts
 * const info = await initBackend();          // automatic, or LENSES_BACKEND
 * console.log(info.backend, info.device);
 * await initBackend({ backend: "cpu" });      // force one, e.g. in a test
 * ```
 */
export async function initBackend(
  opts: { backend?: BackendName } = {},
): Promise<BackendInfo> {
  const forced = opts.backend ?? requestedBackend();
  requestedThreads(); // a bad LENSES_THREADS is the user's to fix, not a reason to fall back
  if (current && (!forced || forced === current.backend)) {
    if (tf.getBackend() !== current.backend) await setOrThrow(current.backend);
    return current;
  }
  if (forced) {
    const source = opts.backend ? "requested by the caller" : "LENSES_BACKEND";
    current = { ...(await activate(forced)), reason: source };
    return current;
  }
  const gpu = await webGpuAdapter();
  const notes: string[] = [];
  if (gpu && !gpu.isFallbackAdapter) {
    try {
      current = {
        ...(await activate("webgpu")),
        reason: "hardware WebGPU adapter found",
      };
      return current;
    } catch (err) {
      notes.push(`webgpu failed (${(err as Error).message})`);
    }
  } else {
    notes.push(
      gpu ? `only a software WebGPU adapter (${gpu.description})` : "no WebGPU adapter",
    );
  }
  try {
    current = {
      ...(await activate("wasm")),
      reason: `${notes.join("; ")}: wasm`,
    };
    return current;
  } catch (err) {
    notes.push(`wasm failed (${(err as Error).message})`);
  }
  current = {
    ...(await activate("cpu")),
    reason: `${notes.join("; ")}: cpu as last resort`,
  };
  return current;
}

/**
 * The description of the active backend, or undefined before {@link initBackend}.
 *
 * @example
 * ```ts
 * await initBackend();
 * console.log(backendInfo()?.threads);
 * ```
 */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/**
 * What decides the active backend's floating-point results, for keys of cached results: the
 * backend's name, and on wasm the native BLAS and its thread count (OpenBLAS sums in another
 * order when its thread count changes).
 *
 * @example
 * ```ts
 * arithmeticId(); // "wasm+OpenBLAS 0.3.21 (SkylakeX)+2t", or "wasm", "webgpu", "cpu"
 * ```
 */
export function arithmeticId(): string {
  const backend = tf.getBackend();
  const blas = backend === "wasm" ? wasmBlas() : undefined;
  return blas ? `${backend}+${blas.description}+${blas.threads()}t` : backend;
}
