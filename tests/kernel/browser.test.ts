/**
 * Figures as a reader sees them: pages rendered by a headless Chromium (Debian's `chromium`),
 * their DOM read back after plotly.js has drawn: an exported report, a notebook opened in a real
 * classic Jupyter Notebook server (Debian's `jupyter-notebook`), a JupyterLab-like page. Without
 * those packages these tests are skipped, with a line saying so; under CI=true that is a failure.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { freePorts } from "../../kernel/connection.ts";
import { notebookToHtml } from "../../kernel/export.ts";
import { hasCommand, installKernelSpec } from "../../kernel/kernelspec.ts";
import { installNbconvertTemplate, NBCONVERT_TEMPLATE } from "../../kernel/nbconvert_template.ts";
import {
  makeNotebook,
  type Notebook,
  type Output,
  serializeNotebook,
} from "../../kernel/nbformat.ts";
import { heatmap, lineChart } from "../../lib/display/chart.ts";
import { figureBundle, PLOTLY_RESOURCE } from "../../lib/display/figure.ts";
import { waitFor } from "./helpers.ts";

const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find((c) => {
  try {
    return new Deno.Command(c, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
});
/** The classic Notebook server, and the Python it runs on (its script's #! line). */
const NOTEBOOK_SERVER = "jupyter-notebook";
const notebookPython = (() => {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const head = Deno.readTextFileSync(join(dir, NOTEBOOK_SERVER)).split("\n", 1)[0];
      if (head.startsWith("#!")) return head.slice(2).trim().split(/\s+/);
    } catch {
      // not in this folder
    }
  }
  return undefined;
})();
const ci = Deno.env.get("CI") === "true";
const missing = [
  ...(CHROMIUM ? [] : ["chromium"]),
  ...(notebookPython ? [] : ["jupyter-notebook"]),
  ...(await hasCommand("jupyter-nbconvert") ? [] : ["jupyter-nbconvert"]),
];
if (missing.length > 0) {
  console.log(
    `browser tests SKIPPED: ${missing.join(", ")} not installed ` +
      `(apt-get install ${missing.join(" ")}); under CI=true this fails`,
  );
}

Deno.test({
  name: "browser: chromium and the classic Notebook server are installed where CI runs",
  ignore: !ci,
  fn() {
    assert.deepEqual(missing, [], `apt-get install ${missing.join(" ")}`);
  },
});

/** The DOM of `html`, opened from disk, after its scripts ran. */
async function renderedDom(html: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lenses-browser-" });
  try {
    const page = join(dir, "page.html");
    await Deno.writeTextFile(page, html);
    return await dumpDom(`file://${page}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The DOM of the page at `url` after its scripts ran, in a fresh profile (nothing cached);
 * virtual time waits for pending loads and lets plotly finish drawing.
 */
async function dumpDom(url: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lenses-browser-" });
  try {
    const out = await new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        `--user-data-dir=${join(dir, "profile")}`,
        "--virtual-time-budget=20000",
        "--dump-dom",
        url,
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(out.success, "chromium ran");
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Texts of SVG <text> elements whose class matches `cls` (a regular expression) in `dom`. */
function svgTexts(dom: string, cls: string): string[] {
  const re = new RegExp(`<text[^>]*class="(?:[^"]* )?${cls}(?: [^"]*)?"[^>]*>(.*?)</text>`, "g");
  return [...dom.matchAll(re)].map((m) => m[1].replace(/<[^>]+>/g, ""));
}

const curve = () =>
  lineChart([{ name: "standard", y: [0.9, 0.5, 0.1] }], {
    title: "Accuracy under PGD",
    xLabel: "epsilon",
    yLabel: "accuracy",
  });

Deno.test({
  name: "browser: an exported figure shows its title, axis titles and colour-bar title",
  ignore: missing.length > 0,
  async fn() {
    const show = (data: Record<string, unknown>): Output => ({
      output_type: "display_data",
      data: data as Record<string, string>,
      metadata: {},
    });
    const nb = makeNotebook([{ cell_type: "code", source: "plots" }]);
    const cell = nb.cells[0];
    assert.ok(cell.cell_type === "code");
    cell.outputs = [
      show(figureBundle(curve())),
      show(figureBundle(heatmap([[1, 0], [0, 1]], { colorbar: "CKA", title: "Similarity" }))),
    ];
    const dom = await renderedDom(notebookToHtml(nb, { title: "figures" }));
    assert.deepEqual(svgTexts(dom, "gtitle"), ["Accuracy under PGD", "Similarity"]);
    assert.deepEqual(svgTexts(dom, "xtitle"), ["epsilon"]);
    assert.deepEqual(svgTexts(dom, "ytitle"), ["accuracy"]);
    // plotly names a colour bar's title after its id: class="ycb<id>title".
    assert.deepEqual(svgTexts(dom, "ycb\\w*title"), ["CKA"]);
  },
});

/** A notebook whose one cell shows `figures`, as the lenses kernel would have saved it. */
function notebookShowing(figures: ReturnType<typeof curve>[], source: string): Notebook {
  const nb = makeNotebook([{ cell_type: "code", source }]);
  const cell = nb.cells[0];
  assert.ok(cell.cell_type === "code");
  cell.outputs = figures.map((figure) => ({
    output_type: "display_data",
    data: figureBundle(figure) as Record<string, string>,
    metadata: {},
  }));
  return nb;
}

/**
 * A classic Notebook server on a free port, over a Jupyter data dir with the lenses kernelspec
 * and the notebooks in `nbs/`; `fn` gets the URL of a notebook page by name.
 */
async function withClassicNotebook(
  notebooks: Record<string, { nb: Notebook; trusted: boolean }>,
  fn: (page: (name: string) => string, kernelspec: string) => Promise<void>,
): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "lenses-classic-" });
  const env = {
    JUPYTER_DATA_DIR: join(tmp, "data"),
    JUPYTER_PATH: join(tmp, "data"),
    JUPYTER_CONFIG_DIR: join(tmp, "config"),
    JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
  };
  const kernelspec = await installKernelSpec(env.JUPYTER_DATA_DIR);
  const nbs = join(tmp, "nbs");
  await Deno.mkdir(nbs);
  for (const [name, { nb, trusted }] of Object.entries(notebooks)) {
    const path = join(nbs, `${name}.ipynb`);
    await Deno.writeTextFile(path, serializeNotebook(nb));
    // As `jupyter trust` does: classic Notebook runs the scripts of trusted outputs only.
    if (trusted) await signNotebook(path, env);
  }
  const [port] = freePorts(1);
  const token = crypto.randomUUID();
  const server = new Deno.Command(NOTEBOOK_SERVER, {
    args: [
      "--no-browser",
      "--allow-root",
      "--ip=127.0.0.1",
      `--port=${port}`,
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${nbs}`,
    ],
    env,
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const base = `http://127.0.0.1:${port}/`;
    const status = `${base}api/status?token=${token}`;
    assert.ok(await waitFor(() => answers(status)), `the notebook server did not answer ${status}`);
    await fn((name) => `${base}notebooks/${name}.ipynb?token=${token}`, kernelspec);
  } finally {
    server.kill("SIGTERM"); // the server shuts down the kernels its pages started
    await server.status;
    await Deno.remove(tmp, { recursive: true });
  }
}

async function signNotebook(path: string, env: Record<string, string>): Promise<void> {
  const [python, ...args] = notebookPython!;
  const out = await new Deno.Command(python, {
    args: [
      ...args,
      "-c",
      "import sys, nbformat; from nbformat.sign import NotebookNotary; " +
      "NotebookNotary().sign(nbformat.read(sys.argv[1], 4))",
      path,
    ],
    env,
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

/** Whether `url` answers 200 now. */
async function answers(url: string): Promise<true | undefined> {
  try {
    const res = await fetch(url);
    await res.body?.cancel();
    return res.ok || undefined;
  } catch {
    return undefined; // not listening yet
  }
}

Deno.test({
  name: "browser: classic Notebook draws saved figures with the plotly.js of the lenses kernelspec",
  ignore: missing.length > 0,
  async fn() {
    const figures = [
      curve(),
      lineChart([{ name: "b", y: [1, 2] }], { title: "Second" }),
      heatmap([[1, 0], [0, 1]], { colorbar: "CKA", title: "Similarity" }),
    ];
    // Trust is by content (a signature of the whole notebook), so the two must differ.
    await withClassicNotebook(
      {
        trusted: { nb: notebookShowing(figures, "plots"), trusted: true },
        untrusted: { nb: notebookShowing(figures, "someone else's plots"), trusted: false },
      },
      async (page, kernelspec) => {
        // require.js is on the page: plotly.js comes in as an AMD module, fetched once while
        // the three figures wait for it.
        const dom = await dumpDom(page("trusted"));
        assert.match(dom, /require/);
        assert.deepEqual(svgTexts(dom, "gtitle"), ["Accuracy under PGD", "Second", "Similarity"]);
        assert.deepEqual(svgTexts(dom, "xtitle"), ["epsilon"]);
        assert.doesNotMatch(dom, /<pre>Line\/scatter chart/, "no text summary left");

        // Controls: an untrusted notebook runs no output scripts; without the kernelspec's
        // plotly.js the load fails. Either way each figure stays its text summary.
        const untrusted = await dumpDom(page("untrusted"));
        assert.deepEqual(svgTexts(untrusted, "gtitle"), []);
        assert.match(untrusted, /Line\/scatter chart: Accuracy under PGD/);
        await Deno.remove(join(kernelspec, PLOTLY_RESOURCE.file));
        const unserved = await dumpDom(page("trusted"));
        assert.deepEqual(svgTexts(unserved, "gtitle"), []);
        assert.match(unserved, /<pre>Line\/scatter chart: Accuracy under PGD/);
      },
    );
  },
});

Deno.test({
  name: "browser: a JupyterLab-like page (no require.js, base URL in its page config) draws too",
  ignore: missing.length > 0,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "lenses-lab-" });
    const kernelspec = await installKernelSpec(tmp);
    const figures = [curve(), lineChart([{ name: "b", y: [1, 2] }], { title: "Second" })]
      .map((f) => `<div class="jp-OutputArea-output">${figureBundle(f)["text/html"]}</div>`);
    const page = `<!DOCTYPE html><html><head><script id="jupyter-config-data" ` +
      `type="application/json">{"baseUrl": "/lab/base/"}</script></head><body>` +
      figures.join("") + `</body></html>`;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/lab/tree/page.html") {
        return new Response(page, { headers: { "content-type": "text/html" } });
      }
      if (path === `/lab/base/kernelspecs/lenses/${PLOTLY_RESOURCE.file}`) {
        return new Response(Deno.readTextFileSync(join(kernelspec, PLOTLY_RESOURCE.file)), {
          headers: { "content-type": "application/javascript" },
        });
      }
      return new Response("not found", { status: 404 });
    });
    try {
      const dom = await dumpDom(`http://127.0.0.1:${server.addr.port}/lab/tree/page.html`);
      assert.deepEqual(svgTexts(dom, "gtitle"), ["Accuracy under PGD", "Second"]);
    } finally {
      await server.shutdown();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "browser: nbconvert's HTML with the lenses template draws every figure offline",
  ignore: missing.length > 0,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "lenses-nbconvert-html-" });
    try {
      const data = join(tmp, "data");
      await installNbconvertTemplate(data);
      const path = join(tmp, "figures.ipynb");
      const nb = notebookShowing(
        [curve(), lineChart([{ name: "b", y: [1] }], { title: "B" })],
        "x",
      );
      await Deno.writeTextFile(path, serializeNotebook(nb));
      const page = (template: string[]) =>
        new Deno.Command("jupyter-nbconvert", {
          args: ["--to", "html", ...template, "--output", `${template.length}.html`, path],
          env: { JUPYTER_PATH: data, JUPYTER_DATA_DIR: data },
          stderr: "piped",
        }).output().then(async (out) => {
          assert.ok(out.success, new TextDecoder().decode(out.stderr));
          return await Deno.readTextFile(join(tmp, `${template.length}.html`));
        });
      const dom = await renderedDom(await page(["--template", NBCONVERT_TEMPLATE]));
      assert.deepEqual(svgTexts(dom, "gtitle"), ["Accuracy under PGD", "B"]);
      // Control: nbconvert's own template has no plotly.js, so the text summaries stay.
      const plain = await renderedDom(await page([]));
      assert.deepEqual(svgTexts(plain, "gtitle"), []);
      assert.match(plain, /<pre>Line\/scatter chart: Accuracy under PGD/);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "browser: a page opened from disk keeps each figure's text summary",
  ignore: missing.length > 0,
  async fn() {
    const alone = await renderedDom(
      `<html><body>${figureBundle(curve())["text/html"]}</body></html>`,
    );
    assert.match(alone, /<pre>Line\/scatter chart: Accuracy under PGD/);
  },
});
