/**
 * Kernels the tfjs wasm backend lacks for training (owned by the wasm-kernels work; this
 * placeholder registers nothing yet).
 *
 * @module
 */

/** Registers lenses' wasm kernels. Idempotent. */
export function registerWasmKernels(): void {}
