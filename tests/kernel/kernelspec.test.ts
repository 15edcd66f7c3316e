import assert from "node:assert/strict";
import { join } from "node:path";
import {
  installKernelSpec,
  jupyterDataDir,
  lensesKernelSpec,
  uninstallKernelSpec,
} from "../../kernel/kernelspec.ts";

Deno.test("kernelspec: the Jupyter data dir follows jupyter_core's rules", () => {
  assert.equal(
    jupyterDataDir({ JUPYTER_DATA_DIR: "/x/jd", HOME: "/h" }),
    "/x/jd",
  );
  if (Deno.build.os === "linux") {
    assert.equal(jupyterDataDir({ HOME: "/h" }), "/h/.local/share/jupyter");
    assert.equal(
      jupyterDataDir({ HOME: "/h", XDG_DATA_HOME: "/xdg" }),
      "/xdg/jupyter",
    );
  }
});

Deno.test("kernelspec: install writes the lenses spec, again idempotently; uninstall removes it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-kernelspec-test-" });
  try {
    const installed = await installKernelSpec(dir);
    assert.equal(installed, join(dir, "kernels", "lenses"));
    const spec = JSON.parse(
      await Deno.readTextFile(join(installed, "kernel.json")),
    );
    assert.deepEqual(spec, lensesKernelSpec());
    assert.deepEqual(spec.argv, [
      Deno.execPath(),
      "jupyter",
      "--kernel",
      "--conn",
      "{connection_file}",
    ]);
    assert.equal(spec.display_name, "Deno (lenses)");
    assert.equal(spec.language, "typescript");
    assert.equal(
      spec.interrupt_mode,
      "message",
      "SIGINT would kill Deno's kernel",
    );
    assert.equal(await installKernelSpec(dir), installed);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(join(installed, "kernel.json"))),
      spec,
    );
    assert.equal(await uninstallKernelSpec(dir), true);
    await assert.rejects(Deno.stat(installed), Deno.errors.NotFound);
    assert.equal(await uninstallKernelSpec(dir), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
