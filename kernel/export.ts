/**
 * Notebook to one self-contained HTML page: markdown and math, highlighted code, outputs,
 * a banner when the run failed, and a footer describing the run.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { writeFileAtomic } from "../lib/io/fs.ts";
import { escapeHtml } from "../lib/display/format.ts";
import { checkDestination } from "./destination.ts";
import { highlightCode } from "./html/code.ts";
import { MarkdownContext, renderMarkdown } from "./html/markdown.ts";
import { type OutputContext, renderOutput } from "./html/outputs.ts";
import { renderPage } from "./html/page.ts";
import { type Cell, joinSource, type Notebook, notebookName, readNotebook } from "./nbformat.ts";
import { reportsDir } from "./paths.ts";
import { seconds } from "./progress.ts";
import { cellDurationS, runInfoOf, runnerOf } from "./run_info.ts";

/** Options of {@link notebookToHtml}. */
export interface ExportOptions {
  /** The page title when the notebook has no level-1 heading. */
  title: string;
  /**
   * Keep the notebook's HTML outputs as they are, scripts included. Only for notebooks the
   * user executed themselves (as Jupyter's trust): by default HTML outputs are sanitised, as a
   * notebook from elsewhere could carry script that runs when the page is opened.
   */
  trusted?: boolean;
}

/**
 * Renders `nb` as a complete HTML document.
 *
 * @example
 * ```ts
 * const html = notebookToHtml(await readNotebook("reports/ilyas.ipynb"), { title: "ilyas" });
 * ```
 */
export function notebookToHtml(
  nb: Notebook,
  options: ExportOptions,
): string {
  const ctx: OutputContext = {
    markdown: new MarkdownContext(),
    usedPlotly: false,
    figures: 0,
    trusted: options.trusted ?? false,
  };
  const body = nb.cells.map((cell) => renderCell(nb, cell, ctx)).join("\n");
  const title = ctx.markdown.headings.find((h) => h.level === 1)?.text ??
    options.title;
  return renderPage({
    title,
    body,
    headings: ctx.markdown.headings,
    banner: renderBanner(nb),
    footer: renderFooter(nb),
    usedMath: ctx.markdown.usedMath,
    usedPlotly: ctx.usedPlotly,
  });
}

function renderCell(nb: Notebook, cell: Cell, ctx: OutputContext): string {
  const source = joinSource(cell.source);
  if (cell.cell_type === "markdown") {
    return `<section class="cell markdown" id="cell-${cell.id}">${
      renderMarkdown(source, ctx.markdown, cell.attachments)
    }</section>`;
  }
  if (cell.cell_type !== "code") {
    return `<section class="cell raw" id="cell-${cell.id}"><pre>${
      escapeHtml(source)
    }</pre></section>`;
  }
  const duration = cellDurationS(nb, cell);
  const prompt = `In [${cell.execution_count ?? " "}]:${
    duration === null ? "" : `<span class="duration">${seconds(duration * 1000)}</span>`
  }`;
  const outputs = cell.outputs.map((o) => renderOutput(o, ctx)).join("\n");
  return `<section class="cell code" id="cell-${cell.id}">
<div class="prompt">${prompt}</div>
<pre class="source"><code class="hljs language-typescript">${
    highlightCode(source, "typescript")
  }</code></pre>
<div class="outputs">${outputs}</div>
</section>`;
}

function renderBanner(nb: Notebook): string {
  const runner = runnerOf(nb);
  if (runner === null || runner.status === "ok") return "";
  const error = runner.error;
  const where = error && error.cellIndex !== null
    ? ` at <a href="#cell-${nb.cells[error.cellIndex]?.id}">cell ${error.cellIndex + 1}</a>`
    : "";
  const what = error ? `: ${escapeHtml(`${error.ename}: ${error.evalue}`)}` : "";
  return `<div class="banner failed"><strong>This run failed (${
    escapeHtml(runner.status)
  })</strong>${where}${what}</div>`;
}

function renderFooter(nb: Notebook): string {
  const runner = runnerOf(nb);
  const info = runInfoOf(nb);
  const rows: [string, unknown][] = [];
  if (info) rows.push(...Object.entries(info));
  if (runner) {
    rows.push(
      ["status", runner.status],
      ["started", runner.started],
      ["duration", seconds(runner.duration_s * 1000)],
    );
    for (const [k, v] of Object.entries(runner.env ?? {})) rows.push([k, v]);
    for (const [k, v] of Object.entries(runner.params ?? {})) {
      rows.push([`param ${k}`, v]);
    }
  }
  const table = (r: [string, unknown][]) =>
    `<table>${
      r.map(([k, v]) =>
        `<tr><th>${escapeHtml(k)}</th><td>${
          escapeHtml(typeof v === "string" ? v : JSON.stringify(v))
        }</td></tr>`
      ).join("")
    }</table>`;
  const durations: [string, unknown][] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const d = cellDurationS(nb, cell);
    if (d === null) return;
    const first = joinSource(cell.source).split("\n")[0].slice(0, 60);
    durations.push([`cell ${i + 1}`, `${seconds(d * 1000)} — ${first}`]);
  });
  const parts = [];
  if (rows.length > 0) parts.push(`<h4>Run</h4>${table(rows)}`);
  if (durations.length > 0) {
    parts.push(
      `<details><summary>Time per cell</summary>${table(durations)}</details>`,
    );
  }
  parts.push(`<p>Generated by lenses on ${new Date().toISOString()}.</p>`);
  return parts.join("\n");
}

/**
 * Exports the notebook at `path` to HTML at `output` (default reports/<name>.html), atomically;
 * its HTML outputs are sanitised unless `trusted`. A destination that cannot be written is a
 * DestinationError before anything is read.
 *
 * @example
 * ```ts
 * const out = await exportNotebookFile("reports/ilyas.ipynb");
 * ```
 */
export async function exportNotebookFile(
  path: string,
  output?: string,
  options: { trusted?: boolean } = {},
): Promise<string> {
  const name = notebookName(path);
  const target = resolve(output ?? join(reportsDir(), `${name}.html`));
  await checkDestination(target);
  const nb = await readNotebook(path);
  await writeFileAtomic(target, notebookToHtml(nb, { title: name, trusted: options.trusted }));
  return target;
}
