import assert from "node:assert/strict";
import { join } from "node:path";
import { exportNotebookFile, notebookToHtml } from "../../kernel/export.ts";
import { inlineScript } from "../../kernel/html/page.ts";
import {
  makeNotebook,
  type Notebook,
  type Output,
  serializeNotebook,
} from "../../kernel/nbformat.ts";

function withOutputs(source: string, outputs: Output[]): Notebook {
  const nb = makeNotebook([{ cell_type: "code", source }]);
  const cell = nb.cells[0];
  assert.ok(cell.cell_type === "code");
  cell.outputs = outputs;
  cell.execution_count = 1;
  return nb;
}

/** Like assert.match, without printing a multi-megabyte page when it fails. */
function matches(html: string, re: RegExp, message?: string): void {
  assert.ok(re.test(html), message ?? `page does not match ${re}`);
}

function lacks(html: string, re: RegExp, message?: string): void {
  const m = re.exec(html);
  assert.ok(m === null, message ?? `page contains ${m?.[0]} (${re})`);
}

const render = (nb: Notebook) => notebookToHtml(nb, { title: "t" });
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const EVIL = "<script>alert(1)</script>";

Deno.test("export: inline and display math are typeset by KaTeX with its CSS and fonts embedded", () => {
  const html = render(makeNotebook([{
    cell_type: "markdown",
    source: "Energy $E = mc^2$ and\n\n$$\\sum_{i=1}^n x_i$$\n\nPrices $5 and $6 stay text.",
  }]));
  matches(html, /<span class="katex">/);
  matches(html, /<span class="katex-display">/);
  matches(
    html,
    /<annotation encoding="application\/x-tex">E = mc\^2<\/annotation>/,
  );
  matches(html, /Prices \$5 and \$6 stay text/);
  matches(
    html,
    /font-family:KaTeX_Main;[^}]*src:url\(data:font\/woff2;base64,/,
  );
  lacks(html, /url\(fonts\//, "no font is fetched from a relative path");
  assert.doesNotMatch(
    render(makeNotebook([{ cell_type: "markdown", source: "no math" }])),
    /KaTeX_Main/,
  );
});

Deno.test("export: ANSI colours in streams and tracebacks become styled spans", () => {
  const html = render(withOutputs("x", [
    {
      output_type: "stream",
      name: "stdout",
      text: "\x1b[32mgreen\x1b[0m plain",
    },
    {
      output_type: "error",
      ename: "Error",
      evalue: "e",
      traceback: ["\x1b[31mError\x1b[0m: e"],
    },
  ]));
  matches(html, /<span style="color:rgb\(0,187,0\)">green<\/span> plain/);
  matches(html, /<span style="color:rgb\(187,0,0\)">Error<\/span>: e/);
  assert.ok(!html.includes("\x1b"), "no raw escape codes are left");
});

Deno.test("export: images inline as data URLs, with their size", () => {
  const html = render(withOutputs("img", [{
    output_type: "display_data",
    data: { "image/png": PNG + "\n", "text/plain": "<img>" },
    metadata: { "image/png": { width: 64 } },
  }]));
  assert.ok(
    html.includes(
      `<img alt="output image" width="64" src="data:image/png;base64,${PNG}">`,
    ),
  );
});

Deno.test("export: script in streams, text/plain, tracebacks and sources is escaped", () => {
  const html = render(withOutputs(`const s = "${EVIL}";`, [
    { output_type: "stream", name: "stderr", text: EVIL },
    {
      output_type: "execute_result",
      execution_count: 1,
      data: { "text/plain": EVIL },
      metadata: {},
    },
    {
      output_type: "error",
      ename: "Error",
      evalue: EVIL,
      traceback: [`Error: ${EVIL}`],
    },
  ]));
  lacks(html, /<script>alert/);
  // The cell source, the stream, text/plain and the traceback: four escaped copies.
  assert.equal(
    html.split("&lt;script&gt;alert(1)&lt;/script&gt;").length - 1,
    4,
  );
});

Deno.test("export: trusted text/html outputs are kept as they are", () => {
  const html = render(withOutputs("t", [{
    output_type: "display_data",
    data: {
      "text/html": '<table class="claims"><tr><td>1</td></tr></table>',
      "text/plain": "t",
    },
    metadata: {},
  }]));
  matches(html, /<table class="claims"><tr><td>1<\/td><\/tr><\/table>/);
});

Deno.test("export: raw HTML in markdown is sanitised, harmless markup survives", () => {
  const html = render(makeNotebook([{
    cell_type: "markdown",
    source: `Hi ${EVIL} <b onclick="steal()">bold</b> <a href="javascript:steal()">x</a> ` +
      `<img src="x" onerror="steal()"> <iframe src="https://e.com"></iframe>\n\n| a | b |\n|---|---|\n| 1 | 2 |`,
  }]));
  lacks(html, /alert\(1\)|steal\(\)|<iframe|javascript:/);
  matches(html, /<b>bold<\/b>/);
  matches(html, /<table>\s*<thead>/);
});

Deno.test("export: plotly figures are interactive, plotly.js embedded once, only when used", () => {
  const figure = {
    data: [{ x: [1, 2], y: [3, 4], name: "</script><b>" }],
    layout: { title: "t" },
  };
  const plot: Output = {
    output_type: "display_data",
    data: { "application/vnd.plotly.v1+json": figure, "text/plain": "fig" },
    metadata: {},
  };
  const html = render(withOutputs("plot", [plot, plot]));
  assert.equal(html.split('class="plotly-figure"').length - 1, 2);
  assert.equal(html.split("Plotly.newPlot(").length - 1, 1, "one init loop");
  assert.equal(
    html.split("* plotly.js v").length - 1,
    1,
    "plotly.js embedded exactly once",
  );
  assert.ok(
    html.includes("\\u003c/script>\\u003cb>"),
    "figure JSON cannot close its script",
  );
  assert.ok(
    render(withOutputs("none", [])).length < 200_000,
    "no plotly.js without figures",
  );
});

Deno.test("export: headings make the table of contents; a failed run shows a banner; lenses.run in the footer", async () => {
  const nb = makeNotebook([
    { cell_type: "markdown", source: "# Robust features\n## Setup\n## Setup" },
    { cell_type: "code", source: "throw 1" },
  ]);
  const cell = nb.cells[1];
  assert.ok(cell.cell_type === "code");
  cell.outputs = [{
    output_type: "display_data",
    data: { "text/plain": "run" },
    metadata: { "lenses.run": { backend: "wasm", seed: 7 } },
  }];
  nb.metadata.lenses = {
    runner: {
      status: "error",
      started: "2026-01-01T00:00:00Z",
      finished: "2026-01-01T00:00:01Z",
      duration_s: 1,
      env: { LENSES_SCALE: "smoke" },
      params: {},
      error: { cellIndex: 1, ename: "Error", evalue: "1 <b>" },
      cell_durations_s: { [cell.id]: 0.25 },
    },
  };
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "nb.ipynb");
    await Deno.writeTextFile(path, serializeNotebook(nb));
    const out = await exportNotebookFile(path, join(dir, "nb.html"));
    const html = await Deno.readTextFile(out);
    matches(html, /<title>Robust features<\/title>/);
    matches(html, /<a href="#robust-features">Robust features<\/a>/);
    matches(html, /<h2 id="setup-2">Setup<\/h2>/);
    matches(
      html,
      new RegExp(
        `This run failed \\(error\\)</strong> at <a href="#cell-${cell.id}">cell 2</a>: Error: 1 &lt;b&gt;`,
      ),
    );
    matches(html, /<th>backend<\/th><td>wasm<\/td>/);
    matches(html, /<th>seed<\/th><td>7<\/td>/);
    matches(html, /<th>LENSES_SCALE<\/th><td>smoke<\/td>/);
    matches(html, /<span class="duration">0\.3 s<\/span>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export: a script that contains </script> is embedded as a data URL instead", () => {
  assert.equal(inlineScript("let a = 1;"), "<script>let a = 1;</script>");
  const tricky = inlineScript('const s = "</script><b>";');
  assert.ok(tricky.startsWith('<script src="data:text/javascript;base64,'));
  const b64 = tricky.slice(tricky.indexOf(",") + 1, tricky.lastIndexOf('"'));
  assert.equal(atob(b64), 'const s = "</script><b>";');
});

Deno.test("export: a result with an empty MIME bundle renders nothing", () => {
  const html = render(withOutputs("await show()", [
    {
      output_type: "execute_result",
      data: {},
      metadata: {},
      execution_count: 1,
    },
  ]));
  lacks(html, /class="output execute_result"/);
});

Deno.test("export: markdown image attachments become data URLs", () => {
  const nb = makeNotebook([{ cell_type: "markdown", source: "![a dot](attachment:dot.png)" }]);
  (nb.cells[0] as { attachments?: unknown }).attachments = { "dot.png": { "image/png": PNG } };
  const html = render(nb);
  matches(
    html,
    new RegExp(`<img src="data:image/png;base64,${PNG.replace(/[+/=]/g, "\\$&")}" alt="a dot"`),
  );
  lacks(html, /attachment:/);
});

Deno.test("export: a heading with < and & is escaped once, in the title and the contents list", () => {
  const html = render(
    makeNotebook([{ cell_type: "markdown", source: "# a < b & c\n## x <i>y</i>" }]),
  );
  matches(html, /<title>a &lt; b &amp; c<\/title>/);
  matches(html, /<a href="#a-b-c">a &lt; b &amp; c<\/a>/);
  matches(html, /<a href="#x-y">x y<\/a>/);
  lacks(html, /&amp;(lt|amp|gt);/);
});

Deno.test("export: math never lands inside an HTML attribute", () => {
  const html = render(makeNotebook([{
    cell_type: "markdown",
    source: '[link](https://e.com "LENSESMATH0X") $x^2$ <span title="$y$">s</span> ' +
      '<abbr title="LENSESMATH1X">t</abbr> $z$',
  }]));
  lacks(html, /="[^"]*<span/, "KaTeX markup inside an attribute value");
  lacks(html, /="[^"]*class="katex/);
  assert.equal(html.split('<span class="katex">').length - 1, 2, "the two formulas typeset");
});

Deno.test("export: KaTeX prints no strict-mode warnings", () => {
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args);
  try {
    render(makeNotebook([{ cell_type: "markdown", source: "$é = \\text{naïve}$ and $x′$" }]));
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, []);
});

Deno.test("export: untrusted text/html outputs are sanitised; --trust keeps them; lenses' own still render", async () => {
  const hostile =
    '<script>alert(1)</script><b onclick="steal()">b</b><img src="x" onerror="steal()">' +
    '<a href="javascript:steal()">l</a><iframe src="https://e.com"></iframe>';
  const { tableBundle } = await import("../../lib/display/table.ts");
  const { progressBundle } = await import("../../lib/display/progress.ts");
  const table = tableBundle([{ claim: "x", verdict: "holds" }], {
    caption: "Claims",
    columns: ["claim", { key: "verdict", style: () => "background:#dafbe1" }],
  });
  const progress = progressBundle({ done: 1, total: 4, elapsed: 1, metrics: {}, finished: false });
  const nb = withOutputs("t", [
    {
      output_type: "display_data",
      data: { "text/html": hostile, "text/plain": "h" },
      metadata: {},
    },
    { output_type: "display_data", data: table as Record<string, string>, metadata: {} },
    { output_type: "display_data", data: progress as Record<string, string>, metadata: {} },
  ]);
  const untrusted = render(nb);
  lacks(untrusted, /alert\(1\)|steal\(\)|<iframe|javascript:/);
  matches(untrusted, /<b>b<\/b>/);
  for (const own of [table["text/html"], progress["text/html"]]) {
    assert.ok(untrusted.includes(own as string), `lenses' own output kept as is: ${own}`);
  }
  const trusted = notebookToHtml(nb, { title: "t", trusted: true });
  assert.ok(trusted.includes(hostile), "a trusted notebook's HTML is kept as is");
});
