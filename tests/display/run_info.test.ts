import assert from "node:assert/strict";
import { RUN_METADATA_KEY, runInfoOutput, showRunInfo } from "../../lib/display/mod.ts";
import { withFakeKernel } from "./helpers.ts";

const info = {
  backend: "wasm",
  threads: 1,
  simd: true,
  scale: "quick",
  gpu: undefined,
};

Deno.test("runInfoOutput stores the run under lenses.run without undefined entries", () => {
  const out = runInfoOutput(info);
  assert.deepEqual(out.metadata, {
    [RUN_METADATA_KEY]: {
      backend: "wasm",
      threads: 1,
      simd: true,
      scale: "quick",
    },
  });
  assert.equal(
    out.data["text/plain"],
    "Run\n  backend  wasm\n  threads  1\n  simd     true\n  scale    quick\n  gpu      —",
  );
  assert.match(
    out.data["text/html"] as string,
    /backend<\/span> <code>wasm<\/code>/,
  );
});

Deno.test("runInfoOutput escapes values and rejects nested objects", () => {
  const html = runInfoOutput({ device: "<GPU & co>" })
    .data["text/html"] as string;
  assert.match(html, /&lt;GPU &amp; co&gt;/);
  assert.throws(
    () => runInfoOutput({ device: { name: "x" } as unknown as string }),
    /"device" is a object; give strings, numbers or booleans/,
  );
  assert.throws(
    () => runInfoOutput([] as unknown as Record<string, string>),
    /flat object/,
  );
});

Deno.test("showRunInfo broadcasts the header with its metadata", async () => {
  const sent = await withFakeKernel(async (sent) => {
    await showRunInfo(info);
    return sent;
  });
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].content.metadata, runInfoOutput(info).metadata);
});
