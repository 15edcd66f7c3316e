/**
 * Timing a workload: warm-up steps (operator creation, weight packing, JIT) are excluded; the
 * measured steps give images per second, and the tensor count before/after shows leaks.
 *
 * @module
 */
import process from "node:process";
import { tf } from "../lib/tf.ts";
import { makeWorkload, type WorkloadName } from "./workloads.ts";

/** Warm-up and measured steps of one workload. */
export interface StepPlan {
  warmup: number;
  steps: number;
}

/** One measured workload. */
export interface Measurement {
  name: WorkloadName;
  impl: "lenses";
  backend: string;
  images_per_second: number;
  /** Images per second of process CPU time: robust to other processes on a shared machine. */
  images_per_cpu_second: number;
  steps: number;
  ms_per_step: number;
  /** Live tensors after the measured steps minus before (0 when nothing leaks). */
  tensor_growth: number;
  /** Resident set size of the process after the steps, in MiB. */
  rss_mib: number;
}

/**
 * Runs `name` on the active backend for `plan` and measures it.
 *
 * @example
 * ```ts
 * const m = await measure("mlp_train", { warmup: 5, steps: 50 });
 * console.log(m.images_per_second);
 * ```
 */
export async function measure(
  name: WorkloadName,
  plan: StepPlan,
): Promise<Measurement> {
  const workload = makeWorkload(name);
  try {
    for (let i = 0; i < plan.warmup; i++) await workload.step();
    const tensors = tf.memory().numTensors;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < plan.steps; i++) await workload.step();
    const cpu = process.cpuUsage(cpuStart);
    const ms = (performance.now() - start) / plan.steps;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      name,
      impl: "lenses",
      backend: tf.getBackend(),
      images_per_second: (workload.images * 1000) / ms,
      images_per_cpu_second: (workload.images * plan.steps) / cpuSeconds,
      steps: plan.steps,
      ms_per_step: ms,
      tensor_growth: tf.memory().numTensors - tensors,
      rss_mib: Deno.memoryUsage().rss / 2 ** 20,
    };
  } finally {
    workload.dispose();
  }
}

/** Process memory over a long cnn_train run. */
export interface MemoryTrace {
  steps: number;
  rss_mib_start: number;
  rss_mib_end: number;
  rss_mib_max: number;
  /** RSS after each tenth of the run, to tell a plateau from steady growth. */
  rss_mib_samples: number[];
  /** Live JavaScript heap at the same points (RSS also holds V8's reserved, unused heap). */
  js_heap_used_mib_samples: number[];
  tensor_growth: number;
}

/**
 * Runs `steps` reference-CNN train steps and records the resident set size (after 10 warm-up
 * steps) — the "< 1 GiB, no growth over 1,000 steps".
 *
 * @example
 * ```ts
 * const trace = await memoryTrace(1000);
 * console.log(trace.rss_mib_max);
 * ```
 */
export async function memoryTrace(steps: number): Promise<MemoryTrace> {
  const workload = makeWorkload("cnn_train");
  try {
    for (let i = 0; i < 10; i++) await workload.step();
    const tensors = tf.memory().numTensors;
    const start = Deno.memoryUsage().rss;
    let max = start;
    const samples: number[] = [];
    const jsHeap: number[] = [];
    const every = Math.max(1, Math.floor(steps / 10));
    for (let i = 1; i <= steps; i++) {
      await workload.step();
      const { rss, heapUsed } = Deno.memoryUsage();
      max = Math.max(max, rss);
      if (i % every === 0) {
        samples.push(Math.round(rss / 2 ** 20));
        jsHeap.push(Math.round(heapUsed / 2 ** 20));
      }
    }
    const end = Deno.memoryUsage().rss;
    return {
      steps,
      rss_mib_start: start / 2 ** 20,
      rss_mib_end: end / 2 ** 20,
      rss_mib_max: Math.max(max, end) / 2 ** 20,
      rss_mib_samples: samples,
      js_heap_used_mib_samples: jsHeap,
      tensor_growth: tf.memory().numTensors - tensors,
    };
  } finally {
    workload.dispose();
  }
}
