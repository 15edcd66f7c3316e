/**
 * Identity, and Cast to the same dtype, on wasm without a copy: the output shares the input's
 * memory by reference count, as wasm's Reshape and the cpu backend's Identity already do
 * (tfjs tensors are immutable). The engine clones every tensor a gradient saves through
 * Identity, so wasm's copying version cost a reference-CNN train step 3 full-size copies per
 * layer, and a 10-step PGD thirty.
 *
 * @module
 */
import type { KernelBackend, KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { type KernelArgs, rememberOriginal, wasmKernel } from "./kernel_scope.ts";

function share(backend: KernelBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * The kernel configs lenses registers for `Identity` and `Cast` on 'wasm' (strings, and
 * Cast between different dtypes, go to wasm's own kernels).
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * for (const config of sharedIdentityConfigs()) tf.registerKernel(config);
 * ```
 */
export function sharedIdentityConfigs(): KernelConfig[] {
  const cast = rememberOriginal("Cast");
  const identity = rememberOriginal("Identity");
  return [
    wasmKernel(
      "Identity",
      ({ inputs, backend, attrs }: KernelArgs<unknown, "x">) =>
        // String tensors live outside the heap; wasm's own Identity copies them.
        inputs.x.dtype === "string"
          ? identity({ inputs, backend, attrs: attrs as never }) as TensorInfo
          : share(backend, inputs.x),
    ),
    wasmKernel(
      "Cast",
      ({ inputs, backend, attrs }: KernelArgs<{ dtype: string }, "x">) =>
        inputs.x.dtype === attrs.dtype
          ? share(backend, inputs.x)
          : cast({ inputs, backend, attrs: attrs as never }) as TensorInfo,
    ),
  ];
}
