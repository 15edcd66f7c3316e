/**
 * Kernels lenses adds to (or swaps into) the tfjs wasm backend so that it trains CNNs, fast.
 * Each was chosen by profiling a reference-CNN train step (`deno run -A bench/profile.ts`):
 *
 * - `Conv2DBackpropFilter` (wasm has none): im2col + one XNNPACK MatMul.
 * - `Conv2DBackpropInput` (wasm's is a scalar loop): a flipped-kernel forward Conv2D, or
 *   MatMul + col2im for strides and few channels.
 * - `DepthwiseConv2dNativeBackpropInput` / `…Filter` (wasm has neither): exact loops.
 * - `MaxPoolGrad`, leading-axis `Sum` (bias gradients): single-pass loops over the heap.
 * - `BatchMatMul` / `_FusedMatMul` with a transposed operand (12× slower in wasm): explicit
 *   transposes around the plain XNNPACK MatMul.
 * - `Identity` / same-dtype `Cast`: share data instead of copying (the engine clones every
 *   tensor a gradient saves).
 *
 * All match the cpu backend within float tolerance (tests/backend/wasm_*.test.ts).
 *
 * @module
 */
import "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import { matMulConfigs } from "./batch_mat_mul.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { conv2DBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { depthwiseBackpropConfigs } from "./depthwise_backprop.ts";
import { rememberOriginal } from "./kernel_scope.ts";
import { maxPoolGradConfig } from "./max_pool_grad.ts";
import { sharedIdentityConfigs } from "./shared_identity.ts";
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
  for (
    const config of [
      conv2DBackpropFilterConfig,
      conv2DBackpropInputConfig,
      ...depthwiseBackpropConfigs(),
      maxPoolGradConfig,
      sumConfig(),
      ...sharedIdentityConfigs(),
      ...matMulConfigs(),
    ]
  ) install(config);
  registered = true;
}
