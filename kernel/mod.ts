/**
 * The Jupyter side of lenses: run notebooks headlessly through Deno's kernel, export them to
 * self-contained HTML, build the reports index, and manage the `lenses` kernelspec.
 *
 * @example
 * ```ts
 * import { buildReport, runNotebookFile } from "./kernel/mod.ts";
 * const run = await runNotebookFile("notebooks/ilyas.ipynb", { env: { LENSES_SCALE: "smoke" } });
 * const summary = await buildReport({ scale: "quick" });
 * ```
 *
 * @module
 */

export { executeNotebook, type ExecuteOptions, type ExecutionResult } from "./executor.ts";
export { DestinationError } from "./destination.ts";
export { exportNotebookFile, type ExportOptions, notebookToHtml } from "./export.ts";
export { type Kernel, startKernel } from "./kernel.ts";
export {
  installKernelSpec,
  jupyterDataDir,
  lensesKernelSpec,
  uninstallKernelSpec,
} from "./kernelspec.ts";
export {
  type Cell,
  clearOutputs,
  LENSES_KERNELSPEC,
  makeNotebook,
  type Notebook,
  NotebookFormatError,
  parseNotebook,
  readNotebook,
  serializeNotebook,
  withLensesMetadata,
} from "./nbformat.ts";
export { normalizeNotebookFile } from "./normalize.ts";
export {
  checkParams,
  injectParameters,
  notebookParameters,
  ParamError,
  parseParams,
} from "./params.ts";
export { buildReport, listNotebooks, type ReportSummary } from "./report.ts";
export { claimsOf, runInfoOf } from "./run_info.ts";
export type { ClaimRecord } from "../lib/display/claims.ts";
export { runNotebookFile, type RunOptions, type RunSummary } from "./runner.ts";
export { runSweep, type SweepOptions, type SweepSummary } from "./sweep/mod.ts";
export { validateNotebook } from "./validate.ts";
