/**
 * Composing wasm kernels out of other wasm kernels: look a kernel up in tfjs' registry, run
 * it on the backend directly (no engine, no tape), and free every intermediate it made.
 *
 * @module
 */
import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import { tf } from "../../tf.ts";

const BACKEND = "wasm";

/** The kernel functions lenses replaced, kept so that a replacement can still delegate. */
const originals = new Map<string, KernelFunc>();

/**
 * Remembers the wasm backend's own implementation of `kernelName` (before lenses overrides it)
 * and returns it; later calls return the first one remembered.
 *
 * @example
 * ```ts
 * const plainMatMul = rememberOriginal("BatchMatMul");
 * ```
 */
export function rememberOriginal(kernelName: string): KernelFunc {
  const known = originals.get(kernelName);
  if (known) return known;
  const config = tf.getKernel(kernelName, BACKEND);
  if (!config) {
    throw new Error(
      `The tfjs wasm backend has no '${kernelName}' kernel to build on; ` +
        `check that @tensorflow/tfjs-backend-wasm@4.22.0 is imported.`,
    );
  }
  originals.set(kernelName, config.kernelFunc);
  return config.kernelFunc;
}

/**
 * A list of intermediates produced by kernel calls inside one kernel function; `run` calls a
 * registered wasm kernel (or the remembered original) and records its output for disposal.
 *
 * @example
 * ```ts
 * const out = withKernelScope(backend, (s) => {
 *   const t = s.run("Transpose", { x }, { perm: [1, 0] });
 *   return s.run("BatchMatMul", { a: t, b }, { transposeA: false, transposeB: false });
 * });
 * ```
 */
export class KernelScope {
  readonly #made: TensorInfo[] = [];

  constructor(readonly backend: KernelBackend) {}

  /** Runs `kernelName` (the original implementation if lenses replaced it). */
  run(
    kernelName: string,
    inputs: NamedTensorInfoMap,
    attrs: NamedAttrMap = {},
  ): TensorInfo {
    const func = originals.get(kernelName) ??
      tf.getKernel(kernelName, BACKEND)?.kernelFunc;
    if (!func) {
      throw new Error(`The tfjs wasm backend has no '${kernelName}' kernel.`);
    }
    const out = func({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) {
      throw new Error(
        `Kernel '${kernelName}' returned several tensors; expected one.`,
      );
    }
    this.#made.push(out);
    return out;
  }

  /** Records `info`, made outside `run` (e.g. a heap kernel's output), for disposal. */
  adopt(info: TensorInfo): TensorInfo {
    this.#made.push(info);
    return info;
  }

  /** Reinterprets `x` with a new shape (no copy; shares data by reference count). */
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  /** Frees every intermediate except `keep`. */
  disposeExcept(keep?: TensorInfo): void {
    for (const info of this.#made) {
      if (info !== keep) this.backend.disposeData(info.dataId);
    }
    this.#made.length = 0;
  }
}

/**
 * Runs `body` with a fresh {@link KernelScope} and frees all its intermediates except the
 * returned one, also when `body` throws.
 *
 * @example
 * ```ts
 * const y = withKernelScope(backend, (s) => s.run("Relu", { x }));
 * ```
 */
export function withKernelScope(
  backend: KernelBackend,
  body: (scope: KernelScope) => TensorInfo,
): TensorInfo {
  const scope = new KernelScope(backend);
  let out: TensorInfo | undefined;
  try {
    out = body(scope);
    return out;
  } finally {
    scope.disposeExcept(out);
  }
}

/** What tfjs passes a kernel function, with the inputs and attributes a kernel expects. */
export interface KernelArgs<Attrs, Names extends string = string> {
  inputs: Record<Names, TensorInfo>;
  backend: KernelBackend;
  attrs: Attrs;
}

/**
 * A wasm kernel config from a typed kernel function (tfjs types its argument loosely).
 *
 * @example
 * ```ts
 * const config = wasmKernel("Relu6", ({ inputs, backend }: KernelArgs<unknown>) =>
 *   withKernelScope(backend, (s) => s.run("ClipByValue", inputs, { clipValueMin: 0, clipValueMax: 6 })));
 * ```
 */
export function wasmKernel<Attrs, Names extends string>(
  kernelName: string,
  func: (args: KernelArgs<Attrs, Names>) => TensorInfo,
): KernelConfig {
  return {
    kernelName,
    backendName: BACKEND,
    kernelFunc: func as unknown as KernelFunc,
  };
}
