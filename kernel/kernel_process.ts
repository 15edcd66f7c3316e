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

  private constructor(private readonly child: Deno.ChildProcess) {
    this.exited = child.status.then((s) => {
      this.exit = { code: s.code, signal: s.signal };
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
    try {
      return new KernelProcess(command.spawn());
    } catch (err) {
      throw new Error(
        `could not start the Deno kernel (${deno} jupyter --kernel): ${(err as Error).message}`,
      );
    }
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
