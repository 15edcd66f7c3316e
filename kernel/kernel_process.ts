/**
 * The kernel as an operating-system process: `deno jupyter --kernel --conn FILE`, started with
 * the caller's environment and working directory, watched for exit, and killed when asked.
 *
 * @module
 */

import { concatBytes } from "../lib/io/bytes.ts";

/** How to start a kernel process. */
export interface KernelProcessOptions {
  /** Path to the connection file the kernel binds to. */
  connectionFile: string;
  /** Working directory of the kernel (Jupyter uses the notebook's directory). */
  cwd?: string;
  /** Extra environment variables, on top of this process's environment. */
  env?: Record<string, string>;
  /** The deno binary; defaults to the one running this code. */
  deno?: string;
}

/** How a kernel process ended. */
export interface KernelExit {
  code: number;
  signal: Deno.Signal | null;
}

const STDERR_TAIL_BYTES = 8192;

/**
 * A running `deno jupyter --kernel` process.
 *
 * @example
 * ```ts
 * const proc = KernelProcess.start({ connectionFile: "/tmp/k/connection.json" });
 * proc.kill();
 * const { code } = await proc.exited;
 * ```
 */
export class KernelProcess {
  /** Resolves when the process has exited. */
  readonly exited: Promise<KernelExit>;
  private exit: KernelExit | null = null;
  private stderrTail = new Uint8Array(0);

  private constructor(
    private readonly child: Deno.ChildProcess,
    watchdog: Deno.ChildProcess | null,
  ) {
    this.exited = child.status.then(async (s) => {
      this.exit = { code: s.code, signal: s.signal };
      if (watchdog !== null) {
        // The kernel is gone: the watchdog must not signal a pid that may be reused.
        try {
          watchdog.kill("SIGKILL");
        } catch {
          // it had already exited
        }
        await watchdog.status;
        await watchdog.stdin.close().catch(() => {});
      }
      return this.exit;
    });
    this.collect(child.stdout);
    this.collect(child.stderr);
  }

  /** Spawns the kernel. Throws a clear error when deno cannot be started. */
  static start(options: KernelProcessOptions): KernelProcess {
    const deno = options.deno ?? Deno.execPath();
    const command = new Deno.Command(deno, {
      args: ["jupyter", "--kernel", "--conn", options.connectionFile],
      cwd: options.cwd,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...options.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    let child: Deno.ChildProcess;
    try {
      child = command.spawn();
    } catch (err) {
      throw new Error(
        `could not start the Deno kernel (${deno} jupyter --kernel): ${(err as Error).message}`,
      );
    }
    return new KernelProcess(child, startWatchdog(child.pid));
  }

  /** Process id of the kernel. */
  get pid(): number {
    return this.child.pid;
  }

  /** The exit status once the process has ended, else null. */
  get exitStatus(): KernelExit | null {
    return this.exit;
  }

  /** The last few kilobytes the kernel wrote to stdout/stderr, for error reports. */
  get log(): string {
    return new TextDecoder().decode(this.stderrTail);
  }

  /** Sends `signal` if the process is still running. */
  signal(signal: Deno.Signal): void {
    if (this.exit !== null) return;
    try {
      this.child.kill(signal);
    } catch {
      // The process exited between the check and the kill: nothing left to signal.
    }
  }

  /** Kills the process (SIGKILL) and waits for it to be gone. */
  async kill(): Promise<KernelExit> {
    this.signal("SIGKILL");
    return await this.exited;
  }

  private async collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of stream) {
        const joined = concatBytes([this.stderrTail, chunk]);
        this.stderrTail = joined.slice(
          Math.max(0, joined.length - STDERR_TAIL_BYTES),
        );
      }
    } catch {
      // The pipe closes when the process dies; whatever was read is kept.
    }
  }
}

/**
 * A child process kills the kernel when this process dies, however it dies (even SIGKILL,
 * which no handler sees): it reads a pipe only this process writes to, and the operating system
 * closes that pipe when this process ends. A kernel left running would keep training and
 * writing the model cache with no one to read its results. Null where there is no `sh`.
 */
function startWatchdog(kernelPid: number): Deno.ChildProcess | null {
  if (Deno.build.os === "windows") return null;
  try {
    return new Deno.Command("sh", {
      args: [
        "-c",
        'while read -r _; do :; done; kill -KILL "$1" 2>/dev/null',
        "lenses-kernel-watchdog",
        String(kernelPid),
      ],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch {
    return null;
  }
}
