/**
 * A minimal ZeroMQ (ZMTP 3.0, NULL security) client socket over Deno's TCP: DEALER, SUB and
 * REQ-compatible connects to the kernel's ROUTER, PUB and REP sockets on loopback.
 *
 * Why not npm:zeromq: its native addon segfaults inside Deno when the peer process exits on
 * its own (e.g. a notebook cell calls `Deno.exit`), which takes the runner down with the
 * kernel. A kernel connection needs only the connecting side of three socket types, which is
 * a small, fully specified protocol: https://rfc.zeromq.org/spec/23/
 *
 * @module
 */

import { concatBytes } from "../lib/io/bytes.ts";

/** Socket types this client can speak. */
export type ZmtpSocketType = "DEALER" | "SUB";

const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The 64-byte ZMTP 3.0 greeting for the NULL mechanism, client side. */
function greeting(): Uint8Array {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3; // version major
  g[11] = 0; // version minor: 3.0, so subscriptions travel as messages, which every peer accepts
  g.set(encoder.encode("NULL"), 12);
  return g;
}

/**
 * Encodes one ZMTP frame with its flags and length.
 *
 * @example
 * ```ts
 * encodeFrame(new TextEncoder().encode("hi"), false); // Uint8Array [0, 2, 104, 105]
 * ```
 */
export function encodeFrame(
  body: Uint8Array,
  more: boolean,
  command = false,
): Uint8Array {
  const long = body.length > 255;
  const head = long ? 9 : 2;
  const out = new Uint8Array(head + body.length);
  out[0] = (more ? FLAG_MORE : 0) | (long ? FLAG_LONG : 0) |
    (command ? FLAG_COMMAND : 0);
  if (long) {
    new DataView(out.buffer).setBigUint64(1, BigInt(body.length));
  } else {
    out[1] = body.length;
  }
  out.set(body, head);
  return out;
}

/** The READY command announcing our socket type (and identity for DEALER). */
function readyCommand(type: ZmtpSocketType, identity?: string): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([5]), encoder.encode("READY")];
  const property = (name: string, value: Uint8Array) => {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, value.length);
    parts.push(new Uint8Array([name.length]), encoder.encode(name), len, value);
  };
  property("Socket-Type", encoder.encode(type));
  if (identity !== undefined) property("Identity", encoder.encode(identity));
  return encodeFrame(concatBytes(parts), false, true);
}

/**
 * Reads exact byte counts from a stream of chunks. Chunks are kept in a list and joined once
 * per read, so a multi-megabyte frame (an image output) is not re-copied for every chunk.
 */
class ByteReader {
  private chunks: Uint8Array[] = [];
  private available = 0;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** Exactly `n` bytes, or null when the stream ended first. */
  async read(n: number): Promise<Uint8Array | null> {
    while (this.available < n) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.reader.read();
      } catch {
        return null; // reset by the peer or cancelled by close()
      }
      if (chunk.done) return null;
      this.chunks.push(chunk.value);
      this.available += chunk.value.length;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.available -= n;
    return out;
  }

  cancel(): void {
    this.reader.cancel().catch(() => {});
  }
}

/**
 * A ZMTP protocol violation or a closed connection during the handshake.
 *
 * @example
 * ```ts
 * await ZmtpSocket.connect("127.0.0.1", 1, "DEALER", { timeoutMs: 0 }).catch((e) => e instanceof ZmtpError);
 * ```
 */
export class ZmtpError extends Error {
  override name = "ZmtpError";
}

/**
 * One connected ZMTP socket. Messages are arrays of frames.
 *
 * @example
 * ```ts
 * const sub = await ZmtpSocket.connect("127.0.0.1", 5555, "SUB", { timeoutMs: 5000 });
 * await sub.subscribe();
 * for await (const frames of sub.messages()) console.log(frames.length);
 * ```
 */
export class ZmtpSocket {
  private closed = false;
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly conn: Deno.TcpConn,
    private readonly reader: ByteReader,
  ) {}

  /**
   * Connects and handshakes, retrying the TCP connect until `timeoutMs` (a kernel binds its
   * ports a moment after it starts) or until `signal` aborts.
   */
  static async connect(
    hostname: string,
    port: number,
    type: ZmtpSocketType,
    options: { identity?: string; timeoutMs: number; signal?: AbortSignal },
  ): Promise<ZmtpSocket> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect({ hostname, port });
      } catch (err) {
        if (Date.now() > deadline) {
          throw new ZmtpError(
            `could not connect to ${hostname}:${port}: ${(err as Error).message}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      conn.setNoDelay(true);
      const socket = new ZmtpSocket(conn, new ByteReader(conn.readable));
      try {
        await socket.handshake(type, options.identity);
        return socket;
      } catch (err) {
        socket.close();
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Sends one multi-frame message. Sends are serialised so frames never interleave. */
  send(frames: (Uint8Array | string)[]): Promise<void> {
    const bytes = concatBytes(frames.map((f, i) =>
      encodeFrame(
        typeof f === "string" ? encoder.encode(f) : f,
        i < frames.length - 1,
      )
    ));
    this.sending = this.sending.then(() => this.writeAll(bytes));
    return this.sending;
  }

  /** Subscribes a SUB socket to `topic` ("" = everything), ZMTP 3.0 style. */
  subscribe(topic = ""): Promise<void> {
    return this.send([
      concatBytes([new Uint8Array([1]), encoder.encode(topic)]),
    ]);
  }

  /** Incoming messages until the connection closes. Commands (e.g. PING) are skipped. */
  async *messages(): AsyncGenerator<Uint8Array[]> {
    let frames: Uint8Array[] = [];
    for (;;) {
      const frame = await this.readFrame();
      if (frame === null) return;
      if (frame.command) continue;
      frames.push(frame.body);
      if (!frame.more) {
        yield frames;
        frames = [];
      }
    }
  }

  /** Closes the connection; `messages()` ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.cancel();
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer.
    }
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await this.conn.write(bytes.subarray(written));
    }
  }

  private async handshake(
    type: ZmtpSocketType,
    identity: string | undefined,
  ): Promise<void> {
    await this.writeAll(greeting());
    const peer = await this.reader.read(64);
    if (peer === null) {
      throw new ZmtpError("connection closed during the ZMTP greeting");
    }
    if (peer[0] !== 0xff || peer[9] !== 0x7f || peer[10] < 3) {
      throw new ZmtpError("peer is not a ZMTP 3 socket");
    }
    const mechanism = decoder.decode(peer.subarray(12, 32)).replace(/\0+$/, "");
    if (mechanism !== "NULL") {
      throw new ZmtpError(`peer wants security mechanism ${mechanism}`);
    }
    await this.writeAll(readyCommand(type, identity));
    const ready = await this.readFrame();
    if (ready === null || !ready.command) {
      throw new ZmtpError("peer did not send READY");
    }
    const name = decoder.decode(ready.body.subarray(1, 1 + ready.body[0]));
    if (name !== "READY") {
      throw new ZmtpError(`peer answered ${name} instead of READY`);
    }
  }

  private async readFrame(): Promise<
    { body: Uint8Array; more: boolean; command: boolean } | null
  > {
    const flags = await this.reader.read(1);
    if (flags === null) return null;
    const long = (flags[0] & FLAG_LONG) !== 0;
    const size = await this.reader.read(long ? 8 : 1);
    if (size === null) return null;
    const length = long
      ? Number(new DataView(size.buffer, size.byteOffset).getBigUint64(0))
      : size[0];
    const body = await this.reader.read(length);
    if (body === null) return null;
    return {
      body,
      more: (flags[0] & FLAG_MORE) !== 0,
      command: (flags[0] & FLAG_COMMAND) !== 0,
    };
  }
}
