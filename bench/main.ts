/**
 * `deno task bench [--json] [--backends wasm,cpu,webgpu] [--steps N] [--workloads a,b]
 * [--memory N] [--threads 1,N]`: images per second of lenses' four CPU-speed workloads per
 * backend, the same workloads in PyTorch (when python3 with torch is installed) at the same
 * thread counts, and the ratios lenses/PyTorch. On wasm with a native BLAS each thread count
 * of `--threads` (default: 1 and every core) is measured; other backends compute on one.
 *
 * With --json, stdout holds exactly one JSON object:
 * `{"workloads": [{"name", "impl", "backend", "images_per_second", ...}], "ratios": [...], ...}`.
 * Progress goes to stderr.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type BackendName, BACKENDS, initBackend, webGpuAdapter } from "../lib/backend/mod.ts";
import { wasmBlas } from "../lib/backend/wasm/mod.ts";
import {
  measure,
  type Measurement,
  type MemoryTrace,
  memoryTrace,
  type StepPlan,
} from "./measure.ts";
import { findTorchPython, runTorch, type TorchMeasurement } from "./torch.ts";
import { type WorkloadName, WORKLOADS } from "./workloads.ts";

const WARMUP: Record<WorkloadName, number> = {
  cnn_train: 3,
  mlp_train: 10,
  cnn_pgd10: 1,
  smooth_certify: 1,
};
/**
 * Measured steps per `--steps` unit: the MLP step is ~10× cheaper, a PGD run ~5× dearer, a
 * certification batch (1000 forward passes) ~3× dearer.
 */
const SCALE: Record<WorkloadName, number> = {
  cnn_train: 1,
  mlp_train: 10,
  cnn_pgd10: 0.25,
  smooth_certify: 0.25,
};

/**
 * The cpu backend trains the CNN at ~1 image/s: one step each is all a bench can afford, and a
 * certification batch (1000 images) is measured without a warm-up step.
 */
function plan(
  backend: BackendName,
  name: WorkloadName,
  steps: number,
): StepPlan {
  if (backend === "cpu") {
    if (name === "mlp_train") return { warmup: 2, steps: 5 };
    return { warmup: name === "smooth_certify" ? 0 : 1, steps: 1 };
  }
  return {
    warmup: WARMUP[name],
    steps: Math.max(1, Math.round(steps * SCALE[name])),
  };
}

/** Thread counts from "1,4": positive integers. */
function counts(value: string): number[] {
  const items = value.split(",").map((s) => Number(s.trim()));
  if (!items.length || items.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(
      `--threads must be a comma-separated list of positive integers, got "${value}"`,
    );
  }
  return [...new Set(items)];
}

function list<T extends string>(
  value: string,
  allowed: readonly T[],
  what: string,
): T[] {
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(
        `unknown ${what} "${item}"; use a comma-separated list of ${allowed.join(", ")}`,
      );
    }
  }
  return items as T[];
}

/** A lenses measurement with the thread count it ran at. */
type LensesRow = Measurement & { threads: number };

interface Ratio {
  name: WorkloadName;
  backend: string;
  threads: number;
  /** Wall-clock images/s of lenses over PyTorch's (the issue's ratio). */
  lenses_over_pytorch: number;
  /** The same over process CPU time: steadier when other processes share the cores. */
  lenses_over_pytorch_cpu_time: number;
  pytorch_threads: number;
}

function ratios(lenses: LensesRow[], torch: TorchMeasurement[]): Ratio[] {
  return lenses.flatMap((m) => {
    const ref = torch.find((t) => t.reference && t.name === m.name && t.threads === m.threads);
    return ref
      ? [{
        name: m.name,
        backend: m.backend,
        threads: m.threads,
        lenses_over_pytorch: m.images_per_second / ref.images_per_second,
        lenses_over_pytorch_cpu_time: m.images_per_cpu_second /
          ref.images_per_cpu_second,
        pytorch_threads: ref.threads,
      }]
      : [];
  });
}

function table(
  lenses: LensesRow[],
  torch: TorchMeasurement[],
  rs: Ratio[],
): string {
  const rows = [[
    "workload",
    "impl",
    "backend",
    "threads",
    "img/s",
    "img/cpu-s",
    "÷ PyTorch",
    "÷ (cpu time)",
  ]];
  for (const m of lenses) {
    const r = rs.find((x) =>
      x.name === m.name && x.backend === m.backend && x.threads === m.threads
    );
    rows.push([
      m.name,
      "lenses",
      m.backend,
      `${m.threads}`,
      m.images_per_second.toFixed(1),
      m.images_per_cpu_second.toFixed(1),
      r ? `${r.lenses_over_pytorch.toFixed(2)}×` : "-",
      r ? `${r.lenses_over_pytorch_cpu_time.toFixed(2)}×` : "-",
    ]);
  }
  for (const t of torch) {
    rows.push([
      t.name,
      "pytorch",
      t.backend,
      `${t.threads}`,
      t.images_per_second.toFixed(1),
      t.images_per_cpu_second.toFixed(1),
      t.reference ? "reference" : "",
      "",
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((c, i) => i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ")
      .trimEnd()
  ).join("\n");
}

/**
 * Every backend this machine can run at its own speed: webgpu on a hardware adapter, wasm, and
 * cpu (measured over very few steps: it trains at about one image per second). A software
 * WebGPU adapter only on request, as lenses never picks it either.
 */
async function availableBackends(): Promise<BackendName[]> {
  const gpu = await webGpuAdapter();
  return gpu && !gpu.isFallbackAdapter ? ["webgpu", "wasm", "cpu"] : ["wasm", "cpu"];
}

/** Runs the benchmark as the command line asks and prints the table or the JSON object. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      backends: { type: "string" },
      steps: { type: "string", default: "20" },
      workloads: { type: "string", default: WORKLOADS.join(",") },
      memory: { type: "string", default: "0" },
      threads: { type: "string" },
    },
  });
  const backends = values.backends
    ? list(values.backends, BACKENDS, "backend")
    : await availableBackends();
  const workloads = list(values.workloads, WORKLOADS, "workload");
  const steps = Number(values.steps), memorySteps = Number(values.memory);
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(
      `--steps must be a positive integer, got "${values.steps}"`,
    );
  }
  if (!Number.isInteger(memorySteps) || memorySteps < 0) {
    throw new Error(`--memory must be a step count, got "${values.memory}"`);
  }
  const cores = navigator.hardwareConcurrency ?? 1;
  const threadCounts = values.threads ? counts(values.threads) : [...new Set([1, cores])];

  const python = await findTorchPython();
  if (!python) {
    console.error(
      "PyTorch not found (install Debian's python3-torch to compare); no ratios",
    );
  }
  const lenses: LensesRow[] = [];
  const torch: TorchMeasurement[] = [];
  let memory: MemoryTrace | undefined;
  for (const [i, backend] of backends.entries()) {
    const info = await initBackend({ backend });
    const blas = backend === "wasm" ? wasmBlas() : undefined;
    for (const threads of blas ? threadCounts : [info.threads]) {
      blas?.setThreads(threads);
      console.error(
        `lenses on ${info.backend} (${info.device}, ${
          blas ? `${blas.description}, ` : ""
        }${threads} thread(s))`,
      );
      for (const name of workloads) {
        const m = await measure(name, plan(backend, name, steps));
        console.error(
          `  ${name}: ${m.images_per_second.toFixed(1)} img/s over ${m.steps} steps`,
        );
        lenses.push({ ...m, threads });
        // The reference runs right after the same workload at the same thread count, so
        // both see the same machine load.
        if (python && i === 0) {
          const [t] = await runTorch(python, threads, steps, [name], true);
          console.error(
            `  PyTorch ${t.threads} thread(s): ${t.images_per_second.toFixed(1)} img/s`,
          );
          torch.push(t);
        }
      }
    }
    blas?.setThreads(info.threads);
    if (backend === "wasm" && memorySteps > 0) {
      memory = await memoryTrace(memorySteps);
      console.error(
        `  memory over ${memorySteps} cnn_train steps: ${JSON.stringify(memory)}`,
      );
    }
  }
  if (python && !torch.some((t) => t.threads === cores)) {
    console.error(`PyTorch with all ${cores} cores (for information)`);
    torch.push(...await runTorch(python, cores, steps, workloads, false));
  }

  const rs = ratios(lenses, torch);
  if (values.json) {
    console.log(
      JSON.stringify({ workloads: [...lenses, ...torch], ratios: rs, memory }),
    );
  } else {
    console.log(table(lenses, torch, rs));
    if (memory) console.log(`memory: ${JSON.stringify(memory)}`);
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (err) {
    // Bad flags (and a failing PyTorch reference) are reported as one line, not a stack trace.
    console.error(`bench: ${err instanceof Error ? err.message : err}`);
    console.error(
      "usage: deno task bench [--json] [--backends wasm,cpu,webgpu] [--steps N] " +
        "[--workloads cnn_train,mlp_train,cnn_pgd10,smooth_certify] [--memory N] [--threads 1,N]",
    );
    Deno.exit(2);
  }
}
