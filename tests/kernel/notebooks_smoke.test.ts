/**
 * Every notebook in notebooks/ executes end to end at LENSES_SCALE=smoke through the runner,
 * and the executed notebook validates against nbformat 4.5.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { notebooksDir } from "../../kernel/paths.ts";
import { listNotebooks } from "../../kernel/report.ts";
import { runNotebookFile } from "../../kernel/runner.ts";

const notebooks = await listNotebooks(notebooksDir());

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
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
