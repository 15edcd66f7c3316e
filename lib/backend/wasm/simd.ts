/**
 * lenses' own WebAssembly SIMD kernels, working in place on the tfjs wasm backend's heap (they
 * import its memory). For memory-bound loops a JavaScript typed-array loop runs at ~1.5 ns per
 * element (scalar, bounds-checked); 128-bit SIMD does four lanes per instruction.
 *
 * The source is WebAssembly text, assembled at start-up by wabt (~20 ms), so the repository
 * holds no binaries. Without wasm SIMD or wabt the callers keep their JavaScript loops.
 *
 * @module
 */
import wabtInit from "wabt";
import type { KernelBackend } from "@tensorflow/tfjs-core";
import { SIMD_SOURCE } from "./simd_source.ts";

/** The exported kernels; pointers are byte offsets into the tfjs wasm heap. */
export interface SimdKernels {
  /**
   * dx of a 2×2, stride-2, unpadded max pool over NHWC images whose channel count is a multiple
   * of 4: each window's dy goes to its first pixel strictly above a running maximum that starts
   * at −∞ (the cpu backend's rule, NaN and −∞ included), as `0 + dy`; every other pixel of the
   * 2·oh × 2·ow window grid gets +0. Pixels outside that grid are not written.
   */
  maxPoolGrad2x2(
    x: number,
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
  ): void;
  /**
   * In place over `rows` rows of `channels` floats (a multiple of 4) at `y`: each value plus
   * the bias at `bias` ([channels]), then clamped to [lower, upper] as JavaScript's
   * `v < lower ? lower : v > upper ? upper : v` would (NaN stays NaN): the epilogue of a fused
   * product with a per-channel bias and a linear, relu or relu6 activation.
   */
  biasClamp(
    y: number,
    bias: number,
    rows: number,
    channels: number,
    lower: number,
    upper: number,
  ): void;
}

let loaded: SimdKernels | undefined;

/** The tfjs wasm backend's exported linear memory. */
function heapMemory(backend: KernelBackend): WebAssembly.Memory | undefined {
  const module = (backend as unknown as {
    wasm?: { asm?: { memory?: unknown } };
  }).wasm;
  const memory = module?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * Assembles and instantiates the kernels against `backend`'s heap (once); returns why not when
 * that fails (no SIMD, wabt missing, a heap without an exported memory).
 *
 * @example
 * ```ts
 * const reason = await loadSimdKernels(tf.backend());
 * if (reason) console.log(`JavaScript loops: ${reason}`);
 * ```
 */
export async function loadSimdKernels(
  backend: KernelBackend,
): Promise<string | undefined> {
  if (loaded) return undefined;
  const memory = heapMemory(backend);
  if (!memory) return "the tfjs wasm heap exports no memory";
  try {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat("lenses_simd.wat", SIMD_SOURCE, {
      simd: true,
    });
    try {
      const { buffer } = parsed.toBinary({});
      const instance = new WebAssembly.Instance(
        new WebAssembly.Module(new Uint8Array(buffer)),
        {
          env: { memory },
        },
      );
      loaded = instance.exports as unknown as SimdKernels;
    } finally {
      parsed.destroy();
    }
    return undefined;
  } catch (err) {
    return `wasm SIMD kernels unavailable: ${(err as Error).message}`;
  }
}

/**
 * The kernels once {@link loadSimdKernels} succeeded, else undefined.
 *
 * @example
 * ```ts
 * simdKernels()?.maxPoolGrad2x2(x, dy, dx, n, h, w, c, oh, ow);
 * ```
 */
export function simdKernels(): SimdKernels | undefined {
  return loaded;
}
