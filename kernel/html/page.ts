/**
 * The HTML page around a rendered notebook: styles, table of contents, footer, and the
 * embedded assets (KaTeX CSS, plotly.js) only when the page uses them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { highlightCss, katexCss, plotlyJs } from "./assets.ts";
import { escapeHtml } from "../../lib/display/format.ts";
import type { Heading } from "./markdown.ts";

/** What a page is made of. */
export interface PageParts {
  title: string;
  /** Rendered cells (trusted HTML). */
  body: string;
  headings: Heading[];
  /** Rendered footer (trusted HTML). */
  footer: string;
  /** Rendered banner shown above the cells, e.g. the failure of a run (trusted HTML). */
  banner?: string;
  usedMath: boolean;
  usedPlotly: boolean;
}

const STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --bg-code: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); font: 16px/1.6 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
.layout { display: flex; gap: 2rem; max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
nav.toc { flex: 0 0 220px; position: sticky; top: 1rem; align-self: flex-start; max-height: 95vh; overflow: auto; font-size: 14px; }
nav.toc ul { list-style: none; padding-left: 0.8rem; margin: 0.2rem 0; }
nav.toc a { color: var(--muted); text-decoration: none; }
nav.toc a:hover { color: var(--accent); }
main { flex: 1; min-width: 0; }
@media (max-width: 900px) { nav.toc { display: none; } }
.cell { margin: 1rem 0; }
.cell.code .source { background: var(--bg-code); border: 1px solid var(--border); border-radius: 6px; padding: 0.6rem 0.8rem; overflow-x: auto; margin: 0; font-size: 13.5px; }
.prompt { font: 12px monospace; color: var(--muted); margin-bottom: 0.2rem; }
.prompt .duration { float: right; }
.outputs { margin-top: 0.4rem; }
pre.output { margin: 0.2rem 0; padding: 0.4rem 0.8rem; white-space: pre-wrap; word-break: break-word; font-size: 13px; }
pre.output.stderr { background: #fff8e6; }
pre.output.error { background: #ffebe9; border-left: 3px solid #cf222e; }
.output img { max-width: 100%; }
.output table { border-collapse: collapse; }
.output th, .output td, .markdown th, .markdown td { border: 1px solid var(--border); padding: 0.2rem 0.5rem; }
.markdown table { border-collapse: collapse; }
.math-display { overflow-x: auto; }
.banner { padding: 0.8rem 1rem; border-radius: 6px; margin-bottom: 1rem; }
.banner.failed { background: #ffebe9; border: 1px solid #cf222e; }
footer { border-top: 1px solid var(--border); margin-top: 2rem; padding-top: 1rem; font-size: 14px; color: var(--muted); }
footer table { border-collapse: collapse; }
footer td, footer th { border: 1px solid var(--border); padding: 0.15rem 0.5rem; text-align: left; }
.plotly-figure { width: 100%; min-height: 420px; }
`;

/** Renders one plotly figure per placeholder once plotly.js is loaded. */
const PLOTLY_INIT = `
for (const data of document.querySelectorAll("script[data-plotly-for]")) {
  const figure = JSON.parse(data.textContent);
  const target = document.getElementById(data.dataset.plotlyFor);
  Plotly.newPlot(target, figure.data ?? [], figure.layout ?? {}, { responsive: true, ...(figure.config ?? {}) });
}
`;

/**
 * A script element for `code`: inline when the HTML parser cannot mistake any of it for
 * markup (no `<script` or `</script`), else as a base64 data URL, which is parsed as a whole.
 *
 * @example
 * ```ts
 * inlineScript("console.log(1)"); // "<script>console.log(1)</script>"
 * ```
 */
export function inlineScript(code: string): string {
  if (!/<\/?script/i.test(code)) return `<script>${code}</script>`;
  return `<script src="data:text/javascript;base64,${
    Buffer.from(code).toString("base64")
  }"></script>`;
}

/**
 * The table of contents as nested lists (levels 1 to 3).
 *
 * @example
 * ```ts
 * renderToc([{ level: 1, text: "Intro", id: "intro" }]);
 * ```
 */
export function renderToc(headings: Heading[]): string {
  const items = headings.filter((h) => h.level <= 3);
  if (items.length === 0) return "";
  const top = Math.min(...items.map((h) => h.level));
  const links = items.map((h) =>
    `<li style="margin-left:${(h.level - top) * 0.8}rem"><a href="#${h.id}">${
      escapeHtml(h.text)
    }</a></li>`
  ).join("\n");
  return `<nav class="toc"><strong>Contents</strong><ul>${links}</ul></nav>`;
}

/**
 * A complete, self-contained HTML document.
 *
 * @example
 * ```ts
 * renderPage({ title: "t", body: "<p>x</p>", headings: [], footer: "", usedMath: false, usedPlotly: false });
 * ```
 */
export function renderPage(parts: PageParts): string {
  const styles = [STYLE, highlightCss(), parts.usedMath ? katexCss() : ""]
    .join("\n");
  const scripts = parts.usedPlotly
    ? `${inlineScript(plotlyJs())}\n<script>${PLOTLY_INIT}</script>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lenses">
<title>${escapeHtml(parts.title)}</title>
<style>${styles}</style>
</head>
<body>
<div class="layout">
${renderToc(parts.headings)}
<main>
${parts.banner ?? ""}
${parts.body}
<footer>${parts.footer}</footer>
</main>
</div>
${scripts}
</body>
</html>
`;
}
