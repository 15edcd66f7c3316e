/**
 * Where a workload's time goes: per-kernel wall time over a few steps.
 *
 * Every kernel registered for the backend is wrapped in a timer (calls a kernel makes to other
 * kernels count toward the outer one). `tf.profile` is not used: it reads every kernel's output
 * to check for NaNs, which evicts the caches and inflates memory-bound kernels two- to threefold.
 *
 * Usage: `deno run -A bench/profile.ts [cnn_train|mlp_train|cnn_pgd10|smooth_certify] [--backend wasm]
 * [--threads N]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { KernelFunc } from "@tensorflow/tfjs-core";
import { tf } from "../lib/tf.ts";
import { type BackendName, initBackend } from "../lib/backend/select.ts";
import { wasmBlas } from "../lib/backend/wasm/mod.ts";
import { makeWorkload, type WorkloadName, WORKLOADS } from "./workloads.ts";

/** Milliseconds and calls per kernel-and-input-shapes key, accumulated while `on`. */
class KernelTimes {
  readonly totals = new Map<string, { ms: number; calls: number }>();
  on = false;
  #depth = 0;

  /** Re-registers every kernel of `backend` behind a timer. */
  wrap(backend: string): void {
    for (const config of tf.getKernelsForBackend(backend)) {
      const inner = config.kernelFunc;
      const timed: KernelFunc = (args) => {
        if (!this.on || this.#depth > 0) return inner(args);
        this.#depth++;
        const start = performance.now();
        try {
          return inner(args);
        } finally {
          this.#depth--;
          const shapes = Object.values(args.inputs).map((t) => t?.shape);
          this.add(`${config.kernelName} ${JSON.stringify(shapes)}`, start);
        }
      };
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel({ ...config, kernelFunc: timed });
    }
  }

  add(key: string, start: number): void {
    const t = this.totals.get(key) ?? { ms: 0, calls: 0 };
    t.ms += performance.now() - start;
    t.calls += 1;
    this.totals.set(key, t);
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      backend: { type: "string", default: "wasm" },
      threads: { type: "string" },
    },
  });
  const name = (positionals[0] ?? "cnn_train") as WorkloadName;
  if (!WORKLOADS.includes(name)) {
    throw new Error(
      `unknown workload "${name}"; use one of ${WORKLOADS.join(", ")}`,
    );
  }
  const info = await initBackend({ backend: values.backend as BackendName });
  if (values.threads) wasmBlas()?.setThreads(Number(values.threads));
  const times = new KernelTimes();
  times.wrap(info.backend);
  const workload = makeWorkload(name);
  for (let i = 0; i < 2; i++) await workload.step(); // operator creation, packing, JIT
  const steps = 5;
  times.on = true;
  const start = performance.now();
  for (let s = 0; s < steps; s++) await workload.step();
  const wall = (performance.now() - start) / steps;
  times.on = false;
  const rows = [...times.totals].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, t]) => s + t.ms, 0) / steps;
  const calls = rows.reduce((s, [, t]) => s + t.calls, 0) / steps;
  const blas = wasmBlas();
  console.log(
    `${name} on ${info.backend}${
      blas && info.backend === "wasm" ? ` + ${blas.description}, ${blas.threads()} thread(s)` : ""
    }: ${wall.toFixed(1)} ms/step, kernels ${kernelMs.toFixed(1)} ms in ${calls.toFixed(0)} calls`,
  );
  for (const [key, t] of rows.slice(0, 30)) {
    console.log(
      `${(t.ms / steps).toFixed(2).padStart(9)} ms ${
        (t.calls / steps).toFixed(0).padStart(4)
      }× ${key}`,
    );
  }
  workload.dispose();
}
