import assert from "node:assert/strict";
import {
  appendStreamText,
  CellOutputs,
  DisplayRegistry,
  StreamText,
} from "../../kernel/outputs.ts";
import { makeHeader, type Message } from "../../kernel/wire.ts";

function msg(type: string, content: Record<string, unknown>): Message {
  return {
    identities: [],
    header: makeHeader(type, "s"),
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

Deno.test("carriage returns collapse progress updates to the last state", () => {
  assert.equal(appendStreamText("10%\r", "20%\r"), "20%\r");
  assert.equal(appendStreamText("10%\r20%\r", "done\n"), "done\n");
  assert.equal(appendStreamText("a\r\nb", "\n"), "a\nb\n");
  assert.equal(appendStreamText("x\n", "y\n"), "x\ny\n");
});

Deno.test("consecutive streams of the same name merge; different names do not", () => {
  const out = new CellOutputs(new DisplayRegistry());
  out.handle(msg("stream", { name: "stdout", text: "a\n" }));
  out.handle(msg("stream", { name: "stdout", text: "b\n" }));
  out.handle(msg("stream", { name: "stderr", text: "c\n" }));
  assert.deepEqual(out.list, [
    { output_type: "stream", name: "stdout", text: "a\nb\n" },
    { output_type: "stream", name: "stderr", text: "c\n" },
  ]);
});

Deno.test("update_display_data rewrites every output with that id, across cells", () => {
  const displays = new DisplayRegistry();
  const first = new CellOutputs(displays);
  const second = new CellOutputs(displays);
  const shown = {
    data: { "text/plain": "0" },
    metadata: {},
    transient: { display_id: "p" },
  };
  first.handle(msg("display_data", shown));
  second.handle(msg("display_data", shown));
  second.handle(
    msg("update_display_data", { ...shown, data: { "text/plain": "9" } }),
  );
  for (const o of [...first.list, ...second.list]) {
    assert.ok(o.output_type === "display_data");
    assert.deepEqual(o.data, { "text/plain": "9" });
  }
  assert.equal(displays.update("unknown", { data: {} }), false);
});

Deno.test("clear_output clears now, or at the next output with wait=true", () => {
  const out = new CellOutputs(new DisplayRegistry());
  out.handle(msg("stream", { name: "stdout", text: "old\n" }));
  out.handle(msg("clear_output", { wait: true }));
  assert.equal(out.list.length, 1);
  out.handle(
    msg("execute_result", {
      execution_count: 2,
      data: { "text/plain": "new" },
      metadata: {},
    }),
  );
  assert.deepEqual(out.list, [{
    output_type: "execute_result",
    execution_count: 2,
    data: { "text/plain": "new" },
    metadata: {},
  }]);
  out.handle(msg("clear_output", { wait: false }));
  assert.deepEqual(out.list, []);
});

Deno.test("errors keep name, value and traceback", () => {
  const out = new CellOutputs(new DisplayRegistry());
  out.handle(
    msg("error", {
      ename: "TypeError",
      evalue: "x",
      traceback: ["TypeError: x", "  at y"],
    }),
  );
  assert.deepEqual(out.list, [{
    output_type: "error",
    ename: "TypeError",
    evalue: "x",
    traceback: ["TypeError: x", "  at y"],
  }]);
  assert.equal(out.handle(msg("status", { execution_state: "idle" })), false);
});

Deno.test("bounded stream text: same as appending whole below the limit; above, the tail and a note", () => {
  const chunks = ["10%\r", "20%\r", "\n", "a\r", "\nb", "\n", "c\r\n"];
  const small = new StreamText("stdout", 1000);
  for (const c of chunks) small.append(c);
  assert.equal(small.toString(), chunks.reduce(appendStreamText, ""));

  const big = new StreamText("stderr", 12);
  for (let i = 0; i < 10; i++) big.append(`line ${i}\n`);
  assert.equal(
    big.toString(),
    "[lenses: the first 9 lines (63 B) of stderr were dropped to keep the notebook small; " +
      "the last 7 B follow. Write long logs to a file instead.]\nline 9\n",
  );
  const long = new StreamText("stdout", 4);
  long.append("abcdefgh");
  assert.match(long.toString(), /the first 4 B of one long line of stdout .*\nefgh$/);
});
