/**
 * `deno task report`: runs notebooks one after another, each in a fresh kernel, exports each
 * to HTML (a failed run too, with its error), and writes the index page and summary.json
 * gathering every notebook's status, duration and claim verdicts.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { checkDestination, writeOrKeep } from "./destination.ts";
import type { ProgressEvent } from "./executor.ts";
import { notebookToHtml } from "./export.ts";
import { renderIndexPage, renderUnreadablePage } from "./html/index_page.ts";
import {
  type ClaimRecord,
  countSanityChecks,
  countVerdicts,
  type Verdict,
} from "../lib/display/claims.ts";
import { notebookName } from "./nbformat.ts";
import { notebooksDir, reportsDir } from "./paths.ts";
import { runNotebookFile, type RunOutcome } from "./runner.ts";
import { claimsOf } from "./run_info.ts";
import { removeStaleTemps } from "../lib/io/fs.ts";
import { findSweeps } from "./sweep/page.ts";

/** One notebook's line in summary.json. */
export interface ReportEntry {
  name: string;
  source: string;
  status: RunOutcome;
  duration_s: number;
  /** Report files, relative to the reports directory. */
  html: string;
  notebook: string | null;
  /** The paper's claims per verdict, the sanity checks per verdict (counted apart), every row. */
  claims: {
    counts: Record<Verdict, number>;
    sanity: Record<Verdict, number>;
    list: ClaimRecord[];
  };
  error: { cell: number | null; ename: string; evalue: string } | null;
}

/** The whole of summary.json. */
export interface ReportSummary {
  generated: string;
  scale: string;
  ok: boolean;
  notebooks: ReportEntry[];
}

/** Options for {@link buildReport}. */
export interface ReportOptions {
  /** Notebook files; default every notebooks/*.ipynb. */
  notebooks?: string[];
  /** LENSES_SCALE for the kernels. */
  scale: string;
  /** Output directory; default reports/. */
  outDir?: string;
  /** Per-cell limit in seconds. */
  timeoutS?: number;
  /** Progress callback factory, one per notebook (none = silent). */
  progress?: (name: string) => (event: ProgressEvent) => void;
  /**
   * Told, in one line, of each file that could not be written where it belongs and where it was
   * kept instead; the report is then not ok.
   */
  onWriteError?: (line: string) => void;
}

/**
 * The notebooks in `dir` (*.ipynb, sorted by name); empty when the directory is missing.
 *
 * @example
 * ```ts
 * await listNotebooks("notebooks"); // ["notebooks/ilyas.ipynb", ...]
 * ```
 */
export async function listNotebooks(dir: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".ipynb")) {
        found.push(join(dir, entry.name));
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return found.sort();
}

/**
 * Runs and exports every notebook, then writes index.html and summary.json. The output folder
 * is checked before anything runs (a DestinationError names it), and temporary files that
 * killed runs left there are removed.
 *
 * @example
 * ```ts
 * const summary = await buildReport({ scale: "quick" });
 * if (!summary.ok) Deno.exit(1);
 * ```
 */
export async function buildReport(
  options: ReportOptions,
): Promise<ReportSummary> {
  const outDir = resolve(options.outDir ?? reportsDir());
  await checkDestination(join(outDir, "index.html"));
  await removeStaleTemps(outDir);
  const paths = options.notebooks ?? await listNotebooks(notebooksDir());
  const entries: ReportEntry[] = [];
  let writesOk = true;
  const failedWrite = (line: string) => {
    writesOk = false;
    options.onWriteError?.(line);
  };
  const write = async (path: string, data: string) => {
    const written = await writeOrKeep(path, data);
    if (written.error) failedWrite(written.error);
  };
  for (const path of paths) {
    entries.push(await reportOne(path, outDir, options, write, failedWrite));
  }
  const summary: ReportSummary = {
    generated: new Date().toISOString(),
    scale: options.scale,
    ok: writesOk && entries.every((e) => e.status === "ok"),
    notebooks: entries,
  };
  await write(join(outDir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  await write(join(outDir, "index.html"), renderIndexPage(summary, await findSweeps(outDir)));
  return summary;
}

async function reportOne(
  path: string,
  outDir: string,
  options: ReportOptions,
  write: (path: string, data: string) => Promise<void>,
  failedWrite: (line: string) => void,
): Promise<ReportEntry> {
  const name = notebookName(path);
  const html = `${name}.html`;
  const run = await runNotebookFile(path, {
    output: join(outDir, `${name}.ipynb`),
    env: { LENSES_SCALE: options.scale },
    timeoutS: options.timeoutS,
    onProgress: options.progress?.(name),
  });
  if (run.writeError) failedWrite(run.writeError);
  const error = run.error
    ? {
      cell: run.error.cellIndex === null ? null : run.error.cellIndex + 1,
      ename: run.error.ename,
      evalue: run.error.evalue,
    }
    : null;
  const entry: ReportEntry = {
    name,
    source: path,
    status: run.status,
    duration_s: Math.round(run.durationMs) / 1000,
    html,
    notebook: run.notebook ? `${name}.ipynb` : null,
    claims: { counts: countVerdicts([]), sanity: countSanityChecks([]), list: [] },
    error,
  };
  const executed = run.notebook;
  if (executed === undefined) {
    await write(
      join(outDir, html),
      renderUnreadablePage(name, error?.evalue ?? "unreadable notebook"),
    );
    return entry;
  }
  const claims = claimsOf(executed);
  entry.claims = {
    counts: countVerdicts(claims),
    sanity: countSanityChecks(claims),
    list: claims,
  };
  // The report ran these notebooks itself: their HTML outputs are trusted.
  await write(join(outDir, html), notebookToHtml(executed, { title: name, trusted: true }));
  return entry;
}
