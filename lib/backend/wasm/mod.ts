/**
 * Kernels lenses adds to (or swaps into) the tfjs wasm backend so that it trains CNNs, fast:
 *
 * - `Conv2DBackpropFilter` (wasm has none): im2col + one XNNPACK MatMul.
 * - `Conv2DBackpropInput`: one forward XNNPACK Conv2D with the kernel flipped (wasm's own is a
 *   scalar loop).
 * - `BatchMatMul` / `_FusedMatMul` with a transposed operand: explicit Transpose + plain MatMul.
 *
 * Every replacement is tested against the cpu backend (tests/backend/wasm_*.test.ts).
 *
 * @module
 */
import "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import { matMulConfigs } from "./batch_mat_mul.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { conv2DBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { rememberOriginal } from "./kernel_scope.ts";
import { maxPoolGradConfig } from "./max_pool_grad.ts";
import { sumConfig } from "./sum.ts";

let registered = false;

/** Registers `config`, replacing (but keeping the setup of) any kernel of the same name. */
function install(config: KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, config.backendName);
  if (existing) {
    rememberOriginal(config.kernelName);
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel({
    ...config,
    // wasm kernels bind their C functions in setupFunc when the backend initializes; a
    // replacement that delegates to the original needs that binding to happen still.
    setupFunc: existing?.setupFunc,
    disposeFunc: existing?.disposeFunc,
  });
}

/**
 * Registers lenses' wasm kernels (see the module doc). Idempotent; call it once the wasm
 * backend is registered, e.g. right after `tf.setBackend("wasm")` succeeds.
 *
 * @example
 * ```ts
 * import { tf } from "./lib/tf.ts";
 * import { registerWasmKernels } from "./lib/backend/wasm/mod.ts";
 * await tf.setBackend("wasm");
 * registerWasmKernels();
 * ```
 */
export function registerWasmKernels(): void {
  if (registered) return;
  rememberOriginal("Conv2DBackpropInput");
  for (
    const config of [
      conv2DBackpropFilterConfig,
      conv2DBackpropInputConfig,
      maxPoolGradConfig,
      sumConfig(),
      ...matMulConfigs(),
    ]
  ) install(config);
  registered = true;
}
