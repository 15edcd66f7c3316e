/**
 * MatMul with a transposed operand on wasm, as an explicit Transpose followed by the plain
 * (XNNPACK) MatMul: wasm's BatchMatMul / _FusedMatMul run a transposed operand through a
 * loop about 12× slower, and every dense layer's backward pass uses both transposed forms.
 *
 * @module
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import {
  type KernelArgs,
  type KernelScope,
  rememberOriginal,
  wasmKernel,
  withKernelScope,
} from "./kernel_scope.ts";

type MatMulAttrs = NamedAttrMap & { transposeA: boolean; transposeB: boolean };

/** Swaps the last two axes of `x`. */
function transposeLast2(s: KernelScope, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return s.run("Transpose", { x }, { perm });
}

/**
 * A kernel that runs the original untransposed. XNNPACK packs the right operand afresh for
 * every new tensor, so the form that packs the smaller matrix wins: for A·Bᵀ with fewer rows
 * in A than in B (a dense layer's input gradient dy·Wᵀ), (B·Aᵀ)ᵀ packs only Aᵀ.
 */
function untransposing(kernelName: string): KernelConfig {
  const original = rememberOriginal(kernelName);
  return wasmKernel(
    kernelName,
    ({ inputs, backend, attrs }: KernelArgs<MatMulAttrs, "a" | "b">) => {
      const { transposeA, transposeB } = attrs;
      if (!transposeA && !transposeB) {
        return original({ inputs, backend, attrs }) as TensorInfo;
      }
      const plain: NamedAttrMap = {
        ...attrs,
        transposeA: false,
        transposeB: false,
      };
      const { a, b } = inputs;
      const rowsA = a.shape[a.shape.length - 2],
        rowsB = b.shape[b.shape.length - 2];
      return withKernelScope(backend, (s) => {
        if (
          kernelName === "BatchMatMul" && transposeB && !transposeA &&
          rowsA < rowsB
        ) {
          const product = s.run(
            kernelName,
            { a: b, b: transposeLast2(s, a) },
            plain,
          );
          return transposeLast2(s, product);
        }
        const left = transposeA ? transposeLast2(s, a) : a;
        const right = transposeB ? transposeLast2(s, b) : b;
        return s.run(kernelName, { ...inputs, a: left, b: right }, plain);
      });
    },
  );
}

/**
 * The kernel configs lenses registers for `BatchMatMul` and `_FusedMatMul` on 'wasm'. Call
 * only once the wasm backend's own kernels are registered (they are delegated to).
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * for (const config of matMulConfigs()) tf.registerKernel(config);
 * ```
 */
export function matMulConfigs(): KernelConfig[] {
  return [untransposing("BatchMatMul"), untransposing("_FusedMatMul")];
}
