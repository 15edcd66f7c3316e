/**
 * Sum over leading axes — a bias gradient: Σ over batch and space per channel — on wasm as a
 * JavaScript loop over the heap, one contiguous pass: wasm's Sum transposes first and loops
 * (14 ms vs 3 ms on [128, 28, 28, 32]). Every other reduction goes to wasm's own Sum.
 *
 * @module
 */
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";
import { heapOutput } from "./heap.ts";
import {
  type KernelArgs,
  rememberOriginal,
  wasmKernel,
} from "./kernel_scope.ts";

interface SumAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * The kernel config lenses registers for `Sum` on 'wasm'. Call only once the wasm backend's
 * own kernels are registered (other reductions are delegated to its Sum).
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * tf.registerKernel(sumConfig());
 * ```
 */
export function sumConfig(): KernelConfig {
  const original = rememberOriginal("Sum");
  return wasmKernel(
    "Sum",
    ({ inputs, backend, attrs }: KernelArgs<SumAttrs, "x">) => {
      const { x } = inputs;
      const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) =>
        a - b
      );
      const rest = x.shape.slice(axes.length);
      if (
        x.dtype !== "float32" || !axes.every((a, i) => a === i) ||
        rest.length === 0
      ) {
        return original({
          inputs,
          backend,
          attrs: attrs as never,
        }) as TensorInfo;
      }
      const cols = rest.reduce((p, d) => p * d, 1);
      const shape = attrs.keepDims ? [...axes.map(() => 1), ...rest] : rest;
      const { out, views: [sums, values] } = heapOutput(backend, shape, [x]);
      // Float64 accumulators: no worse than the cpu backend's float32 running sums.
      const acc = new Float64Array(cols);
      for (let i = 0; i < values.length; i += cols) {
        for (let c = 0; c < cols; c++) acc[c] += values[i + c];
      }
      sums.set(acc);
      return out;
    },
  );
}
