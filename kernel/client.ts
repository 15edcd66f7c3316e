/**
 * A Jupyter kernel client over ZeroMQ: the shell, control and stdin channels (DEALER), iopub
 * (SUB) and heartbeat (REQ). It sends signed requests, matches replies to them and queues
 * iopub messages; it knows nothing about notebooks.
 *
 * @module
 */

import * as zmq from "zeromq";
import { channelAddress, type ConnectionInfo } from "./connection.ts";
import {
  decodeMessage,
  encodeMessage,
  makeHeader,
  type Message,
  Signer,
} from "./wire.ts";

/** Channels that carry requests and replies. */
export type RequestChannel = "shell" | "control";

/** A FIFO of messages with a timed wait, fed by a socket's receive loop. */
class MessageQueue {
  private items: Message[] = [];
  private waiters: ((m: Message | null) => void)[] = [];
  private closed = false;

  push(message: Message): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(message);
    else this.items.push(message);
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  /** Next message, or null after `timeoutMs` or once closed. */
  next(timeoutMs: number): Promise<Message | null> {
    const item = this.items.shift();
    if (item) return Promise.resolve(item);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = (m: Message | null) => {
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

/**
 * Client side of one kernel connection.
 *
 * @example
 * ```ts
 * const client = await KernelClient.connect(info);
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
  private readonly iopubQueue = new MessageQueue();
  private closed = false;

  private constructor(
    private readonly signer: Signer,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly stdin: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
    private readonly info: ConnectionInfo,
  ) {
    this.pump(shell, (m) => this.resolveReply(m));
    this.pump(control, (m) => this.resolveReply(m));
    this.pump(iopub, (m) => this.iopubQueue.push(m));
    // Requests for input are answered with an empty string: headless runs have no user, and
    // execute requests say allow_stdin=false, so this only guards against a stuck kernel.
    this.pump(stdin, (m) => {
      if (m.header.msg_type === "input_request") {
        void this.sendOn(stdin, "input_reply", { value: "" }, m.header);
      }
    });
  }

  /** Connects every channel to the kernel described by `info` (loopback). */
  static async connect(info: ConnectionInfo): Promise<KernelClient> {
    const signer = await Signer.create(info.key);
    const identity = `lenses-${crypto.randomUUID()}`;
    const dealer = () => {
      const s = new zmq.Dealer({ linger: 0, routingId: identity });
      return s;
    };
    const shell = dealer();
    const control = dealer();
    const stdin = dealer();
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(channelAddress(info, "shell"));
    control.connect(channelAddress(info, "control"));
    stdin.connect(channelAddress(info, "stdin"));
    iopub.connect(channelAddress(info, "iopub"));
    iopub.subscribe();
    return new KernelClient(signer, shell, control, stdin, iopub, info);
  }

  /** Sends a request on `channel` and returns its msg_id. */
  async send(
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<string> {
    const socket = channel === "shell" ? this.shell : this.control;
    return await this.sendOn(socket, msgType, content, {});
  }

  /** The reply to request `msgId`, or null after `timeoutMs`. */
  reply(msgId: string, timeoutMs: number): Promise<Message | null> {
    const early = this.early.get(msgId);
    if (early) {
      this.early.delete(msgId);
      return Promise.resolve(early);
    }
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

  /** Next iopub message (any parent), or null after `timeoutMs`. */
  nextIopub(timeoutMs: number): Promise<Message | null> {
    return this.iopubQueue.next(timeoutMs);
  }

  /**
   * One heartbeat round trip on a fresh REQ socket (a REQ socket that missed a reply is stuck,
   * so each ping gets its own). True when the kernel echoed within `timeoutMs`.
   */
  async heartbeat(timeoutMs: number): Promise<boolean> {
    const hb = new zmq.Request({
      linger: 0,
      receiveTimeout: timeoutMs,
      sendTimeout: timeoutMs,
    });
    try {
      hb.connect(channelAddress(this.info, "hb"));
      await hb.send("ping");
      await hb.receive();
      return true;
    } catch {
      return false;
    } finally {
      hb.close();
    }
  }

  /** Closes every socket; pending waits resolve to null. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) {
      s.close();
    }
    this.iopubQueue.close();
  }

  private async sendOn(
    socket: zmq.Dealer,
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

  private async pump(
    socket: zmq.Dealer | zmq.Subscriber,
    handle: (m: Message) => void,
  ): Promise<void> {
    try {
      for await (const frames of socket) {
        try {
          handle(await decodeMessage(this.signer, frames));
        } catch (err) {
          this.rejected.push((err as Error).message);
        }
      }
    } catch (err) {
      // Closing a socket ends its receive loop with an error; anything else is recorded.
      if (!this.closed) this.rejected.push(`socket: ${(err as Error).message}`);
    }
  }
}
