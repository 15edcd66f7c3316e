/**
 * The sweep page (the sweep folder's index.html, self-contained like the reports): per notebook
 * and parameter combination a table of every claim across seeds — verdict counts, each seed's
 * verdict linking to its run's page, the values' mean and spread, the pooled interval — then the
 * value-against-parameter charts and the list of points with their errors. Also the links the
 * reports index shows for the sweeps under reports/.
 *
 * @module
 */

import { join, relative } from "node:path";
import { escapeHtml, formatNumber, scriptJson } from "../../lib/display/format.ts";
import { renderPage } from "../html/page.ts";
import type { Heading } from "../html/markdown.ts";
import { type ClaimAcrossSeeds, countsText, paramsLabel } from "./aggregate.ts";
import type { SweepSummary } from "./sweep.ts";

/** A sweep as the reports index lists it. */
export interface SweepLink {
  /** The sweep page, relative to the reports folder. */
  href: string;
  notebooks: string[];
  scale: string;
  seeds: number[];
  params: string[];
  points: number;
  complete: number;
  generated: string;
}

const STYLE = `<style>
table.sweep { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1.2rem; font-size: 14px; }
table.sweep th, table.sweep td { border: 1px solid #d1d9e0; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
.seed { display: inline-block; min-width: 1.6rem; text-align: center; border-radius: 4px; margin: 1px; padding: 0 0.2rem; font-size: 12px; text-decoration: none; color: #1f2328; }
.v-holds { background: #dafbe1; }
.v-inconclusive { background: #fff8c5; }
.v-does-not-hold { background: #ffebe9; }
.v-not-run { background: #eaeef2; }
.v-failed { background: #cf222e; color: #fff; }
.v-ok { color: #116329; font-weight: 600; }
.muted { color: #59636e; }
</style>`;

function verdictClass(verdict: string): string {
  return `v-${verdict.replaceAll(" ", "-")}`;
}

function num(x: number | null | undefined): string {
  return x === null || x === undefined ? "—" : formatNumber(x);
}

function claimRow(c: ClaimAcrossSeeds, htmlOf: Map<string, string | null>): string {
  const seeds = c.seeds.map((seed, i) => {
    const title = `seed ${seed}: ${c.verdicts[i]}${c.measured[i] ? ` — ${c.measured[i]}` : ""}`;
    const href = htmlOf.get(c.points[i]);
    const chip = `class="seed ${verdictClass(c.verdicts[i])}" title="${escapeHtml(title)}"`;
    return href
      ? `<a ${chip} href="${escapeHtml(encodeURI(href))}">${seed}</a>`
      : `<span ${chip}>${seed}</span>`;
  }).join("");
  const v = c.value;
  const value = v === null
    ? `<span class="muted">no number recorded</span>`
    : `${num(v.mean)}${v.sd === null ? "" : ` ± ${num(v.sd)}`} <span class="muted">[${
      num(v.min)
    }, ${num(v.max)}], n=${v.n}</span>`;
  const pooled = c.pooled === null
    ? `<span class="muted">—</span>`
    : `${num(c.pooled.value)} [${num(c.pooled.lower)}, ${
      num(c.pooled.upper)
    }] <span class="muted">${Math.round(c.pooled.level * 100)}%, ${
      escapeHtml(c.pooled.method)
    }</span>`;
  return `<tr><td>${escapeHtml(c.claim)}<br><span class="muted">${escapeHtml(c.id)}${
    c.sanity ? " · sanity check, counted apart" : ""
  }${c.criterion ? ` · criterion: ${escapeHtml(c.criterion)}` : ""}</span></td><td>${
    escapeHtml(c.paper)
  }</td><td>${
    escapeHtml(countsText(c.counts))
  }<br>${seeds}</td><td>${value}</td><td>${pooled}</td></tr>`;
}

/**
 * The sweep page for a summary.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile(join(summary.dir, "index.html"), renderSweepPage(summary));
 * ```
 */
export function renderSweepPage(summary: SweepSummary): string {
  const title = `Sweep: ${summary.notebooks.join(", ")}`;
  const headings: Heading[] = [];
  const h2 = (text: string, id: string) => {
    headings.push({ level: 2, text, id });
    return `<h2 id="${escapeHtml(id)}">${escapeHtml(text)}</h2>`;
  };
  const htmlOf = new Map(summary.points.map((p) => [p.id, p.html]));
  const grid = Object.entries(summary.grid);
  const intro = `<h1 id="top">${escapeHtml(title)}</h1>
<p>Scale <code>${escapeHtml(summary.scale)}</code>, seeds ${escapeHtml(summary.seeds.join(", "))}${
    grid.length === 0 ? "" : `, parameters ${
      escapeHtml(
        grid.map(([k, vs]) => `${k} ∈ {${vs.map((v) => JSON.stringify(v)).join(", ")}}`).join(
          "; ",
        ),
      )
    }`
  }; ${summary.executor} executor. ${summary.counts.complete} of ${summary.counts.points} points complete${
    summary.counts.failed > 0 ? `, <strong>${summary.counts.failed} not</strong>` : ""
  }.</p>
<p class="muted">Each claim: verdict counts across seeds (a seed's chip links to its run); the
measured values' mean ± sample standard deviation [min, max]; and the seeds pooled into one
estimate with its interval — random effects (DerSimonian–Laird) over the runs' own intervals when
every run recorded one, else a Student-t interval of the mean over seeds.</p>`;
  const claims = summary.groups.map((g) => {
    const label = g.label ? `${g.notebook} (${g.label})` : g.notebook;
    const id = `claims-${g.notebook}${g.label ? `-${g.label.replace(/[^\w.-]+/g, "-")}` : ""}`;
    const rows = g.claims.map((c) => claimRow(c, htmlOf)).join("\n");
    return `${h2(label, id)}${
      g.claims.length === 0
        ? `<p class="muted">No claims recorded.</p>`
        : `<table class="sweep"><tr><th>claim</th><th>paper</th><th>verdicts across seeds</th><th>value: mean ± sd [min, max]</th><th>pooled over seeds [interval]</th></tr>
${rows}</table>`
    }`;
  }).join("\n");
  const charts = summary.charts.length === 0 ? "" : h2("Across parameters", "across-parameters") +
    summary.charts.map((c, i) =>
      `<div class="plotly-figure" id="sweep-figure-${i}"></div><script type="application/json" data-plotly-for="sweep-figure-${i}">${
        scriptJson(c.figure)
      }</script>`
    ).join("\n");
  const points = h2("Points", "points") +
    `<table class="sweep"><tr><th>point</th><th>seed</th><th>parameters</th><th>status</th><th>duration</th><th>error</th></tr>
${
      summary.points.map((p) =>
        `<tr><td>${
          p.html
            ? `<a href="${escapeHtml(encodeURI(p.html))}">${escapeHtml(p.id)}</a>`
            : escapeHtml(p.id)
        }</td><td>${p.seed}</td><td>${escapeHtml(paramsLabel(p.params))}</td><td class="${
          p.status === "ok" ? "v-ok" : ""
        }">${escapeHtml(p.status)}</td><td>${
          p.duration_s === null ? "—" : `${p.duration_s.toFixed(1)} s`
        }</td><td><pre style="margin:0;white-space:pre-wrap">${
          escapeHtml(p.error ?? "")
        }</pre></td></tr>`
      ).join("\n")
    }</table>`;
  return renderPage({
    title,
    body: STYLE + intro + claims + charts + points,
    headings,
    footer: `<p>Generated by lenses (deno task sweep) on ${escapeHtml(summary.generated)}; data in
<a href="sweep.json">sweep.json</a>.</p>`,
    usedMath: false,
    usedPlotly: summary.charts.length > 0,
  });
}

async function* sweepFiles(dir: string, depth: number): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isFile && e.name === "sweep.json") yield join(dir, e.name);
    else if (e.isDirectory && depth > 0) yield* sweepFiles(join(dir, e.name), depth - 1);
  }
}

/**
 * The sweeps under `root` (folders holding a sweep.json, up to three levels down), for the
 * reports index; unreadable ones are skipped.
 *
 * @example
 * ```ts
 * (await findSweeps("reports")).map((s) => s.href); // ["sweeps/05-subitization-quick/index.html"]
 * ```
 */
export async function findSweeps(root: string): Promise<SweepLink[]> {
  const links: SweepLink[] = [];
  for await (const file of sweepFiles(root, 3)) {
    let s: SweepSummary;
    try {
      s = JSON.parse(await Deno.readTextFile(file));
    } catch {
      continue;
    }
    if (!Array.isArray(s.points) || !Array.isArray(s.notebooks)) continue;
    links.push({
      href: relative(root, join(file, "..", "index.html")),
      notebooks: s.notebooks,
      scale: String(s.scale),
      seeds: s.seeds,
      params: Object.keys(s.grid ?? {}),
      points: s.points.length,
      complete: s.points.filter((p) => p.status === "ok").length,
      generated: String(s.generated),
    });
  }
  return links;
}

/**
 * The reports index's section listing sweeps (empty text when there are none).
 *
 * @example
 * ```ts
 * sweepsSection(await findSweeps("reports"));
 * ```
 */
export function sweepsSection(sweeps: readonly SweepLink[]): string {
  if (sweeps.length === 0) return "";
  const rows = sweeps.map((s) =>
    `<tr><td><a href="${escapeHtml(encodeURI(s.href))}">${
      escapeHtml(s.notebooks.join(", "))
    }</a></td><td>${escapeHtml(s.scale)}</td><td>${escapeHtml(s.seeds.join(", "))}</td><td>${
      escapeHtml(s.params.join(", "))
    }</td><td>${s.complete} / ${s.points}</td><td>${escapeHtml(s.generated)}</td></tr>`
  ).join("\n");
  return `<h2 id="sweeps">Sweeps</h2>
<table class="index"><tr><th>sweep</th><th>scale</th><th>seeds</th><th>parameters</th><th>points complete</th><th>generated</th></tr>
${rows}</table>`;
}

/**
 * The sweep's per-claim results as text lines, for the terminal: per notebook and parameter
 * combination, each claim's verdict counts, value and pooled interval; then the points that did
 * not complete, with their errors.
 *
 * @example
 * ```ts
 * for (const line of sweepText(summary)) console.error(line);
 * // 05-subitization (scale quick, seeds 0, 1, 2)
 * //   fixed-size-accurate: holds 3 / inconclusive 0 / does not hold 0 of 3; value 0.95 ± 0.01 …
 * ```
 */
export function sweepText(summary: SweepSummary): string[] {
  const lines: string[] = [];
  for (const g of summary.groups) {
    lines.push(
      `${g.notebook}${g.label ? ` [${g.label}]` : ""} (scale ${summary.scale}, seeds ${
        summary.seeds.join(", ")
      })`,
    );
    if (g.claims.length === 0) lines.push("  no claims recorded");
    for (const c of g.claims) {
      const v = c.value;
      const value = v === null
        ? ""
        : `; value ${num(v.mean)}${v.sd === null ? "" : ` ± ${num(v.sd)}`} [${num(v.min)}, ${
          num(v.max)
        }]`;
      const pooled = c.pooled === null
        ? ""
        : `; pooled ${num(c.pooled.value)} [${num(c.pooled.lower)}, ${num(c.pooled.upper)}] (${
          Math.round(c.pooled.level * 100)
        }%, ${c.pooled.method})`;
      const sanity = c.sanity ? " (sanity check)" : "";
      lines.push(`  ${c.id}${sanity}: ${countsText(c.counts)}${value}${pooled}`);
    }
  }
  for (const p of summary.points.filter((p) => p.status !== "ok")) {
    lines.push(`point ${p.id}: ${p.status}: ${p.error ?? ""}`);
  }
  return lines;
}
