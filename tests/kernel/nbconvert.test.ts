/**
 * Compatibility with standard Jupyter: notebooks execute under `jupyter nbconvert --execute`
 * with the lenses kernelspec (installed into a temporary Jupyter data dir). Needs Debian's
 * jupyter-nbconvert and python3-ipykernel; ignored, saying so, when they are missing, except
 * under CI=true, where CI installs them and their absence is a failure.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hasCommand, installKernelSpec } from "../../kernel/kernelspec.ts";
import { readNotebook } from "../../kernel/nbformat.ts";
import { notebooksDir } from "../../kernel/paths.ts";
import { listNotebooks } from "../../kernel/report.ts";
import { validateNotebook } from "../../kernel/validate.ts";
import { code, md, writeNotebook } from "./helpers.ts";

const available = await hasCommand("jupyter-nbconvert");
const reason = available
  ? ""
  : " (ignored: jupyter-nbconvert is not installed; apt-get install jupyter-nbconvert python3-ipykernel)";

Deno.test({
  name: "nbconvert is installed where CI runs (CI=true)",
  ignore: Deno.env.get("CI") !== "true",
  fn() {
    assert.ok(
      available,
      "jupyter-nbconvert is missing: the Jupyter packages did not install " +
        "(apt-get install jupyter-nbconvert python3-ipykernel)",
    );
  },
});

/** Runs nbconvert on `path` with the lenses kernelspec; returns the executed notebook's path. */
async function nbconvert(
  path: string,
  jupyterDir: string,
  outDir: string,
): Promise<string> {
  const output = join(outDir, "executed.ipynb");
  const result = await new Deno.Command("jupyter-nbconvert", {
    args: [
      "--execute",
      "--to",
      "notebook",
      "--ExecutePreprocessor.kernel_name=lenses",
      "--ExecutePreprocessor.timeout=600",
      "--output",
      output,
      path,
    ],
    env: {
      JUPYTER_PATH: jupyterDir,
      JUPYTER_DATA_DIR: jupyterDir,
      LENSES_SCALE: "smoke",
      // A fresh model cache: the run must train, and leaves the user's cache alone.
      LENSES_CACHE: join(jupyterDir, "cache"),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
  return output;
}

async function withJupyterDir(
  fn: (jupyterDir: string, tmp: string) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "lenses-nbconvert-" });
  try {
    const jupyterDir = join(tmp, "jupyter");
    await installKernelSpec(jupyterDir);
    await fn(jupyterDir, tmp);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test({
  name: `nbconvert executes a notebook with the lenses kernelspec${reason}`,
  ignore: !available,
  async fn() {
    await withJupyterDir(async (jupyterDir, tmp) => {
      const path = await writeNotebook(tmp, "compat", [
        md("# Compat"),
        code('const scale = Deno.env.get("LENSES_SCALE");'),
        code("scale + '!'"),
      ]);
      const nb = await readNotebook(await nbconvert(path, jupyterDir, tmp));
      assert.deepEqual(validateNotebook(nb), []);
      const counts = nb.cells.flatMap((c) => c.cell_type === "code" ? [c.execution_count] : []);
      // Outputs are not compared: nbclient drops what Deno's kernel sends after its idle
      // status (the runner drains for it), so only execution itself is checked here.
      assert.deepEqual(counts, [1, 2]);
    });
  },
});

for (const path of await listNotebooks(notebooksDir())) {
  Deno.test({
    name: `nbconvert: ${path} executes at smoke scale${reason}`,
    ignore: !available,
    async fn() {
      await withJupyterDir(async (jupyterDir, tmp) => {
        const nb = await readNotebook(await nbconvert(path, jupyterDir, tmp));
        assert.deepEqual(validateNotebook(nb), []);
      });
    },
  });
}
