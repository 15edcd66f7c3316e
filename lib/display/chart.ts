/**
 * Charts as plotly figures (typed with nodeplotlib's `Plot`/`Layout`): line plots with several
 * series, scatter, bar, heatmaps with labelled axes and a colour bar, and histograms. Builders
 * return a plain {@link Figure}; {@link showFigure} displays it.
 *
 * @module
 */

import type { Layout, Plot } from "nodeplotlib";
import { type ColormapName, plotlyColorscale } from "./colormap.ts";
import { extent, formatNumber } from "./format.ts";

export type { Layout, Plot } from "nodeplotlib";

/** A plotly figure: traces and layout, JSON-serialisable. */
export interface Figure {
  /** Traces (lines, bars, a heatmap, …). */
  data: Plot[];
  /** Axes, title, size and legend. */
  layout: Layout;
}

/** Options shared by every chart. */
export interface ChartOptions {
  /** Title above the chart. */
  title?: string;
  /** x axis title. */
  xLabel?: string;
  /** y axis title. */
  yLabel?: string;
  /** Logarithmic x axis. */
  logX?: boolean;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Size in px; by default the front end chooses the width and the height is 360. */
  width?: number;
  /** Height in px (default 360). */
  height?: number;
}

/** One series of a line or scatter chart. */
export interface Series {
  /** Legend entry. */
  name: string;
  /** x values (numbers or category labels); default 0, 1, 2, … */
  x?: ArrayLike<number> | readonly string[];
  /** y values; NaN and ±Infinity leave gaps. */
  y: ArrayLike<number>;
  /** Hover text per point (scatter), e.g. class names. */
  labels?: readonly string[];
}

/** Converts numbers to a JSON-safe array: NaN and ±Infinity become null (a gap in plotly). */
function numbers(values: ArrayLike<number>, what: string): (number | null)[] {
  if (
    values === null || typeof values !== "object" ||
    typeof values.length !== "number"
  ) {
    throw new Error(
      `chart: ${what} must be an array of numbers (or a Float32Array).`,
    );
  }
  return Array.from(values, (v) => {
    if (typeof v !== "number") {
      throw new Error(
        `chart: ${what} holds ${JSON.stringify(v)}; only numbers can be plotted.`,
      );
    }
    return Number.isFinite(v) ? v : null;
  });
}

function xValues(s: Series, what: string): (number | null)[] | string[] {
  if (s.x === undefined) return Array.from({ length: s.y.length }, (_, i) => i);
  if (s.x.length !== s.y.length) {
    throw new Error(
      `chart: ${what} "${s.name}" has ${s.x.length} x values but ${s.y.length} y values; give one x per y.`,
    );
  }
  const first = s.x[0];
  return typeof first === "string" ? Array.from(s.x as readonly string[]) : numbers(
    s.x as ArrayLike<number>,
    `x of "${s.name}"`,
  );
}

function requireSeries(series: readonly Series[], chart: string): void {
  if (!Array.isArray(series) || series.length === 0) {
    throw new Error(
      `${chart}: give at least one series, e.g. [{ name: "train", y: losses }].`,
    );
  }
}

/**
 * A title as plotly.js 2+ reads it (`{ text }`): since plotly.js 4 a bare string is ignored, so
 * charts would lose their titles in the reports and in every front end.
 */
function titleOf(text: string): { text: string } {
  return { text };
}

function axisTitle(text: string | undefined) {
  return text === undefined ? {} : { title: titleOf(text) };
}

function baseLayout(options: ChartOptions): Layout {
  const layout: Layout = {
    xaxis: {
      ...axisTitle(options.xLabel),
      ...(options.logX ? { type: "log" } : {}),
    },
    yaxis: {
      ...axisTitle(options.yLabel),
      ...(options.logY ? { type: "log" } : {}),
    },
    height: options.height ?? 360,
    margin: { t: options.title ? 40 : 16, r: 16, b: 48, l: 56 },
  };
  if (options.title) layout.title = titleOf(options.title);
  if (options.width) layout.width = options.width;
  return layout;
}

/**
 * A line chart with one line per series (training curves, accuracy vs ε).
 *
 * @example
 * ```ts
 * const fig = lineChart([
 *   { name: "standard", x: eps, y: accStandard },
 *   { name: "robust", x: eps, y: accRobust },
 * ], { xLabel: "ε", yLabel: "accuracy" });
 * await showFigure(fig);
 * ```
 */
export function lineChart(
  series: readonly Series[],
  options: ChartOptions & { markers?: boolean } = {},
): Figure {
  requireSeries(series, "lineChart");
  return {
    data: series.map((s) => ({
      type: "scatter",
      mode: options.markers ? "lines+markers" : "lines",
      name: s.name,
      x: xValues(s, "series"),
      y: numbers(s.y, `y of "${s.name}"`),
    })),
    layout: baseLayout(options),
  };
}

/**
 * A scatter chart with one marker colour per series; `labels` become hover text.
 *
 * @example
 * ```ts
 * const fig = scatterChart([{ name: "neurons", x: cka, y: accuracyDrop, labels: names }],
 *   { xLabel: "CKA", yLabel: "accuracy drop" });
 * ```
 */
export function scatterChart(
  series: readonly Series[],
  options: ChartOptions = {},
): Figure {
  requireSeries(series, "scatterChart");
  return {
    data: series.map((s) => {
      const trace: Plot = {
        type: "scatter",
        mode: "markers",
        name: s.name,
        x: xValues(s, "series"),
        y: numbers(s.y, `y of "${s.name}"`),
      };
      if (s.labels) {
        if (s.labels.length !== s.y.length) {
          throw new Error(
            `scatterChart: series "${s.name}" has ${s.labels.length} labels for ${s.y.length} points.`,
          );
        }
        trace.text = Array.from(s.labels);
      }
      return trace;
    }),
    layout: baseLayout(options),
  };
}

/** Bars of several series over shared categories. */
export interface GroupedBars {
  /** Category labels along the x axis. */
  categories: readonly string[];
  /** One value per category for each series. */
  series: ReadonlyArray<{ name: string; values: ArrayLike<number> }>;
}

/** Bars: a record of category → value, or categories with one value list per series. */
export type BarData = Record<string, number> | GroupedBars;

const isGrouped = (bars: BarData): bars is GroupedBars =>
  Array.isArray((bars as { categories?: unknown }).categories);

/**
 * A bar chart: one bar per category, grouped (or stacked) when there are several series.
 *
 * @example
 * ```ts
 * barChart({ clean: 0.99, fgsm: 0.31, pgd: 0.02 }, { yLabel: "accuracy" });
 * barChart({ categories: ["0", "1"], series: [{ name: "std", values: [0.9, 0.8] },
 *   { name: "robust", values: [0.7, 0.6] }] });
 * ```
 */
export function barChart(
  bars: BarData,
  options: ChartOptions & { stacked?: boolean } = {},
): Figure {
  if (bars === null || typeof bars !== "object") {
    throw new Error(
      "barChart: give { label: value } or { categories, series }.",
    );
  }
  const categories = isGrouped(bars) ? Array.from(bars.categories) : Object.keys(bars);
  const series = isGrouped(bars) ? bars.series : [{ name: "", values: Object.values(bars) }];
  if (categories.length === 0) {
    throw new Error("barChart: there are no bars to draw.");
  }
  const data: Plot[] = series.map((s) => {
    if (s.values.length !== categories.length) {
      throw new Error(
        `barChart: series "${s.name}" has ${s.values.length} values for ${categories.length} categories.`,
      );
    }
    const trace: Plot = {
      type: "bar",
      x: categories,
      y: numbers(s.values, `values of "${s.name}"`),
    };
    if (s.name) trace.name = s.name;
    return trace;
  });
  const layout = baseLayout(options);
  layout.barmode = options.stacked ? "stack" : "group";
  layout.showlegend = series.length > 1;
  return { data, layout };
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends ChartOptions {
  /** Column labels (x axis). */
  xTicks?: readonly string[];
  /** Row labels (y axis). */
  yTicks?: readonly string[];
  /** Colour bar title. */
  colorbar?: string;
  /** Colour map (default viridis); `diverging` is centred at 0. */
  colormap?: ColormapName;
  /** Fixed colour range; default the data's range (symmetric about 0 for diverging). */
  range?: { min: number; max: number };
}

/**
 * A heatmap of a matrix, row 0 at the top (similarity matrices, |W·M| weight maps).
 *
 * @example
 * ```ts
 * heatmap(cka, { xTicks: layersB, yTicks: layersA, colorbar: "CKA", title: "Layer similarity" });
 * heatmap(weights, { colormap: "diverging", colorbar: "w" });
 * ```
 */
export function heatmap(
  z: ReadonlyArray<ArrayLike<number>>,
  options: HeatmapOptions = {},
): Figure {
  if (!Array.isArray(z) || z.length === 0 || z[0].length === 0) {
    throw new Error(
      "heatmap: give a non-empty matrix as an array of rows (await tensor.array()).",
    );
  }
  const cols = z[0].length;
  const rows = z.map((row, i) => {
    if (row.length !== cols) {
      throw new Error(
        `heatmap: row ${i} has ${row.length} values but row 0 has ${cols}.`,
      );
    }
    return numbers(row, `row ${i}`);
  });
  if (options.xTicks && options.xTicks.length !== cols) {
    throw new Error(
      `heatmap: ${options.xTicks.length} xTicks for ${cols} columns.`,
    );
  }
  if (options.yTicks && options.yTicks.length !== rows.length) {
    throw new Error(
      `heatmap: ${options.yTicks.length} yTicks for ${rows.length} rows.`,
    );
  }
  const colormap = options.colormap ?? "viridis";
  let zmin: number;
  let zmax: number;
  if (options.range) {
    ({ min: zmin, max: zmax } = options.range);
  } else {
    const ext = extent(rows);
    if (!ext) {
      throw new Error(
        "heatmap: the matrix holds no finite value (all NaN or ±Infinity), so there is no " +
          "colour range; check the data, or give options.range = { min, max }.",
      );
    }
    ({ lo: zmin, hi: zmax } = ext);
  }
  if (colormap === "diverging") {
    const m = Math.max(Math.abs(zmin), Math.abs(zmax));
    [zmin, zmax] = [-m, m];
  }
  const trace: Plot = {
    type: "heatmap",
    z: rows,
    colorscale: plotlyColorscale(colormap),
    zmin,
    zmax,
    // nodeplotlib's types predate title objects on colour bars; plotly.js reads only those.
    colorbar: options.colorbar === undefined
      ? {}
      : { title: titleOf(options.colorbar) } as unknown as Plot["colorbar"],
  };
  if (options.xTicks) trace.x = Array.from(options.xTicks);
  if (options.yTicks) trace.y = Array.from(options.yTicks);
  const layout = baseLayout(options);
  layout.yaxis = { ...layout.yaxis, autorange: "reversed" };
  return { data: [trace], layout };
}

/** Options of {@link histogram}. */
export interface HistogramOptions extends ChartOptions {
  /** Number of bins (default 30). */
  bins?: number;
  /** Range binned; default the data's range. */
  range?: { min: number; max: number };
  /** Show densities (integrating to 1) instead of counts. */
  density?: boolean;
}

/**
 * A histogram, binned here so the figure stays small however many values there are (a layer's
 * weights, activation norms). Several series share the same bins and overlay.
 *
 * @example
 * ```ts
 * histogram([{ name: "standard", values: normsStd }, { name: "robust", values: normsRobust }],
 *   { bins: 40, xLabel: "‖∇x‖" });
 * ```
 */
export function histogram(
  values:
    | ArrayLike<number>
    | ReadonlyArray<{ name: string; values: ArrayLike<number> }>,
  options: HistogramOptions = {},
): Figure {
  const series = Array.isArray(values) && typeof values[0] === "object"
    ? values as ReadonlyArray<{ name: string; values: ArrayLike<number> }>
    : [{ name: "", values: values as ArrayLike<number> }];
  const bins = options.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(
      `histogram: bins must be a positive integer (got ${bins}).`,
    );
  }
  const finite = series.map((s) =>
    numbers(s.values, `values of "${s.name}"`).filter((v): v is number => v !== null)
  );
  const ext = extent(finite);
  if (!ext) {
    throw new Error("histogram: there are no finite values to bin.");
  }
  let lo = options.range?.min ?? ext.lo;
  let hi = options.range?.max ?? ext.hi;
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
  const width = (hi - lo) / bins;
  const centres = Array.from(
    { length: bins },
    (_, i) => lo + (i + 0.5) * width,
  );
  const data: Plot[] = series.map((s, k) => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of finite[k]) {
      if (v < lo || v > hi) continue;
      counts[Math.min(bins - 1, Math.floor((v - lo) / width))] += 1;
    }
    const n = finite[k].length;
    const trace: Plot = {
      type: "bar",
      x: centres,
      y: options.density ? counts.map((c) => c / (n * width)) : counts,
      width: Array(bins).fill(width),
      opacity: series.length > 1 ? 0.6 : 1,
    };
    if (s.name) trace.name = s.name;
    return trace;
  });
  const layout = baseLayout({
    yLabel: options.density ? "density" : "count",
    ...options,
  });
  layout.barmode = "overlay";
  layout.bargap = 0;
  layout.showlegend = series.length > 1;
  return { data, layout };
}

function range(values: unknown, digits = 3): string {
  const ext = Array.isArray(values) ? extent(values) : undefined;
  if (!ext) return "[]";
  return `[${formatNumber(ext.lo, digits)}, ${formatNumber(ext.hi, digits)}]`;
}

/**
 * A plain-text summary of a figure (its `text/plain` form): title, axes and, per trace, the
 * number of points and the ranges, so a figure still says something where it cannot be drawn.
 *
 * @example
 * ```ts
 * figureText(lineChart([{ name: "loss", y: [1, 0.5] }]));
 * // "Line/scatter chart\n  loss: 2 points, x [0, 1], y [0.5, 1], last 0.5000"
 * ```
 */
export function figureText(figure: Figure): string {
  const { data, layout } = figure;
  const types = [...new Set(data.map((t) => t.type ?? "scatter"))];
  const kind = types.map((t) =>
    t === "scatter" ? "Line/scatter" : t === "bar" ? "Bar" : t[0].toUpperCase() + t.slice(1)
  ).join(" + ");
  const title = typeof layout.title === "string" ? layout.title : layout.title?.text;
  const axis = (a: Layout["xaxis"] | undefined) => {
    const t = a?.title;
    return typeof t === "string" ? t : t?.text;
  };
  const head = [`${kind} chart${title ? `: ${title}` : ""}`];
  const x = axis(layout.xaxis);
  const y = axis(layout.yaxis);
  if (x || y) head.push(`  axes: x = ${x ?? "—"}, y = ${y ?? "—"}`);
  const lines = data.map((t, i) => {
    const name = t.name ?? (data.length > 1 ? `trace ${i}` : "values");
    if (t.type === "heatmap") {
      const z = (t.z ?? []) as unknown[][];
      return `  ${z.length}×${z[0]?.length ?? 0} matrix, z ${range(z)}, colour range [${
        formatNumber(Number(t.zmin), 3)
      }, ${formatNumber(Number(t.zmax), 3)}]`;
    }
    const ys = (t.y ?? []) as (number | null)[];
    const xs = (t.x ?? []) as unknown[];
    if (t.type === "bar" && xs.length <= 12) {
      return `  ${name}: ${xs.map((c, j) => `${c}=${formatNumber(Number(ys[j]), 3)}`).join(", ")}`;
    }
    const last = [...ys].reverse().find((v) => typeof v === "number");
    const xr = typeof xs[0] === "string" ? `${xs.length} categories` : `x ${range(xs)}`;
    return `  ${name}: ${ys.length} points, ${xr}, y ${range(ys)}` +
      (last === undefined || last === null ? "" : `, last ${formatNumber(last)}`);
  });
  return [...head, ...lines].join("\n");
}
