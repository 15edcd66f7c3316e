/**
 * Display for lenses notebooks: charts (plotly), image grids (PNG), tables, the run header,
 * the claims table, and progress. Each `show*` function displays a MIME bundle in Deno's
 * Jupyter kernel (or prints text in a script) and returns the {@link Output} it showed.
 *
 * @example
 * ```ts
 * import { Claims, createProgress, lineChart, showFigure, showImageGrid, showRunInfo, showTable }
 *   from "../lib/display/mod.ts";
 *
 * await showRunInfo({ backend: "wasm", scale: "quick", seed: 0 });
 * await showFigure(lineChart([{ name: "loss", y: losses }], { xLabel: "step" }));
 * await showImageGrid([clean, adversarial], { rowTitles: ["clean", "adversarial"] });
 * await showTable([{ eps: 0.1, accuracy: 0.42 }]);
 * ```
 *
 * @module
 */

export {
  display,
  type DisplayOptions,
  type JupyterApi,
  jupyterApi,
  type MimeBundle,
  newDisplayId,
  type Output,
  PLOTLY_MIME,
} from "./output.ts";
export {
  escapeHtml,
  extent,
  formatNumber,
  formatPercent,
  formatValue,
  scriptJson,
} from "./format.ts";
export { type Column, showTable, tableBundle, type TableOptions } from "./table.ts";
export { colormapLut, type ColormapName, COLORMAPS, plotlyColorscale } from "./colormap.ts";
export {
  encodeImageGrid,
  encodePng,
  type GridInput,
  type ImageArray,
  type ImageColormap,
  imageGridBundle,
  type ImageGridOptions,
  type ImageSource,
  type Normalize,
  showImageGrid,
} from "./image.ts";
export {
  barChart,
  type BarData,
  type ChartOptions,
  type Figure,
  figureText,
  type GroupedBars,
  heatmap,
  type HeatmapOptions,
  histogram,
  type HistogramOptions,
  type Layout,
  lineChart,
  type Plot,
  scatterChart,
  type Series,
} from "./chart.ts";
export { figureBundle, PLOTLY_RESOURCE, showFigure } from "./figure.ts";
export { RUN_METADATA_KEY, type RunInfo, runInfoOutput, showRunInfo } from "./run_info.ts";
export {
  type ClaimCheck,
  type ClaimRecord,
  Claims,
  CLAIMS_METADATA_KEY,
  countSanityChecks,
  countVerdicts,
  type EstimateClaimCheck,
  type LegacyClaimCheck,
  measuredWithCriterion,
  NOTEBOOK_METADATA_KEY,
  readClaimRecord,
  sanitySummary,
  type Verdict,
  VERDICTS,
  verdictSummary,
} from "./claims.ts";
export { describeInterval, formatCriterion, formatEstimate, type ValueFormat } from "./estimate.ts";
export {
  createProgress,
  formatDuration,
  type Progress,
  progressBundle,
  progressCallback,
  progressLine,
  type ProgressMode,
  type ProgressOptions,
  type ProgressState,
} from "./progress.ts";
