/**
 * Kernels lenses adds to (or swaps into) the tfjs wasm backend so that it trains CNNs, fast.
 * Each was chosen by profiling a reference-CNN train step (`deno run -A bench/profile.ts`):
 *
 * - With a native BLAS (lib/backend/blas.ts): `Conv2D`, `FusedConv2D`, both convolution
 *   gradients, `BatchMatMul` and `_FusedMatMul` as sgemm calls on the wasm heap (~4× the
 *   throughput of XNNPACK's 128-bit-SIMD GEMM on an AVX-512 machine), leading-axis `Sum`
 *   (bias gradients) as sgemv.
 * - Without one: `Conv2DBackpropFilter` (wasm has none) as im2col + one XNNPACK MatMul;
 *   `Conv2DBackpropInput` (wasm's is a scalar loop) as a flipped-kernel forward Conv2D, or
 *   MatMul + col2im for strides and few channels; `BatchMatMul` / `_FusedMatMul` with a
 *   transposed operand (12× slower in wasm) as explicit transposes around the plain MatMul.
 * - Always: `DepthwiseConv2dNativeBackpropInput` / `…Filter` (wasm has neither) as exact
 *   loops; `MaxPoolGrad` as a single-pass loop over the heap (and, without a BLAS, leading-axis
 *   `Sum`); `Identity` / same-dtype `Cast` share data instead of copying (the engine clones every
 *   tensor a gradient saves).
 *
 * All match the cpu backend within float tolerance (tests/backend/wasm_*.test.ts).
 *
 * @module
 */
import "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import type { Blas } from "../blas.ts";
import { matMulConfigs } from "./batch_mat_mul.ts";
import { blasConvConfigs } from "./blas_conv.ts";
import { blasMatMulConfigs } from "./blas_matmul.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { conv2DBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { depthwiseBackpropConfigs } from "./depthwise_backprop.ts";
import { rememberOriginal } from "./kernel_scope.ts";
import { maxPoolGradConfig } from "./max_pool_grad.ts";
import { sharedIdentityConfigs } from "./shared_identity.ts";
import { sumConfig } from "./sum.ts";

/** The BLAS the product kernels use: undefined before registration, null for XNNPACK. */
let products: Blas | null | undefined;

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

/** The wasm backend's own kernel `kernelName`, as a config to re-install. */
function original(kernelName: string): KernelConfig {
  return {
    kernelName,
    backendName: "wasm",
    kernelFunc: rememberOriginal(kernelName),
  };
}

/** Product kernel sets made so far, so that switching back re-installs the same functions. */
const productSets = new Map<Blas | null, KernelConfig[]>();

/**
 * Products — convolutions, matrix multiplies, and bias sums (Xᵀ·1) — on XNNPACK (or a
 * JavaScript loop), or on `blas` when given.
 */
function productConfigs(blas: Blas | null): KernelConfig[] {
  const made = productSets.get(blas);
  if (made) return made;
  const configs = makeProductConfigs(blas);
  productSets.set(blas, configs);
  return configs;
}

function makeProductConfigs(blas: Blas | null): KernelConfig[] {
  const [batchMatMul, fusedMatMul] = matMulConfigs();
  const xnnpack = [
    original("Conv2D"),
    original("FusedConv2D"),
    conv2DBackpropFilterConfig,
    conv2DBackpropInputConfig,
    batchMatMul,
    fusedMatMul,
    sumConfig(),
  ];
  if (!blas) return xnnpack;
  return [
    sumConfig(blas),
    ...blasConvConfigs(blas),
    ...blasMatMulConfigs(blas, {
      BatchMatMul: batchMatMul.kernelFunc,
      _FusedMatMul: fusedMatMul.kernelFunc,
    }),
  ];
}

/**
 * Registers lenses' wasm kernels (see the module doc), with products on `opts.blas` when
 * given. Call it once the wasm backend is registered, e.g. right after `tf.setBackend("wasm")`
 * succeeds; calling again with another `blas` (or none) swaps the product kernels.
 *
 * @example
 * ```ts
 * import { tf } from "./lib/tf.ts";
 * import { findBlas } from "./lib/backend/blas.ts";
 * import { registerWasmKernels } from "./lib/backend/wasm/mod.ts";
 * await tf.setBackend("wasm");
 * registerWasmKernels({ blas: findBlas().blas });
 * ```
 */
export function registerWasmKernels(opts: { blas?: Blas } = {}): void {
  const blas = opts.blas ?? null;
  if (products === blas) return;
  if (products === undefined) {
    for (
      const config of [
        ...depthwiseBackpropConfigs(),
        maxPoolGradConfig,
        ...sharedIdentityConfigs(),
      ]
    ) install(config);
  }
  for (const config of productConfigs(blas)) install(config);
  products = blas;
}

/**
 * The native BLAS the wasm kernels compute products with, or undefined (XNNPACK).
 *
 * @example
 * ```ts
 * console.log(wasmBlas()?.description ?? "XNNPACK");
 * ```
 */
export function wasmBlas(): Blas | undefined {
  return products ?? undefined;
}
