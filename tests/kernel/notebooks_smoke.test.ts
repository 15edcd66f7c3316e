/**
 * Every notebook in notebooks/ executes end to end at LENSES_SCALE=smoke through the runner:
 * the executed notebook validates against nbformat 4.5, shows its run header at smoke scale,
 * and every claim in its table is "not run" (smoke sizes prove the code runs, not a claim).
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { notebooksDir } from "../../kernel/paths.ts";
import { listNotebooks } from "../../kernel/report.ts";
import { runNotebookFile } from "../../kernel/runner.ts";
import { claimsOf, runInfoOf } from "../../kernel/run_info.ts";

/** The notebooks lenses ships; add a name here with its notebook. */
const EXPECTED = ["01-non-robust-features.ipynb", "05-subitization.ipynb"];

const notebooks = await listNotebooks(notebooksDir());

Deno.test("notebooks/ holds every notebook lenses ships", () => {
  const found = notebooks.map((p) => basename(p));
  const missing = EXPECTED.filter((name) => !found.includes(name));
  assert.deepEqual(missing, [], `missing from ${notebooksDir()}: ${missing.join(", ")}`);
});

Deno.test(`notebooks/ holds ${notebooks.length} notebook(s), each a readable .ipynb`, async () => {
  for (const path of notebooks) {
    const nb = JSON.parse(await Deno.readTextFile(path));
    assert.equal(nb.nbformat, 4, path);
    assert.equal(
      nb.metadata?.kernelspec?.name,
      "lenses",
      `${path} names the lenses kernelspec`,
    );
  }
});

for (const path of notebooks) {
  Deno.test(`smoke: ${path} runs at LENSES_SCALE=smoke`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "lenses-smoke-" });
    try {
      const summary = await runNotebookFile(path, {
        output: join(dir, "out.ipynb"),
        // A fresh model cache: the run must train, and leaves the user's cache alone.
        env: { LENSES_SCALE: "smoke", LENSES_CACHE: join(dir, "cache") },
        timeoutS: 600,
      });
      assert.equal(
        summary.status,
        "ok",
        `${path}: ${summary.error?.ename}: ${summary.error?.evalue} (cell ${
          summary.error?.cellIndex === null ? "-" : (summary.error?.cellIndex ?? -1) + 1
        })`,
      );
      assert.deepEqual(summary.schemaProblems, []);
      const nb = summary.notebook!;
      const info = runInfoOf(nb);
      assert.ok(info !== null, `${path} shows its run header (startNotebook)`);
      assert.equal(info.scale, "smoke");
      const claims = claimsOf(nb);
      assert.ok(claims.length > 0, `${path} shows its claims table`);
      const judged = claims.filter((c) => c.verdict !== "not run");
      assert.deepEqual(
        judged.map((c) => `${c.id}: ${c.verdict}`),
        [],
        "at smoke scale every claim is not run",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
