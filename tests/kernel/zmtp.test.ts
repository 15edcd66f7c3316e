import assert from "node:assert/strict";
import { encodeFrame, ZmtpSocket } from "../../kernel/zmtp.ts";

const enc = new TextEncoder();

/** Reads exactly n bytes from a connection. */
async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const k = await conn.read(out.subarray(got));
    if (k === null) throw new Error("closed");
    got += k;
  }
  return out;
}

/** A peer that does the ZMTP 3.0 NULL handshake, then echoes every byte back. */
async function echoPeer(
  listener: Deno.Listener,
): Promise<{ socketType: string }> {
  const conn = await listener.accept();
  const greeting = await readExactly(conn, 64);
  assert.equal(greeting[0], 0xff);
  assert.equal(greeting[9], 0x7f);
  const mine = new Uint8Array(64);
  mine.set(greeting.subarray(0, 12));
  mine.set(enc.encode("NULL"), 12);
  await conn.write(mine);
  const [flags, size] = await readExactly(conn, 2);
  assert.equal(flags & 0x04, 0x04, "READY is a command frame");
  const ready = new TextDecoder().decode(await readExactly(conn, size));
  const socketType = /Socket-Type\0\0\0.(\w+)/s.exec(ready)?.[1] ?? "";
  const body = enc.encode("\x05READY\x0bSocket-Type\0\0\0\x06ROUTER");
  await conn.write(encodeFrame(body, false, true));
  await conn.readable.pipeTo(conn.writable);
  return { socketType };
}

Deno.test("ZMTP: handshake, then multi-frame messages (one of 1 MB) round-trip intact", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const peer = echoPeer(listener);
  const port = (listener.addr as Deno.NetAddr).port;
  const socket = await ZmtpSocket.connect("127.0.0.1", port, "DEALER", {
    identity: "me",
    timeoutMs: 2000,
  });
  const big = new Uint8Array(1 << 20).map((_, i) => i % 251);
  await socket.send(["", big, "tail"]);
  await socket.send(["second"]);
  const messages = socket.messages();
  const first = (await messages.next()).value as Uint8Array[];
  assert.equal(first.length, 3);
  assert.equal(first[0].length, 0);
  assert.deepEqual(first[1], big);
  assert.equal(new TextDecoder().decode(first[2]), "tail");
  const second = (await messages.next()).value as Uint8Array[];
  assert.equal(new TextDecoder().decode(second[0]), "second");
  socket.close();
  assert.equal((await messages.next()).done, true, "messages end on close");
  const { socketType } = await peer;
  assert.equal(socketType, "DEALER");
  listener.close();
});

Deno.test("ZMTP: connecting to a closed port fails after the timeout with the address", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assert.rejects(
    ZmtpSocket.connect("127.0.0.1", port, "SUB", { timeoutMs: 200 }),
    new RegExp(`could not connect to 127\\.0\\.0\\.1:${port}`),
  );
});

Deno.test("ZMTP frames: short and long lengths, MORE and COMMAND flags", () => {
  const short = encodeFrame(enc.encode("abc"), true);
  assert.deepEqual([...short], [0x01, 3, 97, 98, 99]);
  const long = encodeFrame(new Uint8Array(300), false, true);
  assert.equal(long[0], 0x02 | 0x04);
  assert.equal(new DataView(long.buffer).getBigUint64(1), 300n);
  assert.equal(long.length, 9 + 300);
});
