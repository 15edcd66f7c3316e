/**
 * Figures as a reader sees them: pages rendered by a headless Chromium (Debian's `chromium`),
 * their DOM read back after plotly.js has drawn. Without Chromium these tests are skipped, with a
 * line saying so; under CI=true a missing Chromium or require.js is a failure.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { notebookToHtml } from "../../kernel/export.ts";
import { makeNotebook, type Output } from "../../kernel/nbformat.ts";
import { heatmap, lineChart } from "../../lib/display/chart.ts";
import { figureBundle, plotlyLoaderBundle } from "../../lib/display/figure.ts";
import { PLOTLY_MIME } from "../../lib/display/output.ts";

const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find((c) => {
  try {
    return new Deno.Command(c, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
});
/** Debian's libjs-requirejs: the require.js that classic Notebook loads on every page. */
const REQUIRE_JS = "/usr/share/javascript/requirejs/require.min.js";
const hasRequireJs = (() => {
  try {
    return Deno.statSync(REQUIRE_JS).isFile;
  } catch {
    return false;
  }
})();
const ci = Deno.env.get("CI") === "true";
const missing = [
  ...(CHROMIUM ? [] : ["chromium"]),
  ...(hasRequireJs ? [] : ["libjs-requirejs"]),
];
if (missing.length > 0) {
  console.log(
    `browser tests SKIPPED: ${missing.join(", ")} not installed ` +
      `(apt-get install ${missing.join(" ")}); under CI=true this fails`,
  );
}

Deno.test({
  name: "browser: chromium and require.js are installed where CI runs",
  ignore: !ci,
  fn() {
    assert.deepEqual(missing, [], `apt-get install ${missing.join(" ")}`);
  },
});

/** The DOM of `html` after its scripts ran (virtual time lets plotly finish drawing). */
async function renderedDom(html: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lenses-browser-" });
  try {
    const page = join(dir, "page.html");
    await Deno.writeTextFile(page, html);
    const out = await new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        `--user-data-dir=${join(dir, "profile")}`,
        "--virtual-time-budget=20000",
        "--dump-dom",
        `file://${page}`,
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

Deno.test({
  name:
    "browser: in a classic-Notebook page (require.js, no plotly) the HTML fallback draws every chart",
  ignore: missing.length > 0,
  async fn() {
    const first = figureBundle(curve())["text/html"] as string;
    const loader = plotlyLoaderBundle()!["text/html"] as string;
    const second = figureBundle(lineChart([{ name: "b", y: [1, 2] }], { title: "Second" }));
    const third = figureBundle(lineChart([{ name: "c", y: [2, 1] }], { title: "Third" }));
    assert.ok(PLOTLY_MIME in second);
    // Classic Notebook: require.js on the page, outputs' HTML inserted in order. The first
    // figure comes before the output that loads plotly.js (a cell re-run above it).
    const page =
      `<!DOCTYPE html><html><head><script>${
        Deno.readTextFileSync(REQUIRE_JS)
      }</script></head><body>` +
      [first, loader, second["text/html"], third["text/html"]]
        .map((html) => `<div class="output_html">${html}</div>`).join("") +
      `</body></html>`;
    const dom = await renderedDom(page);
    assert.deepEqual(svgTexts(dom, "gtitle"), ["Accuracy under PGD", "Second", "Third"]);
    assert.equal(dom.split('class="main-svg"').length - 1 >= 3, true, "three charts drawn");
    assert.doesNotMatch(dom, /<pre>Line\/scatter chart/, "no text summary left");

    // With nothing to load plotly.js, the text summary stays.
    const alone = await renderedDom(`<html><body>${first}</body></html>`);
    assert.match(alone, /<pre>Line\/scatter chart: Accuracy under PGD/);
  },
});
