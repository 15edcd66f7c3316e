import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  decodeMessage,
  encodeMessage,
  makeHeader,
  type Message,
  Signer,
  WireError,
} from "../../kernel/wire.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function message(
  content: Record<string, unknown> = { code: "1 + 1" },
): Message {
  return {
    identities: [enc.encode("client-1")],
    header: makeHeader("execute_request", "session-a"),
    parent_header: {},
    metadata: { tag: "x" },
    content,
    buffers: [new Uint8Array([1, 2, 3])],
  };
}

Deno.test("signature is HMAC-SHA256 over the four dicts, as a reference computes it", async () => {
  const signer = await Signer.create("secret");
  const frames = await encodeMessage(signer, message());
  const delimiter = frames.findIndex((f) => dec.decode(f) === "<IDS|MSG>");
  assert.equal(delimiter, 1);
  const hmac = createHmac("sha256", "secret");
  for (const f of frames.slice(delimiter + 2, delimiter + 6)) hmac.update(f);
  assert.equal(dec.decode(frames[delimiter + 1]), hmac.digest("hex"));
});

Deno.test("encode then decode round-trips identities, dicts and buffers", async () => {
  const signer = await Signer.create("k");
  const original = message({ code: "ünïcode ✓", n: 3 });
  const decoded = await decodeMessage(
    signer,
    await encodeMessage(signer, original),
  );
  assert.deepEqual(decoded.identities.map((i) => dec.decode(i)), ["client-1"]);
  assert.deepEqual(decoded.header, original.header);
  assert.deepEqual(decoded.content, { code: "ünïcode ✓", n: 3 });
  assert.deepEqual(decoded.metadata, { tag: "x" });
  assert.deepEqual([...decoded.buffers[0]], [1, 2, 3]);
});

Deno.test("a message signed with another key is rejected", async () => {
  const frames = await encodeMessage(await Signer.create("other"), message());
  await assert.rejects(
    decodeMessage(await Signer.create("k"), frames),
    (e: unknown) => e instanceof WireError && /signature does not match/.test(e.message),
  );
});

Deno.test("a tampered content frame is rejected", async () => {
  const signer = await Signer.create("k");
  const frames = await encodeMessage(signer, message());
  frames[frames.length - 2] = enc.encode('{"code":"evil()"}');
  await assert.rejects(decodeMessage(signer, frames), WireError);
});

Deno.test("malformed signatures and framing are rejected with the reason", async () => {
  const signer = await Signer.create("k");
  const frames = await encodeMessage(signer, message());
  const notHex = [...frames];
  notHex[2] = enc.encode("zz");
  await assert.rejects(
    decodeMessage(signer, notHex),
    /signature does not match/,
  );
  await assert.rejects(
    decodeMessage(signer, frames.filter((f) => dec.decode(f) !== "<IDS|MSG>")),
    /no <IDS\|MSG> delimiter/,
  );
  await assert.rejects(
    decodeMessage(signer, frames.slice(0, 4)),
    /expected at least 5/,
  );
});

Deno.test("an empty key disables signing, as the spec allows", async () => {
  const signer = await Signer.create("");
  const frames = await encodeMessage(signer, message());
  assert.equal(dec.decode(frames[2]), "");
  const decoded = await decodeMessage(signer, frames);
  assert.equal(decoded.header.msg_type, "execute_request");
});

Deno.test("non-JSON dict frames are rejected", async () => {
  const signer = await Signer.create("");
  const frames = await encodeMessage(signer, message());
  frames[3] = enc.encode("{not json");
  await assert.rejects(
    decodeMessage(signer, frames),
    /frame 0 is not valid JSON/,
  );
});
