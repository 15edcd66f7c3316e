/**
 * Connection files: the JSON a Jupyter client writes to tell a kernel which loopback ports
 * to bind and which key signs messages.
 *
 * @module
 */

import { join } from "node:path";
import { tmpdir } from "node:os";
import { toHex } from "../lib/io/bytes.ts";
import { removeStaleTemps, writeFileAtomic } from "../lib/io/fs.ts";

/** The five channels of a kernel and their ports. */
export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  key: string;
  signature_scheme: "hmac-sha256";
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  kernel_name?: string;
}

/** Channel names as they appear in a connection file (`<name>_port`). */
export type ChannelName = "shell" | "iopub" | "stdin" | "control" | "hb";

const LOOPBACK = "127.0.0.1";

/**
 * Picks `count` distinct free loopback TCP ports by binding port 0 and releasing it, as
 * jupyter_client does. Another process could take a port before the kernel binds it; the
 * window is short, and `startKernel` retries such a start on fresh ports.
 *
 * @example
 * ```ts
 * const [a, b] = freePorts(2);
 * ```
 */
export function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: LOOPBACK, port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}

/**
 * A fresh connection description on loopback with a random 256-bit key.
 *
 * @example
 * ```ts
 * const info = newConnectionInfo();
 * console.log(info.ip); // "127.0.0.1"
 * ```
 */
export function newConnectionInfo(): ConnectionInfo {
  const [shell, iopub, stdin, control, hb] = freePorts(5);
  const key = toHex(crypto.getRandomValues(new Uint8Array(32)));
  return {
    transport: "tcp",
    ip: LOOPBACK,
    key,
    signature_scheme: "hmac-sha256",
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
  };
}

let swept = false;

/**
 * The folder of this user's kernel connection directories: lenses' own, so a sweep of it
 * touches nothing else in the temporary directory.
 *
 * @example
 * ```ts
 * kernelsDir(); // "/tmp/lenses-kernels-1000"
 * ```
 */
export function kernelsDir(): string {
  return join(tmpdir(), `lenses-kernels-${Deno.uid() ?? "user"}`);
}

/**
 * Writes `info` as a connection file in a new private temporary directory and returns its
 * path; the caller removes the directory when the kernel is gone. The directory is named like
 * an atomic write's temporary (`….tmp-<pid>-0`), and the first call of a process removes the
 * directories that killed runs left behind.
 *
 * @example
 * ```ts
 * const path = await writeConnectionFile(newConnectionInfo());
 * ```
 */
export async function writeConnectionFile(
  info: ConnectionInfo,
): Promise<string> {
  const base = kernelsDir();
  await Deno.mkdir(base, { recursive: true, mode: 0o700 });
  if (!swept) {
    swept = true;
    await removeStaleTemps(base);
  }
  const dir = await Deno.makeTempDir({
    dir: base,
    prefix: "kernel-",
    suffix: `.tmp-${Deno.pid}-0`,
  });
  const path = join(dir, "connection.json");
  await writeFileAtomic(path, JSON.stringify(info, null, 2));
  await Deno.chmod(path, 0o600).catch(() => {});
  return path;
}
