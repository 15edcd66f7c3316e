/**
 * Where a workload's time goes: per-kernel totals of a few steps under `tf.profile`.
 * Composite kernels lenses registers count as one kernel (their inner calls bypass the engine).
 *
 * Usage: `deno run -A bench/profile.ts [cnn_train|mlp_train|cnn_pgd10] [--backend wasm]`
 *
 * @module
 */
import { tf } from "../lib/tf.ts";
import { initBackend } from "../lib/backend/select.ts";
import { makeWorkload, type WorkloadName, WORKLOADS } from "./workloads.ts";

if (import.meta.main) {
  const name = (Deno.args.find((a) =>
    !a.startsWith("--")
  ) ?? "cnn_train") as WorkloadName;
  if (!WORKLOADS.includes(name)) {
    throw new Error(
      `unknown workload "${name}"; use one of ${WORKLOADS.join(", ")}`,
    );
  }
  const i = Deno.args.indexOf("--backend");
  await initBackend({ backend: i >= 0 ? Deno.args[i + 1] as "wasm" : "wasm" });
  const workload = makeWorkload(name);
  await workload.step(); // warm-up: operator creation, weight packing
  const steps = 3;
  const start = performance.now();
  const info = await tf.profile(async () => {
    for (let s = 0; s < steps; s++) await workload.step();
  });
  const wall = (performance.now() - start) / steps;
  const totals = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const t = totals.get(key) ?? { ms: 0, calls: 0 };
    t.ms += Number(k.kernelTimeMs) / steps;
    t.calls += 1 / steps;
    totals.set(key, t);
  }
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
  const kernelSum = rows.reduce((s, [, t]) => s + t.ms, 0);
  console.log(
    `${name} on ${tf.getBackend()}: ${wall.toFixed(1)} ms/step (profiled), ` +
      `kernels ${kernelSum.toFixed(1)} ms, ${
        info.kernels.length / steps
      } kernel calls/step`,
  );
  for (const [key, t] of rows.slice(0, 30)) {
    console.log(
      `${t.ms.toFixed(2).padStart(9)} ms ${
        t.calls.toFixed(0).padStart(4)
      }× ${key}`,
    );
  }
  workload.dispose();
}
