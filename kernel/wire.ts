/**
 * The Jupyter messaging protocol's wire format: how one message becomes ZeroMQ frames
 * (identities, the `<IDS|MSG>` delimiter, an HMAC-SHA256 signature, four JSON dicts, buffers)
 * and back, with the signature checked before anything is trusted.
 *
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 *
 * @module
 */

import { concatBytes, toHex } from "../lib/io/bytes.ts";

/** Header of a Jupyter message. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A Jupyter message, decoded. `content` is typed per message by its readers. */
export interface Message {
  identities: Uint8Array[];
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Uint8Array[];
}

/**
 * The protocol version this client speaks.
 *
 * @example
 * ```ts
 * makeHeader("kernel_info_request", "s").version === PROTOCOL_VERSION; // true
 * ```
 */
export const PROTOCOL_VERSION = "5.3";

const DELIMITER = "<IDS|MSG>";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Signs and verifies messages with the connection file's key. An empty key disables signing,
 * as the spec allows; this client always writes a random key.
 *
 * @example
 * ```ts
 * const signer = await Signer.create("secret-key");
 * const sig = await signer.sign([new TextEncoder().encode("{}")]);
 * console.log(sig.length); // 64 hex digits
 * ```
 */
export class Signer {
  private constructor(private readonly key: CryptoKey | null) {}

  /** Imports `key` (the connection file's `key`) for HMAC-SHA256. */
  static async create(key: string): Promise<Signer> {
    if (key === "") return new Signer(null);
    const cryptoKey = await crypto.subtle.importKey(
      "raw",
      encoder.encode(key),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new Signer(cryptoKey);
  }

  /** Hex HMAC-SHA256 of the concatenated frames ("" when signing is disabled). */
  async sign(frames: Uint8Array[]): Promise<string> {
    if (this.key === null) return "";
    const mac = await crypto.subtle.sign("HMAC", this.key, concatBytes(frames));
    return toHex(new Uint8Array(mac));
  }

  /** Whether `signature` (hex) matches the frames; compared in constant time by Web Crypto. */
  async verify(signature: string, frames: Uint8Array[]): Promise<boolean> {
    if (this.key === null) return true;
    const bytes = fromHex(signature);
    if (bytes === null || bytes.length !== 32) return false;
    return await crypto.subtle.verify(
      "HMAC",
      this.key,
      bytes,
      concatBytes(frames),
    );
  }
}

/**
 * Builds a new message header with a fresh id and the current time.
 *
 * @example
 * ```ts
 * const header = makeHeader("execute_request", "session-1");
 * console.log(header.msg_type); // "execute_request"
 * ```
 */
export function makeHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: crypto.randomUUID(),
    session,
    username: "lenses",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/**
 * Serialises `message` into signed ZeroMQ frames.
 *
 * @example
 * ```ts
 * const signer = await Signer.create("k");
 * const frames = await encodeMessage(signer, {
 *   identities: [], header: makeHeader("kernel_info_request", "s"), parent_header: {},
 *   metadata: {}, content: {}, buffers: [],
 * });
 * ```
 */
export async function encodeMessage(
  signer: Signer,
  message: Message,
): Promise<Uint8Array[]> {
  const dicts = [
    message.header,
    message.parent_header,
    message.metadata,
    message.content,
  ].map((d) => encoder.encode(JSON.stringify(d)));
  const signature = await signer.sign(dicts);
  return [
    ...message.identities,
    encoder.encode(DELIMITER),
    encoder.encode(signature),
    ...dicts,
    ...message.buffers,
  ];
}

/**
 * A message that could not be decoded or whose signature did not match.
 *
 * @example
 * ```ts
 * await decodeMessage(signer, frames).catch((e) => e instanceof WireError);
 * ```
 */
export class WireError extends Error {
  override name = "WireError";
}

/**
 * Parses and verifies ZeroMQ frames into a message.
 *
 * @throws {WireError} when the delimiter is missing, frames are missing, the signature does
 * not match, or a dict is not JSON.
 * @example
 * ```ts
 * const signer = await Signer.create("k");
 * const frames = await encodeMessage(signer, {
 *   identities: [], header: makeHeader("status", "s"), parent_header: {},
 *   metadata: {}, content: { execution_state: "idle" }, buffers: [],
 * });
 * const msg = await decodeMessage(signer, frames);
 * console.log(msg.content.execution_state); // "idle"
 * ```
 */
export async function decodeMessage(
  signer: Signer,
  frames: Uint8Array[],
): Promise<Message> {
  const at = frames.findIndex((f) => decoder.decode(f) === DELIMITER);
  if (at < 0) throw new WireError("message has no <IDS|MSG> delimiter");
  if (frames.length < at + 6) {
    throw new WireError(
      `message has ${frames.length - at - 1} frames after the delimiter, expected at least 5`,
    );
  }
  const signature = decoder.decode(frames[at + 1]);
  const dicts = frames.slice(at + 2, at + 6);
  if (!(await signer.verify(signature, dicts))) {
    throw new WireError("message signature does not match the connection key");
  }
  const [header, parent_header, metadata, content] = dicts.map((d, i) => {
    try {
      return JSON.parse(decoder.decode(d));
    } catch {
      throw new WireError(`message frame ${i} is not valid JSON`);
    }
  });
  return {
    identities: frames.slice(0, at),
    header,
    parent_header,
    metadata,
    content,
    buffers: frames.slice(at + 6),
  };
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}
