import assert from "node:assert/strict";
import { join } from "node:path";
import {
  installKernelSpec,
  jupyterDataDir,
  lensesKernelSpec,
  uninstallKernelSpec,
} from "../../kernel/kernelspec.ts";
import {
  installNbconvertTemplate,
  NBCONVERT_TEMPLATE,
  uninstallNbconvertTemplate,
} from "../../kernel/nbconvert_template.ts";
import { PLOTLY_RESOURCE } from "../../lib/display/figure.ts";

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
    // Where the figures' HTML fallback asks a Jupyter server for plotly.js.
    assert.equal(
      installed,
      join(dir, "kernels", PLOTLY_RESOURCE.kernel),
    );
    const plotly = await Deno.readTextFile(join(installed, PLOTLY_RESOURCE.file));
    assert.match(plotly.slice(0, 200), /plotly\.js v\d/);
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

Deno.test("nbconvert template: install writes lab's template with plotly.js, again idempotently; uninstall removes it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-template-test-" });
  try {
    const installed = await installNbconvertTemplate(dir);
    assert.equal(installed, join(dir, "nbconvert", "templates", NBCONVERT_TEMPLATE));
    const conf = JSON.parse(await Deno.readTextFile(join(installed, "conf.json")));
    assert.equal(conf.base_template, "lab");
    const index = await Deno.readTextFile(join(installed, "index.html.j2"));
    assert.match(index, /^\{%- extends 'lab\/index\.html\.j2' -%\}\n/);
    assert.match(
      index,
      /\{% raw %\}<script>if\(!window\.Plotly\)\{\(function\(define,module,exports\)\{\n\/\*/,
    );
    assert.equal(index.match(/<\/script>/gi)?.length, 1, "plotly.js cannot close its script early");
    assert.equal(await installNbconvertTemplate(dir), installed);
    assert.equal(await uninstallNbconvertTemplate(dir), true);
    await assert.rejects(Deno.stat(installed), Deno.errors.NotFound);
    assert.equal(await uninstallNbconvertTemplate(dir), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
