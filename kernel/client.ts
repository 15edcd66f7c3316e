/**
 * A Jupyter kernel client: the shell, control and stdin channels (DEALER), iopub (SUB) and
 * heartbeat (DEALER talking to the kernel's REP). It sends signed requests, matches replies to
 * them and queues iopub messages; it knows nothing about notebooks.
 *
 * @module
 */

import type { ChannelName, ConnectionInfo } from "./connection.ts";
import { decodeMessage, encodeMessage, makeHeader, type Message, Signer } from "./wire.ts";
import { ZmtpSocket, type ZmtpSocketType } from "./zmtp.ts";

/** Channels that carry requests and replies. */
export type RequestChannel = "shell" | "control";

/** A FIFO with a timed wait, fed by a socket's receive loop. */
class Queue<T> {
  private items: T[] = [];
  private waiters: ((m: T | null) => void)[] = [];
  private closed = false;

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  /** Next item, or null after `timeoutMs` or once closed. */
  next(timeoutMs: number): Promise<T | null> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = (m: T | null) => {
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(null);
      }, Math.max(0, timeoutMs));
      this.waiters.push(waiter);
    });
  }
}

interface Sockets {
  shell: ZmtpSocket;
  control: ZmtpSocket;
  stdin: ZmtpSocket;
  iopub: ZmtpSocket;
  hb: ZmtpSocket;
}

/**
 * Client side of one kernel connection.
 *
 * @example
 * ```ts
 * const client = await KernelClient.connect(info, 10_000);
 * const id = await client.send("shell", "kernel_info_request", {});
 * const reply = await client.reply(id, 5000);
 * client.close();
 * ```
 */
export class KernelClient {
  /** Id of this client session, carried in every header. */
  readonly session = crypto.randomUUID();
  /** Messages that failed to decode (bad signature, malformed), for diagnostics. */
  readonly rejected: string[] = [];
  private readonly replies = new Map<string, (m: Message) => void>();
  private readonly early = new Map<string, Message>();
  private readonly iopubQueue = new Queue<Message>();
  private readonly hbQueue = new Queue<string>();
  private closed = false;

  private constructor(
    private readonly signer: Signer,
    private readonly sockets: Sockets,
  ) {
    this.pump(sockets.shell, (m) => this.resolveReply(m));
    this.pump(sockets.control, (m) => this.resolveReply(m));
    this.pump(sockets.iopub, (m) => this.iopubQueue.push(m));
    // Execute requests say allow_stdin=false, so input requests should never come; if one
    // does, an empty answer keeps a headless run from hanging.
    this.pump(sockets.stdin, (m) => {
      if (m.header.msg_type === "input_request") {
        void this.sendOn(sockets.stdin, "input_reply", { value: "" }, m.header);
      }
    });
    this.pumpHeartbeat();
  }

  /**
   * Connects every channel to the kernel described by `info`, retrying until `timeoutMs`
   * while the kernel is still binding its ports; `signal` stops the retries (the kernel died).
   */
  static async connect(
    info: ConnectionInfo,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<KernelClient> {
    const signer = await Signer.create(info.key);
    const identity = `lenses-${crypto.randomUUID()}`;
    const open = (channel: ChannelName, type: ZmtpSocketType) =>
      ZmtpSocket.connect(info.ip, info[`${channel}_port`], type, {
        identity: type === "DEALER" ? identity : undefined,
        timeoutMs,
        signal,
      });
    const settled = await Promise.allSettled([
      open("shell", "DEALER"),
      open("control", "DEALER"),
      open("stdin", "DEALER"),
      open("iopub", "SUB"),
      open("hb", "DEALER"),
    ]);
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) {
      for (const s of settled) if (s.status === "fulfilled") s.value.close();
      throw (failed as PromiseRejectedResult).reason;
    }
    const [shell, control, stdin, iopub, hb] = settled.map((s) =>
      (s as PromiseFulfilledResult<ZmtpSocket>).value
    );
    await iopub.subscribe();
    return new KernelClient(signer, { shell, control, stdin, iopub, hb });
  }

  /** Sends a request on `channel` and returns its msg_id. */
  async send(
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<string> {
    return await this.sendOn(this.sockets[channel], msgType, content, {});
  }

  /** The reply to request `msgId`, or null after `timeoutMs`. */
  reply(msgId: string, timeoutMs: number): Promise<Message | null> {
    const early = this.takeReply(msgId);
    if (early) return Promise.resolve(early);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.replies.delete(msgId);
        resolve(null);
      }, Math.max(0, timeoutMs));
      this.replies.set(msgId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  /** The reply to `msgId` if it has arrived (taken off the queue), else null; never waits. */
  takeReply(msgId: string): Message | null {
    const reply = this.early.get(msgId) ?? null;
    this.early.delete(msgId);
    return reply;
  }

  /** Next iopub message (any parent), or null after `timeoutMs`. */
  nextIopub(timeoutMs: number): Promise<Message | null> {
    return this.iopubQueue.next(timeoutMs);
  }

  /** One heartbeat round trip: true when the kernel echoed within `timeoutMs`. */
  async heartbeat(timeoutMs: number): Promise<boolean> {
    const payload = crypto.randomUUID();
    const deadline = Date.now() + timeoutMs;
    try {
      // REP expects the empty delimiter frame a REQ socket would add.
      await this.sockets.hb.send(["", payload]);
    } catch {
      return false;
    }
    for (;;) {
      const echo = await this.hbQueue.next(deadline - Date.now());
      if (echo === null) return false;
      if (echo === payload) return true; // earlier, late echoes are skipped
    }
  }

  /** Closes every socket; pending waits resolve to null. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of Object.values(this.sockets)) s.close();
    this.iopubQueue.close();
    this.hbQueue.close();
  }

  private async sendOn(
    socket: ZmtpSocket,
    msgType: string,
    content: Record<string, unknown>,
    parent: Message["parent_header"],
  ): Promise<string> {
    const header = makeHeader(msgType, this.session);
    const frames = await encodeMessage(this.signer, {
      identities: [],
      header,
      parent_header: parent,
      metadata: {},
      content,
      buffers: [],
    });
    await socket.send(frames);
    return header.msg_id;
  }

  private resolveReply(message: Message): void {
    const id = message.parent_header.msg_id;
    if (id === undefined) return;
    const waiter = this.replies.get(id);
    if (waiter) {
      this.replies.delete(id);
      waiter(message);
    } else {
      this.early.set(id, message);
    }
  }

  private async pumpHeartbeat(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const frames of this.sockets.hb.messages()) {
      this.hbQueue.push(decoder.decode(frames[frames.length - 1]));
    }
  }

  private async pump(
    socket: ZmtpSocket,
    handle: (m: Message) => void,
  ): Promise<void> {
    for await (const frames of socket.messages()) {
      try {
        handle(await decodeMessage(this.signer, frames));
      } catch (err) {
        this.rejected.push((err as Error).message);
      }
    }
  }
}
