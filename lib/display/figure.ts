/**
 * Showing plotly figures. The bundle carries the figure as `application/vnd.plotly.v1+json`
 * (VS Code renders it natively, JupyterLab with jupyterlab-plotly, the lenses HTML export
 * with the plotly.js it embeds), a `text/html` fallback, and a `text/plain` summary.
 *
 * The HTML fallback is what the classic Jupyter Notebook, JupyterLab without the plotly
 * extension and nbconvert show: the text summary, replaced by the chart once plotly.js is on the
 * page. When it is not, the first figure on a page fetches it from the Jupyter server, which
 * serves the files of installed kernelspecs: `deno task kernel:install` puts the bundled
 * plotly.js into the lenses kernelspec ({@link PLOTLY_RESOURCE}). Under classic Notebook's
 * require.js it is loaded as an AMD module, elsewhere with a script tag; later figures wait for
 * that one load. Without a server (a page opened from disk) the text summary stays.
 *
 * plotly.js never travels through the kernel: Deno's kernel writes a large message in several
 * pieces while other messages go out on the same socket, so the message can be cut by another or
 * arrive after its cell has ended (Jupyter: "Invalid Signature", outputs lost or under the next
 * cell). Every figure message stays the size of its data.
 *
 * @module
 */

import { type Figure, figureText } from "./chart.ts";
import { escapeHtml, scriptJson } from "./format.ts";
import { display, type MimeBundle, newDisplayId, type Output, PLOTLY_MIME } from "./output.ts";

/**
 * Where a Jupyter server serves plotly.js: `<base url>kernelspecs/<kernel>/<file>`, a file of the
 * lenses kernelspec (Jupyter serves every installed kernelspec's files, as it does their logos).
 */
export const PLOTLY_RESOURCE = { kernel: "lenses", file: "plotly.min.js" } as const;

/**
 * The page-wide loader the HTML fallback calls with its draw function when plotly.js is missing:
 * it queues the figure and, once per page, fetches plotly.js from the Jupyter server (the base
 * URL from classic Notebook's `data-base-url` or JupyterLab's page config). A failed load leaves
 * every queued figure as its text summary and is not retried on that page.
 */
const LOAD_PLOTLY = "window.lensesLoadPlotly";
const LOADER_SCRIPT = `(${LOAD_PLOTLY}=${LOAD_PLOTLY}||(function(){` +
  `var queue=[],state="idle";` +
  `function done(P){if(P)window.Plotly=P;if(!window.Plotly){state="failed";return;}` +
  `state="loaded";queue.splice(0).forEach(function(d){d(window.Plotly);});}` +
  `function base(){var b=document.body&&document.body.getAttribute("data-base-url");if(b)return b;` +
  `var c=document.getElementById("jupyter-config-data");` +
  `try{b=c&&JSON.parse(c.textContent).baseUrl;}catch(e){}return b||"/";}` +
  `return function(draw){if(state==="loaded")return draw(window.Plotly);if(state==="failed")return;` +
  `queue.push(draw);if(state==="loading")return;` +
  `if(location.protocol==="file:"){state="failed";return;}state="loading";` +
  `var url=base();if(url.slice(-1)!=="/")url+="/";url+="kernelspecs/${PLOTLY_RESOURCE.kernel}/` +
  `${PLOTLY_RESOURCE.file.replace(/\.js$/, "")}";` +
  `if(typeof window.requirejs==="function"&&window.define&&window.define.amd){` +
  `window.requirejs.config({paths:{"lenses-plotly":url}});` +
  `window.requirejs(["lenses-plotly"],done,function(){done();});}else{` +
  `var s=document.createElement("script");s.src=url+".js";` +
  `s.onload=function(){done();};s.onerror=function(){done();};document.head.appendChild(s);}};` +
  `})())`;

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
    `function draw(P){el.innerHTML="";P.newPlot(el,f.data,f.layout,{responsive:true});}` +
    `if(window.Plotly)draw(window.Plotly);else ${LOADER_SCRIPT}(draw);})();</script>`;
  return { [PLOTLY_MIME]: json, "text/html": html, "text/plain": text };
}

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
  return await display(figureBundle(figure), options);
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
