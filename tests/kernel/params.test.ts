import assert from "node:assert/strict";
import { makeNotebook } from "../../kernel/nbformat.ts";
import { hasTag, injectParameters, parseParams } from "../../kernel/params.ts";

Deno.test("parameters parse as JSON when they are JSON, else as strings", () => {
  assert.deepEqual(
    parseParams([
      "n=3",
      "rate=0.5",
      "flag=true",
      "name=mnist",
      'q="7"',
      "xs=[1,2]",
    ]),
    {
      n: 3,
      rate: 0.5,
      flag: true,
      name: "mnist",
      q: "7",
      xs: [1, 2],
    },
  );
  assert.deepEqual(parseParams(["expr=a=b"]), { expr: "a=b" });
});

Deno.test("bad parameters are refused with the expected form", () => {
  assert.throws(() => parseParams(["novalue"]), /expected key=value/);
  assert.throws(() => parseParams(["=3"]), /expected key=value/);
  assert.throws(
    () => parseParams(["2x=3"]),
    /not a valid TypeScript identifier/,
  );
});

Deno.test("the injected cell goes right after the parameters cell and replaces an old one", () => {
  const nb = makeNotebook([
    { cell_type: "markdown", source: "# T" },
    {
      cell_type: "code",
      source: "let n = 1;",
      metadata: { tags: ["parameters"] },
    },
    { cell_type: "code", source: "n" },
  ]);
  const once = injectParameters(nb, { n: 5, name: 'a"b' });
  assert.equal(once.cells.length, 4);
  assert.ok(hasTag(once.cells[2], "injected-parameters"));
  assert.match(String(once.cells[2].source), /let n = 5;\nlet name = "a\\"b";/);
  const twice = injectParameters(once, { n: 6 });
  assert.equal(twice.cells.length, 4);
  assert.match(String(twice.cells[2].source), /let n = 6;/);
  assert.equal(nb.cells.length, 3, "the input is not modified");
});

Deno.test("without a parameters cell the injected cell goes first; no params, no change", () => {
  const nb = makeNotebook([{ cell_type: "code", source: "1" }]);
  assert.ok(
    hasTag(injectParameters(nb, { a: 1 }).cells[0], "injected-parameters"),
  );
  assert.equal(injectParameters(nb, {}), nb);
});
