/**
 * Showing plotly figures. The bundle carries the figure as `application/vnd.plotly.v1+json`
 * (VS Code renders it natively, JupyterLab with jupyterlab-plotly, the lenses HTML export
 * with the plotly.js it embeds), a `text/html` fallback, and a `text/plain` summary.
 *
 * The HTML fallback is what the classic Jupyter Notebook, JupyterLab without the plotly
 * extension and nbconvert show: the text summary, replaced by the chart as soon as plotly.js is
 * on the page. With `LENSES_PLOTLY_LOADER=1` lenses puts it there itself, offline: before a
 * kernel's first figure it shows the bundled plotly.js as an output of its own (an empty-looking one; once per page; evaluated with
 * require.js's `define` hidden, which classic Notebook has on every page), and every figure draws
 * when it loads, or is queued until it does. A live figure updated many times never re-sends
 * the 4.8 MB library.
 *
 * @module
 */

import { type Figure, figureText } from "./chart.ts";
import { escapeHtml, scriptJson } from "./format.ts";
import {
  display,
  jupyterApi,
  type MimeBundle,
  newDisplayId,
  type Output,
  PLOTLY_MIME,
} from "./output.ts";
import { repoPath } from "../io/paths.ts";

/** Output metadata key marking the output that loads plotly.js (the HTML export skips it). */
export const PLOTLY_LOADER_KEY = "lenses.plotly_loader";

/**
 * The MIME bundle of a figure. Titles written as bare strings (`title: "…"`, which plotly.js 4
 * ignores) become title objects in the layout, on every axis and on colour bars.
 *
 * @example
 * ```ts
 * const bundle = figureBundle(lineChart([{ name: "loss", y: losses }]));
 * bundle["application/vnd.plotly.v1+json"]; // { data: [...], layout: {...} }
 * ```
 */
export function figureBundle(figure: Figure): MimeBundle {
  if (!figure || !Array.isArray(figure.data)) {
    throw new Error(
      "figureBundle: expected a figure { data: Plot[], layout }, e.g. from lineChart(...).",
    );
  }
  // A plain copy: the bundle must not change if the caller mutates the figure later.
  const json = withTitleObjects(
    JSON.parse(JSON.stringify({ data: figure.data, layout: figure.layout ?? {} })),
  );
  const text = figureText(json);
  const id = newDisplayId("plot");
  const html = `<div id="${id}" class="lenses-plot"><pre>${escapeHtml(text)}</pre></div>\n` +
    `<script>(function(){var el=document.getElementById(${JSON.stringify(id)});` +
    `if(!el)return;var f=${scriptJson(json)};` +
    `function draw(){el.innerHTML="";window.Plotly.newPlot(el,f.data,f.layout,{responsive:true});}` +
    `if(window.Plotly)draw();else(window.${QUEUE}=window.${QUEUE}||[]).push(draw);})();</script>`;
  return { [PLOTLY_MIME]: json, "text/html": html, "text/plain": text };
}

/** Figures waiting for plotly.js on the page. */
const QUEUE = "lensesPlotlyQueue";

/** Whether this kernel has shown the plotly.js loader. */
let loaderShown = false;

/**
 * Shows a figure and returns the output. Outside a notebook, an interactive script opens it
 * in the browser through nodeplotlib; a non-interactive one prints the text summary.
 *
 * @example
 * ```ts
 * await showFigure(heatmap(cka, { colorbar: "CKA" }));
 *
 * // A live training curve: one output, replaced as the loop runs.
 * const id = newDisplayId("loss");
 * await showFigure(lineChart([{ name: "loss", y: losses }]), { displayId: id });
 * await showFigure(lineChart([{ name: "loss", y: losses }]), { displayId: id, update: true });
 * ```
 */
export async function showFigure(
  figure: Figure,
  options: { displayId?: string; update?: boolean } = {},
): Promise<Output> {
  const bundle = figureBundle(figure);
  // Opt-in: a 4.8 MB display message through Deno's kernel was seen, intermittently, to reach
  // the client with a bad signature (nbconvert: "Invalid Signature"; lenses' runner: a cell that
  // never ends), so by default figures draw natively (VS Code, JupyterLab's plotly extension, the
  // HTML export) and classic-Notebook users set LENSES_PLOTLY_LOADER=1.
  if (!loaderShown && jupyterApi() !== undefined && Deno.env.get("LENSES_PLOTLY_LOADER") === "1") {
    loaderShown = true;
    const loader = plotlyLoaderBundle();
    if (loader) await display(loader, { metadata: { [PLOTLY_LOADER_KEY]: true } });
  }
  return await display(bundle, options);
}

let plotlySource: string | null | undefined;

/**
 * The output that puts the bundled plotly.js (about 4.8 MB) on a page without it and then draws
 * the figures waiting for it: a script in `text/html` and an empty `text/plain`, so it shows
 * nothing itself. Null when the package is not installed. `define`, `module` and `exports` are
 * hidden from the bundle: under require.js (classic Notebook) a UMD bundle would otherwise
 * register itself as an anonymous AMD module, which fails outside require's loader.
 *
 * @example
 * ```ts
 * const loader = plotlyLoaderBundle(); // { "text/html": "<script>…", "text/plain": "" }
 * ```
 */
export function plotlyLoaderBundle(): MimeBundle | null {
  if (plotlySource === undefined) {
    try {
      plotlySource = Deno.readTextFileSync(
        repoPath("node_modules", "plotly.js-dist-min", "plotly.min.js"),
      ).replace(/<\/(script)/gi, "<\\/$1");
    } catch {
      plotlySource = null;
    }
  }
  if (plotlySource === null) return null;
  return {
    "text/html": `<script>if(!window.Plotly){(function(define,module,exports){\n${plotlySource}` +
      `\n}).call(window);}(window.${QUEUE}||[]).splice(0).forEach(function(d){d();});</script>`,
    "text/plain": "",
  };
}

type Titled = { title?: unknown } & Record<string, unknown>;

/** Bare-string titles of a figure's layout, axes and colour bars as `{ text }` objects. */
function withTitleObjects(json: Figure): Figure {
  const fix = (o: unknown) => {
    if (typeof o !== "object" || o === null) return;
    const t = o as Titled;
    if (typeof t.title === "string") t.title = { text: t.title };
  };
  const layout = json.layout as unknown as Record<string, unknown>;
  fix(layout);
  for (const [key, value] of Object.entries(layout)) {
    if (/^[xyz]axis\d*$/.test(key)) fix(value);
    if (key === "coloraxis") fix((value as Titled | null)?.colorbar);
  }
  for (const trace of json.data as unknown as Titled[]) fix(trace.colorbar);
  return json;
}
