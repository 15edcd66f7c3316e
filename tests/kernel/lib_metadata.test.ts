/**
 * The contract between lib/display and the reports: a notebook that calls lenses' own
 * `startNotebook` and `Claims.show` in a real kernel yields executed outputs from which the
 * report reads the run description and the claims back.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readNotebook } from "../../kernel/nbformat.ts";
import { repoPath } from "../../lib/io/paths.ts";
import { runNotebookFile } from "../../kernel/runner.ts";
import { claimsOf, runInfoOf } from "../../kernel/run_info.ts";
import { code, writeNotebook } from "./helpers.ts";

Deno.test("claims and run header shown by lib round trip through an executed notebook", async () => {
  // Inside the repository, so the kernel finds deno.json (the import map lib needs).
  await Deno.mkdir(repoPath(".lenses"), { recursive: true });
  const dir = await Deno.makeTempDir({
    dir: repoPath(".lenses"),
    prefix: "nb-test-",
  });
  try {
    const path = await writeNotebook(dir, "claims", [
      code(
        `import { atLeast, Claims, proportion, startNotebook } from "${
          repoPath("lib", "mod.ts")
        }";\n` +
          `const run = await startNotebook({ id: "round-trip", seed: 7 });`,
      ),
      code(
        `const claims = new Claims("round-trip");\n` +
          `claims.check({ id: "a", claim: "two is even", paper: "yes", measured: 2, holds: true });\n` +
          `claims.check({ id: "b", claim: "three is even", paper: "no", measured: 3, holds: false });\n` +
          `claims.check({ id: "c", claim: "needs a GPU", paper: "94%", measured: undefined, holds: undefined });\n` +
          `claims.check({ id: "d", claim: "a third", paper: "34%", criterion: atLeast(0.3), estimate: proportion(34, 100), format: "percent" });\n` +
          `await claims.show();`,
      ),
    ]);
    const output = join(dir, "out.ipynb");
    const summary = await runNotebookFile(path, {
      output,
      // Empty = unset: the seed and scale under test, whatever the shell exports.
      env: { LENSES_SCALE: "quick", LENSES_BACKEND: "cpu", LENSES_SEED: "" },
      timeoutS: 120,
    });
    assert.equal(summary.status, "ok", summary.error?.evalue);
    const nb = await readNotebook(output);
    assert.deepEqual(
      claimsOf(nb).map((c) => [c.id, c.verdict, c.measured]),
      [["a", "holds", "2"], ["b", "does not hold", "3"], [
        "c",
        "not run",
        "not run at this scale",
      ], ["d", "inconclusive", "34.0% [24.8, 44.2]"]],
    );
    const d = claimsOf(nb)[3];
    assert.equal(d.criterion, "≥ 30%");
    assert.deepEqual(d.estimate?.n, 100);
    assert.equal(d.interval, "95% Clopper–Pearson, n = 100");
    const shown = nb.cells[1];
    assert.ok(shown.cell_type === "code");
    assert.deepEqual(
      shown.outputs.map((o) => o.output_type),
      ["display_data"],
      "claims.show() leaves no empty Out[N] (an execute_result with an empty bundle)",
    );
    const info = runInfoOf(nb)!;
    assert.equal(info.notebook, "round-trip");
    assert.equal(info.seed, 7);
    assert.equal(info.scale, "quick");
    assert.equal(info.backend, "cpu");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
