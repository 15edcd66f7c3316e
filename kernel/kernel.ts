/**
 * A started kernel: its process, connection file and client together, with the lifecycle
 * operations a runner needs (wait until ready, interrupt, shut down, kill).
 *
 * @module
 */

import { dirname } from "node:path";
import { KernelClient } from "./client.ts";
import { newConnectionInfo, writeConnectionFile } from "./connection.ts";
import { type KernelExit, KernelProcess } from "./kernel_process.ts";

/** How to start a kernel. */
export interface StartKernelOptions {
  /** Working directory of the kernel; Jupyter uses the notebook's directory. */
  cwd?: string;
  /** Extra environment variables for the kernel (e.g. LENSES_SCALE). */
  env?: Record<string, string>;
  /** How long the kernel may take to answer its first kernel_info_request. */
  startupTimeoutMs?: number;
}

/**
 * The kernel died or never became ready.
 *
 * @example
 * ```ts
 * try { await startKernel(); } catch (e) { if (e instanceof KernelStartError) console.error(e.message); }
 * ```
 */
export class KernelStartError extends Error {
  override name = "KernelStartError";
}

/**
 * A running Deno kernel with a connected client.
 *
 * @example
 * ```ts
 * const kernel = await startKernel({ env: { LENSES_SCALE: "smoke" } });
 * try {
 *   const id = await kernel.client.send("shell", "execute_request", { code: "1 + 1" });
 * } finally {
 *   await kernel.shutdown();
 * }
 * ```
 */
export interface Kernel {
  readonly client: KernelClient;
  readonly process: KernelProcess;
  /** Asks the kernel to stop the running cell (interrupt_request on the control channel). */
  interrupt(): Promise<void>;
  /** Polite shutdown_request, then a kill if the process has not exited in time. */
  shutdown(): Promise<KernelExit>;
}

/** Kernel processes started here and not yet shut down. */
const live = new Set<KernelProcess>();

/**
 * Kills every kernel this process started and has not shut down: a runner stopped with
 * Ctrl-C must not leave kernels behind (child processes outlive their parent).
 *
 * @example
 * ```ts
 * Deno.addSignalListener("SIGINT", () => { killLiveKernels(); Deno.exit(130); });
 * ```
 */
export function killLiveKernels(): void {
  for (const process of live) process.signal("SIGKILL");
  live.clear();
}

/**
 * Starts `deno jupyter --kernel` on fresh loopback ports and waits until it answers.
 *
 * @example
 * ```ts
 * const kernel = await startKernel({ cwd: "notebooks" });
 * await kernel.shutdown();
 * ```
 */
export async function startKernel(
  options: StartKernelOptions = {},
): Promise<Kernel> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // Ports are found free and then bound by the kernel: a process starting at the same time
      // (a sweep's other points) can take one in between. Fresh ports cure it.
      const portTaken = err instanceof KernelStartError && /AddrInUse/.test(err.message);
      if (!portTaken || attempt === PORT_ATTEMPTS) throw err;
    }
  }
}

/** Starts of a kernel tried before a port collision is reported. */
const PORT_ATTEMPTS = 4;

async function startOnce(options: StartKernelOptions): Promise<Kernel> {
  const info = newConnectionInfo();
  const connectionFile = await writeConnectionFile(info);
  const process = KernelProcess.start({
    connectionFile,
    cwd: options.cwd,
    env: options.env,
  });
  live.add(process);
  process.exited.then(() => live.delete(process));
  const timeoutMs = options.startupTimeoutMs ?? 60_000;
  const cleanup = () => Deno.remove(dirname(connectionFile), { recursive: true }).catch(() => {});
  let client: KernelClient | null = null;
  const died = new AbortController();
  process.exited.then(() => died.abort());
  try {
    client = await raceExit(
      process,
      KernelClient.connect(info, timeoutMs, died.signal),
      "while connecting",
    );
    await raceExit(process, waitReady(client, timeoutMs), "while starting");
  } catch (err) {
    client?.close();
    await process.kill();
    await cleanup();
    throw err;
  }
  const connected = client;
  let stopped: Promise<KernelExit> | null = null;
  return {
    client: connected,
    process,
    async interrupt() {
      const id = await connected.send("control", "interrupt_request", {});
      await connected.reply(id, 2000);
    },
    shutdown() {
      stopped ??= (async () => {
        if (process.exitStatus === null) {
          await connected.send("control", "shutdown_request", {
            restart: false,
          }).catch(() => {});
          let timer: ReturnType<typeof setTimeout> | undefined;
          const exited = await Promise.race([
            process.exited,
            new Promise<null>((r) => timer = setTimeout(() => r(null), 3000)),
          ]);
          clearTimeout(timer);
          if (exited === null) await process.kill();
        }
        connected.close();
        await cleanup();
        return await process.exited;
      })();
      return stopped;
    },
  };
}

/**
 * Sends kernel_info_request until a reply comes and iopub is proven subscribed (a SUB socket
 * misses whatever the kernel publishes before the subscription reaches it).
 */
async function waitReady(
  client: KernelClient,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const id = await client.send("shell", "kernel_info_request", {});
    const reply = await client.reply(id, 1000);
    if (reply === null) continue;
    for (;;) {
      const m = await client.nextIopub(500);
      if (m === null) break;
      if (m.parent_header.msg_id === id) {
        while (
          await client.nextIopub(50)
        ) { /* drain the rest of the handshake */ }
        return;
      }
    }
  }
  throw new KernelStartError(
    `the Deno kernel did not answer within ${timeoutMs / 1000} s`,
  );
}

async function raceExit<T>(
  process: KernelProcess,
  work: Promise<T>,
  phase: string,
): Promise<T> {
  const exit = process.exited.then((e) => {
    throw new KernelStartError(
      `the Deno kernel exited ${phase} (code ${e.code}${
        e.signal ? `, ${e.signal}` : ""
      }):\n${process.log.trim()}`,
    );
  });
  return await Promise.race([work, exit]);
}
