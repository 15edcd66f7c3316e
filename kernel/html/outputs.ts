/**
 * Code cell outputs to HTML, choosing the richest MIME type as Jupyter does. Plotly figures and
 * images are embedded; text/html is sanitised (no script, event handlers or frames: what
 * lenses' own tables, claims and progress bars use survives) unless the notebook is trusted;
 * text (streams, text/plain, errors) is escaped with its ANSI colours converted.
 *
 * @module
 */

import { isJsonMime, joinSource, type MimeBundle, type Output } from "../nbformat.ts";
import { ansiToHtml } from "./ansi.ts";
import { imageDataUrl } from "./images.ts";
import { sanitizeOutputHtml } from "./sanitize.ts";
import { escapeHtml, scriptJson } from "../../lib/display/format.ts";
import { PLOTLY_MIME } from "../../lib/display/output.ts";
import { type MarkdownContext, renderMarkdown, renderMath } from "./markdown.ts";

/** Page-wide state of output rendering. */
export interface OutputContext {
  markdown: MarkdownContext;
  /** Set when a plotly figure was rendered (the page then embeds plotly.js once). */
  usedPlotly: boolean;
  /** Counter for unique element ids. */
  figures: number;
  /** Keep text/html outputs as they are (the user ran the notebook); else sanitise them. */
  trusted: boolean;
}

const IMAGE_MIMES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/**
 * HTML for one output.
 *
 * @example
 * ```ts
 * const ctx = { markdown: new MarkdownContext(), usedPlotly: false, figures: 0, trusted: false };
 * renderOutput({ output_type: "stream", name: "stdout", text: "<b>hi</b>" }, ctx);
 * // '<pre class="output stream stdout">&lt;b&gt;hi&lt;/b&gt;</pre>'
 * ```
 */
export function renderOutput(output: Output, ctx: OutputContext): string {
  switch (output.output_type) {
    case "stream":
      return `<pre class="output stream ${output.name}">${
        ansiToHtml(joinSource(output.text))
      }</pre>`;
    case "error": {
      const text = output.traceback.length > 0
        ? output.traceback.join("\n")
        : `${output.ename}: ${output.evalue}`;
      return `<pre class="output error">${ansiToHtml(text)}</pre>`;
    }
    case "display_data":
    case "execute_result":
      // A cell ending in `await show...()` yields a result with an empty bundle: nothing to show.
      if (Object.keys(output.data).length === 0) return "";
      return `<div class="output ${output.output_type}">${
        renderBundle(output.data, output.metadata, ctx)
      }</div>`;
  }
}

/** The richest representation in a MIME bundle. */
function renderBundle(
  data: MimeBundle,
  metadata: Record<string, unknown>,
  ctx: OutputContext,
): string {
  const text = (mime: string) => {
    const v = data[mime];
    return Array.isArray(v) ? v.join("") : String(v);
  };
  if (PLOTLY_MIME in data) {
    const figure = typeof data[PLOTLY_MIME] === "string"
      ? JSON.parse(text(PLOTLY_MIME))
      : data[PLOTLY_MIME];
    ctx.usedPlotly = true;
    const id = `plotly-figure-${++ctx.figures}`;
    return `<div class="plotly-figure" id="${id}"></div>` +
      `<script type="application/json" data-plotly-for="${id}">${scriptJson(figure)}</script>`;
  }
  if ("text/html" in data) {
    return ctx.trusted ? text("text/html") : sanitizeOutputHtml(text("text/html"));
  }
  if ("image/svg+xml" in data) {
    // As an <img>, an SVG cannot run script.
    return `<img alt="figure" src="${imageDataUrl("image/svg+xml", text("image/svg+xml"))}">`;
  }
  const image = IMAGE_MIMES.find((m) => m in data);
  if (image) {
    const size = (metadata[image] ?? {}) as { width?: number; height?: number };
    const dims = [
      typeof size.width === "number" ? ` width="${size.width}"` : "",
      typeof size.height === "number" ? ` height="${size.height}"` : "",
    ].join("");
    return `<img alt="output image"${dims} src="${escapeHtml(imageDataUrl(image, text(image)))}">`;
  }
  if ("text/markdown" in data) {
    return `<div class="markdown">${renderMarkdown(text("text/markdown"), ctx.markdown)}</div>`;
  }
  if ("text/latex" in data) {
    ctx.markdown.usedMath = true;
    const tex = text("text/latex").trim().replace(/^\$\$?|\$\$?$/g, "");
    return renderMath(tex, true);
  }
  const json = Object.keys(data).find(isJsonMime);
  if (json && !("text/plain" in data)) {
    return `<pre class="output json">${escapeHtml(JSON.stringify(data[json], null, 2))}</pre>`;
  }
  if ("text/plain" in data) {
    return `<pre class="output text">${ansiToHtml(text("text/plain"))}</pre>`;
  }
  return "";
}
