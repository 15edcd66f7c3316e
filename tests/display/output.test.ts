import assert from "node:assert/strict";
import { display, jupyterApi, newDisplayId } from "../../lib/display/mod.ts";
import { captureLog, withFakeKernel } from "./helpers.ts";

const bundle = { "text/plain": "hello", "text/html": "<b>hello</b>" };

Deno.test("jupyterApi is undefined outside the kernel and found inside it", async () => {
  assert.equal(jupyterApi(), undefined);
  await withFakeKernel(() => assert.equal(typeof jupyterApi()?.broadcast, "function"));
});

Deno.test("display outside a kernel prints text/plain and returns the output", async () => {
  let out;
  const printed = await captureLog(async () => {
    out = await display(bundle, { metadata: { a: 1 } });
  });
  assert.deepEqual(printed, ["hello"]);
  assert.deepEqual(out, { data: bundle, metadata: { a: 1 } });
});

Deno.test("display in a kernel broadcasts display_data, then update_display_data by id", async () => {
  const sent = await withFakeKernel(async (sent) => {
    await display(bundle, { displayId: "d1", metadata: { m: true } });
    await display({ "text/plain": "bye" }, { displayId: "d1", update: true });
    await display({ "text/plain": "plain" });
    return sent;
  });
  assert.deepEqual(sent, [
    {
      type: "display_data",
      content: {
        data: bundle,
        metadata: { m: true },
        transient: { display_id: "d1" },
      },
    },
    {
      type: "update_display_data",
      content: {
        data: { "text/plain": "bye" },
        metadata: {},
        transient: { display_id: "d1" },
      },
    },
    {
      type: "display_data",
      content: { data: { "text/plain": "plain" }, metadata: {}, transient: {} },
    },
  ]);
});

Deno.test("a displayed output does not show again as a cell's result", async () => {
  let shown: object = {};
  await captureLog(async () => {
    shown = await display(bundle);
  });
  const hook = (shown as Record<symbol, () => unknown>)[Symbol.for("Jupyter.display")];
  assert.deepEqual(hook(), {});
  assert.ok(!Object.keys(shown).some((k) => k.includes("Jupyter")));
});

Deno.test("display rejects a bundle without text/plain and an update without id", async () => {
  await assert.rejects(
    display({ "text/html": "<b>x</b>" }),
    /no text\/plain entry/,
  );
  await assert.rejects(
    display(bundle, { update: true }),
    /update needs the displayId/,
  );
});

Deno.test("newDisplayId gives distinct ids", () => {
  const a = newDisplayId("x");
  const b = newDisplayId("x");
  assert.notEqual(a, b);
  assert.match(a, /^lenses-x-[0-9a-f]{8}-\d+$/);
});
