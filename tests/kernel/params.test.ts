import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./helpers.ts";
import { makeNotebook, serializeNotebook } from "../../kernel/nbformat.ts";
import {
  checkParams,
  hasTag,
  injectParameters,
  notebookParameters,
  ParamError,
  parseParams,
} from "../../kernel/params.ts";

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

const withParameters = (source: string) =>
  makeNotebook([
    { cell_type: "code", source, metadata: { tags: ["parameters"] } },
    { cell_type: "code", source: "epochs" },
  ]);

Deno.test("parameters: a name the notebook does not declare is an error listing its parameters", () => {
  const nb = withParameters(
    'let epochs = 3;\nlet name = "mnist"; // a comment\nconst rate: number = 0.1',
  );
  assert.deepEqual(notebookParameters(nb)?.map((p) => [p.name, p.type]), [
    ["epochs", "number"],
    ["name", "string"],
    ["rate", "number"],
  ]);
  assert.throws(
    () => checkParams(nb, { epoch: 5 }),
    (e: Error) =>
      e instanceof ParamError &&
      /no parameter "epoch"; its parameters are: epochs = 3; name = "mnist"; rate = 0.1$/.test(
        e.message,
      ),
  );
});

Deno.test("parameters: a notebook without a parameters cell refuses --param", () => {
  const nb = makeNotebook([{ cell_type: "code", source: "let epochs = 3" }]);
  assert.throws(() => checkParams(nb, { epochs: 5 }), /no cell tagged "parameters"/);
  assert.deepEqual(checkParams(nb, {}), {}, "no parameters, nothing to check");
});

Deno.test("parameters: a value of another type than the default is refused; text for a string is a string", () => {
  const nb = withParameters(
    'let epochs = 3;\nlet name = "mnist";\nlet flag = false;\nlet size = atScale({ smoke: [1, 2], quick: [3, 4] }, run.scale);\nlet n = atScale({\n  smoke: 10_000,\n  quick: 2,\n}, s);\nlet f = compute();',
  );
  assert.throws(
    () => checkParams(nb, { epochs: "abc" }),
    /--param epochs="abc": the notebook's default is a number \(epochs = 3\), this is a string/,
  );
  assert.throws(() => checkParams(nb, { flag: 1 }), /default is a boolean/);
  assert.throws(() => checkParams(nb, { size: 3 }), /default is an array/);
  assert.throws(() => checkParams(nb, { n: "x" }), /default is a number/);
  assert.deepEqual(checkParams(nb, { name: 123, epochs: 5, size: [5, 6], f: "any" }), {
    name: "123",
    epochs: 5,
    size: [5, 6],
    f: "any",
  });
});

Deno.test("parameters: non-finite numbers and reserved words are refused", () => {
  assert.throws(() => parseParams(["lr=1e999"]), /1e999 is not a finite number/);
  assert.throws(() => parseParams(["xs=[1,-1e999]"]), /not a finite number/);
  assert.throws(() => parseParams(["class=3"]), /"class" is a reserved word/);
  assert.throws(() => parseParams(["undefined=3"]), /reserved word/);
});

Deno.test("parameters: notebook 05's parameters cell is read with its types", async () => {
  const { readNotebook } = await import("../../kernel/nbformat.ts");
  const nb = await readNotebook(
    new URL("../../notebooks/05-subitization.ipynb", import.meta.url).pathname,
  );
  const params = notebookParameters(nb);
  assert.ok(params !== null);
  const types = Object.fromEntries(params.map((p) => [p.name, p.type]));
  assert.equal(types.trainSteps, "number");
  assert.equal(types.sideFraction, "array");
});

Deno.test("runner and CLI: a typo in --param stops the run before any cell, exit status 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-params-" });
  try {
    const ran = join(dir, "ran");
    const path = join(dir, "p.ipynb");
    await Deno.writeTextFile(
      path,
      serializeNotebook(makeNotebook([
        { cell_type: "code", source: "let epochs = 3;", metadata: { tags: ["parameters"] } },
        { cell_type: "code", source: `Deno.writeTextFileSync(${JSON.stringify(ran)}, "")` },
      ])),
    );
    const cli = await runCli("run", path, "-o", join(dir, "out.ipynb"), "--param", "epoch=5");
    const stderr = cli.stderr.trim();
    assert.equal(cli.code, 2, stderr);
    assert.match(
      stderr,
      /^error: --param epoch: the notebook has no parameter "epoch"; its parameters are: epochs = 3;?$/,
    );
    await assert.rejects(Deno.stat(ran), Deno.errors.NotFound, "nothing ran");
    await assert.rejects(Deno.stat(join(dir, "out.ipynb")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
