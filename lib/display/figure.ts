/**
 * Showing plotly figures. The bundle carries the figure as `application/vnd.plotly.v1+json`
 * (VS Code renders it natively, JupyterLab with jupyterlab-plotly, the lenses HTML export
 * with the plotly.js it embeds), a `text/html` fallback, and a `text/plain` summary.
 *
 * The HTML fallback is a text summary inside a div plus a script that draws the figure only
 * if `window.Plotly` is already on the page: nothing is fetched from the network.
 *
 * @module
 */

import { type Figure, figureText } from "./chart.ts";
import { escapeHtml, scriptJson } from "./format.ts";
import { display, type MimeBundle, newDisplayId, type Output, PLOTLY_MIME } from "./output.ts";

/**
 * The MIME bundle of a figure.
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
  const json = JSON.parse(
    JSON.stringify({ data: figure.data, layout: figure.layout ?? {} }),
  );
  const text = figureText(json);
  const id = newDisplayId("plot");
  const html = `<div id="${id}" class="lenses-plot"><pre>${escapeHtml(text)}</pre></div>\n` +
    `<script>(function(){var el=document.getElementById(${JSON.stringify(id)});` +
    `if(el&&window.Plotly){var f=${scriptJson(json)};el.innerHTML="";` +
    `window.Plotly.newPlot(el,f.data,f.layout,{responsive:true});}})();</script>`;
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
export function showFigure(
  figure: Figure,
  options: { displayId?: string; update?: boolean } = {},
): Promise<Output> {
  return display(figureBundle(figure), options);
}
