/**
 * The bias + activation that tfjs' fused kernels (`FusedConv2D`, `_FusedMatMul`) apply after
 * their product. The common case — a per-channel bias and linear/relu/relu6 — runs as one
 * in-place pass over the fresh product; anything else goes through the backend's own kernels.
 *
 * @module
 */
import type { KernelBackend, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { heapView } from "./heap.ts";
import { simdKernels } from "./simd.ts";
import { type KernelScope, withKernelScope } from "./kernel_scope.ts";

/** The activations tfjs' fused ops accept. */
export type FusedActivation =
  | "linear"
  | "relu"
  | "relu6"
  | "prelu"
  | "elu"
  | "leakyrelu"
  | "sigmoid";

/** The inputs a fused kernel receives besides its product's operands. */
export interface FusedInputs {
  bias?: TensorInfo | null;
  preluActivationWeights?: TensorInfo | null;
}

/** The attributes a fused kernel receives besides its product's. */
export interface FusedAttrs {
  activation?: FusedActivation;
  leakyreluAlpha?: number;
}

type Epilogue = FusedInputs & FusedAttrs;

const IN_PLACE: ReadonlySet<string> = new Set(["linear", "relu", "relu6"]);

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * y[i] = act(y[i] + bias[i mod channels]) in place, for linear/relu/relu6: lenses' SIMD kernel
 * when the bias is a multiple of 4 channels (4–8× faster: the loop is memory-bound, and the
 * output of a wide convolution is large), else a JavaScript loop.
 */
function biasActivateInPlace(
  y: Float32Array,
  bias: Float32Array | undefined,
  activation: string,
): void {
  const upper = activation === "relu6" ? 6 : Infinity;
  const lower = activation === "linear" ? -Infinity : 0;
  const simd = simdKernels();
  if (simd && bias && bias.length % 4 === 0) {
    simd.biasClamp(
      y.byteOffset,
      bias.byteOffset,
      y.length / bias.length,
      bias.length,
      lower,
      upper,
    );
    return;
  }
  if (!bias) {
    for (let i = 0; i < y.length; i++) {
      const v = y[i];
      y[i] = v < lower ? lower : v > upper ? upper : v;
    }
    return;
  }
  const channels = bias.length;
  for (let i = 0; i < y.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = y[i + c] + bias[c];
      y[i + c] = v < lower ? lower : v > upper ? upper : v;
    }
  }
}

function activationKernel(
  s: KernelScope,
  x: TensorInfo,
  { activation, preluActivationWeights, leakyreluAlpha }: Epilogue,
): TensorInfo {
  switch (activation) {
    case undefined:
    case "linear":
      return x;
    case "relu":
      return s.run("Relu", { x });
    case "relu6":
      return s.run("Relu6", { x });
    case "elu":
      return s.run("Elu", { x });
    case "sigmoid":
      return s.run("Sigmoid", { x });
    case "leakyrelu":
      return s.run("LeakyRelu", { x }, {
        alpha: leakyreluAlpha ?? 0.2,
      } as NamedAttrMap);
    case "prelu":
      if (!preluActivationWeights) {
        throw new Error("fused prelu needs preluActivationWeights");
      }
      return s.run("Prelu", { x, alpha: preluActivationWeights });
  }
}

/**
 * Finishes a fused kernel: applies its bias and activation to `product` (a fresh output the
 * kernel owns, so it may be overwritten or freed) and returns the result.
 *
 * @example
 * ```ts
 * return finishFused(backend, product, inputs, attrs); // inputs.bias, attrs.activation, …
 * ```
 */
export function finishFused(
  backend: KernelBackend,
  product: TensorInfo,
  inputs: FusedInputs,
  attrs: FusedAttrs,
): TensorInfo {
  return withKernelScope(
    backend,
    (s) => applyEpilogue(s, s.adopt(product), { ...inputs, ...attrs }),
  );
}

function applyEpilogue(
  s: KernelScope,
  product: TensorInfo,
  epilogue: Epilogue,
): TensorInfo {
  const bias = epilogue.bias ?? undefined;
  const view = (t: TensorInfo) => heapView(s.backend, t);
  const activation = epilogue.activation ?? "linear";
  const channels = product.shape[product.shape.length - 1];
  const perChannelBias = !bias ||
    (bias.dtype === "float32" && size(bias.shape) === channels &&
      bias.shape[bias.shape.length - 1] === channels);
  if (perChannelBias && IN_PLACE.has(activation)) {
    if (bias || activation !== "linear") {
      biasActivateInPlace(view(product), bias && view(bias), activation);
    }
    return product;
  }
  const biased = bias ? s.run("Add", { a: product, b: bias }) : product;
  return activationKernel(s, biased, epilogue);
}
