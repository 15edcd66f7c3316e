import assert from "node:assert/strict";
import { join } from "node:path";
import { formatNotebook, typeCheckNotebook } from "../../kernel/check_notebooks.ts";

function notebook(...cells: [string, string][]) {
  return JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: cells.map(([cell_type, source]) => ({
        cell_type,
        metadata: {},
        source,
        ...(cell_type === "code" ? { outputs: [], execution_count: null } : {}),
      })),
    },
    null,
    1,
  ) + "\n";
}

async function withNotebook<T>(text: string, f: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "lenses-check-" });
  try {
    const path = join(dir, "nb.ipynb");
    await Deno.writeTextFile(path, text);
    return await f(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("typeCheckNotebook: cells check as one module, errors name the cell and line", async () => {
  const clean = notebook(
    ["markdown", "# A notebook"],
    ["code", "const n: number = 2;"],
    ["code", "const m = n * 3;\nconsole.log(await Promise.resolve(m));"],
  );
  assert.equal(await withNotebook(clean, typeCheckNotebook), undefined);
  const broken = notebook(
    ["code", "const n: number = 2;"],
    ["markdown", "text"],
    ["code", 'const ok = n + 1;\nconst s: number = "x";'],
  );
  const errors = await withNotebook(broken, typeCheckNotebook);
  assert.ok(errors, "a string assigned to a number must not type-check");
  assert.match(errors, /not assignable to type 'number'/);
  assert.match(errors, /nb\.ipynb cell 3, line 2:/);
});

Deno.test("formatNotebook: finds unformatted cells and fixes them in place", async () => {
  const messy = notebook(
    ["code", "const a = 1;"],
    ["code", "const b=[1,2 ,3]"],
    ["markdown", "# Title\n\n*  item"],
  );
  await withNotebook(messy, async (path) => {
    assert.deepEqual(await formatNotebook(path, false), [2, 3]);
    assert.equal(await Deno.readTextFile(path), messy, "a check must not write");
    assert.deepEqual(await formatNotebook(path, true), [2, 3]);
    assert.deepEqual(await formatNotebook(path, false), []);
    const fixed = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual(fixed.cells[1].source, ["const b = [1, 2, 3];"]);
  });
});
