/**
 * Runs the PyTorch reference (bench/torch_ref.py) when a python3 with torch is installed
 * (Debian: `apt-get install python3-torch`).
 *
 * @module
 */
import type { WorkloadName } from "./workloads.ts";

/** One PyTorch measurement, in the bench's JSON shape. */
export interface TorchMeasurement {
  name: WorkloadName;
  impl: "pytorch";
  backend: string;
  images_per_second: number;
  images_per_cpu_second: number;
  steps: number;
  threads: number;
  /** True for the run whose thread count matches lenses' (the ratios' reference). */
  reference: boolean;
}

const CANDIDATES = ["python3", "/usr/bin/python3"];

async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * The first python3 on this machine that imports torch, or undefined.
 *
 * @example
 * ```ts
 * const python = await findTorchPython(); // "/usr/bin/python3" or undefined
 * ```
 */
export async function findTorchPython(): Promise<string | undefined> {
  for (const python of CANDIDATES) {
    if (await succeeds(python, ["-c", "import torch"])) return python;
  }
  return undefined;
}

/**
 * Runs torch_ref.py with `threads` threads and returns its measurements.
 *
 * @example
 * ```ts
 * const rows = await runTorch("/usr/bin/python3", 1, 20, ["cnn_train"], true);
 * ```
 */
export async function runTorch(
  python: string,
  threads: number,
  steps: number,
  workloads: readonly WorkloadName[],
  reference: boolean,
): Promise<TorchMeasurement[]> {
  const script = new URL("./torch_ref.py", import.meta.url).pathname;
  const args = [
    script,
    "--threads",
    `${threads}`,
    "--steps",
    `${steps}`,
    "--workloads",
  ];
  // torch.set_num_threads bounds ATen's pool only; the BLAS and OpenMP pools below it size
  // themselves by core count and spin, so a "1-thread" run would still use every core.
  const pools = `${threads}`;
  const out = await new Deno.Command(python, {
    args: [...args, workloads.join(",")],
    env: {
      OMP_NUM_THREADS: pools,
      OPENBLAS_NUM_THREADS: pools,
      MKL_NUM_THREADS: pools,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `bench/torch_ref.py failed (${python}):\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  const parsed = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    threads: number;
    workloads: Array<{
      name: WorkloadName;
      images_per_second: number;
      images_per_cpu_second: number;
      steps: number;
    }>;
  };
  return parsed.workloads.map((w) => ({
    ...w,
    impl: "pytorch",
    backend: `cpu-${parsed.threads}t`,
    threads: parsed.threads,
    reference,
  }));
}
