import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../kernel/cli.ts";
import { readNotebook } from "../../kernel/nbformat.ts";
import { code, writeNotebook } from "./helpers.ts";

const dir = await Deno.makeTempDir({ prefix: "lenses-cli-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("CLI: bad or conflicting flags exit with status 2 before anything runs", async () => {
  const path = await writeNotebook(dir, "flags", [
    code(`Deno.writeTextFileSync(${JSON.stringify(join(dir, "ran"))}, "")`),
  ]);
  const other = await writeNotebook(dir, "other", [code("1")]);
  const cases = [
    ["run"],
    ["run", path, other, "-o", join(dir, "x.ipynb")],
    ["run", path, "-o", join(dir, "x.ipynb"), "--inplace"],
    ["run", path, "--timeout", "-1"],
    ["run", path, "--timeout", "soon"],
    ["run", path, "--scale", "huge"],
    ["run", path, "--param", "novalue"],
    ["run", path, "--param", "lr=1e999"],
    ["run", path, "--bogus"],
    ["run", path, "--timeout"],
    ["export"],
    ["export", path, other, "-o", join(dir, "x.html")],
    ["export", path, "-o", dir], // a directory
    ["run", path, "-o", dir],
    ["report", "--out", path, path], // a file where the reports folder should be
    ["report", "--scale", "huge"],
    ["report", "--timeout", "0"],
    ["frobnicate"],
    [],
  ];
  for (const args of cases) {
    assert.equal(await main(args), 2, args.join(" "));
  }
  await assert.rejects(Deno.stat(join(dir, "ran")), Deno.errors.NotFound, "no cell ran");
  await assert.rejects(Deno.stat(join(dir, "x.ipynb")), Deno.errors.NotFound);
});

Deno.test("CLI: --inplace rewrites the source notebook with its outputs, and writes nothing else", async () => {
  const sub = await Deno.makeTempDir({ dir, prefix: "inplace-" });
  const path = await writeNotebook(sub, "inplace", [code("6 * 7")]);
  assert.equal(await main(["run", path, "--inplace", "--quiet"]), 0);
  const nb = await readNotebook(path);
  const cell = nb.cells[0];
  assert.ok(cell.cell_type === "code");
  assert.deepEqual(cell.outputs.map((o) => o.output_type), ["execute_result"]);
  assert.equal((nb.metadata.lenses as { runner: { status: string } }).runner.status, "ok");
  const files = (await Array.fromAsync(Deno.readDir(sub))).map((e) => e.name);
  assert.deepEqual(files, ["inplace.ipynb"], "no temp file, no other output");
});
