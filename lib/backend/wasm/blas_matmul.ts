/**
 * `BatchMatMul` and `_FusedMatMul` on the wasm backend as native sgemm calls, one per batch
 * entry, reading and writing the wasm heap in place. Transposed operands cost nothing here
 * (sgemm takes them as flags), unlike on XNNPACK.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import type { Blas } from "../blas.ts";
import { finishFused, type FusedAttrs } from "./fused_epilogue.ts";
import { heapOutput } from "./heap.ts";
import { type KernelArgs, wasmKernel } from "./kernel_scope.ts";

type MatMulAttrs = NamedAttrMap & { transposeA: boolean; transposeB: boolean };

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * The product of `a` and `b` as a new heap tensor, or undefined for what sgemm per batch entry
 * cannot express (non-float32 data; batch shapes that broadcast other than whole-or-one).
 */
function product(
  blas: Blas,
  a: TensorInfo,
  b: TensorInfo,
  { transposeA, transposeB }: MatMulAttrs,
  backend: KernelArgs<unknown>["backend"],
): TensorInfo | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32") return undefined;
  const ra = a.shape.length, rb = b.shape.length;
  const m = a.shape[transposeA ? ra - 1 : ra - 2];
  const k = a.shape[transposeA ? ra - 2 : ra - 1];
  const n = b.shape[transposeB ? rb - 2 : rb - 1];
  const batchShapeA = a.shape.slice(0, -2), batchShapeB = b.shape.slice(0, -2);
  const batchA = size(batchShapeA), batchB = size(batchShapeB);
  const sameBatch = batchShapeA.length === batchShapeB.length &&
    batchShapeA.every((d, i) => d === batchShapeB[i]);
  if (!sameBatch && batchA !== 1 && batchB !== 1) return undefined;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(
    batchShapeA,
    batchShapeB,
  );
  const { out, views: [c, av, bv] } = heapOutput(backend, [
    ...batchShape,
    m,
    n,
  ], [a, b]);
  if (k === 0) c.fill(0);
  if (k === 0 || m === 0 || n === 0) return out;
  const batch = Math.max(batchA, batchB);
  for (let i = 0; i < batch; i++) {
    const ia = batchA === 1 ? 0 : i, ib = batchB === 1 ? 0 : i;
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      av.subarray(ia * m * k, (ia + 1) * m * k),
      bv.subarray(ib * k * n, (ib + 1) * k * n),
      c.subarray(i * m * n, (i + 1) * m * n),
    );
  }
  return out;
}

/**
 * The kernel configs lenses registers for `BatchMatMul` and `_FusedMatMul` on 'wasm' when a
 * native BLAS is present; what they cannot express goes to `fallbacks` (the XNNPACK ones).
 *
 * @example
 * ```ts
 * const [batchMatMul, fusedMatMul] = matMulConfigs();
 * const configs = blasMatMulConfigs(blas, {
 *   BatchMatMul: batchMatMul.kernelFunc,
 *   _FusedMatMul: fusedMatMul.kernelFunc,
 * });
 * ```
 */
export function blasMatMulConfigs(
  blas: Blas,
  fallbacks: { BatchMatMul: KernelFunc; _FusedMatMul: KernelFunc },
): KernelConfig[] {
  return [
    wasmKernel("BatchMatMul", (args: KernelArgs<MatMulAttrs, "a" | "b">) => {
      const { inputs: { a, b }, backend, attrs } = args;
      return product(blas, a, b, attrs, backend) ??
        fallbacks.BatchMatMul(
          args as unknown as Parameters<KernelFunc>[0],
        ) as TensorInfo;
    }),
    wasmKernel(
      "_FusedMatMul",
      (
        args: KernelArgs<
          MatMulAttrs & FusedAttrs,
          "a" | "b" | "bias" | "preluActivationWeights"
        >,
      ) => {
        const { inputs, backend, attrs } = args;
        const plain = product(blas, inputs.a, inputs.b, attrs, backend);
        if (!plain) {
          return fallbacks._FusedMatMul(
            args as unknown as Parameters<KernelFunc>[0],
          ) as TensorInfo;
        }
        return finishFused(backend, plain, inputs, attrs);
      },
    ),
  ];
}
