import assert from "node:assert/strict";
import {
  barChart,
  type Figure,
  figureBundle,
  figureText,
  heatmap,
  histogram,
  lineChart,
  PLOTLY_MIME,
  plotlyColorscale,
  scatterChart,
  showFigure,
} from "../../lib/display/mod.ts";
import { captureLog, withFakeKernel } from "./helpers.ts";

Deno.test("lineChart makes one line per series with JSON-safe values", () => {
  const fig = lineChart([
    {
      name: "standard",
      x: [0, 0.1, 0.2],
      y: new Float32Array([0.99, 0.5, NaN]),
    },
    { name: "robust", y: [0.9, 0.8, 0.7] },
  ], { xLabel: "ε", yLabel: "accuracy", title: "PGD", logY: true });
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0], {
    type: "scatter",
    mode: "lines",
    name: "standard",
    x: [0, 0.1, 0.2],
    y: [Math.fround(0.99), 0.5, null],
  });
  assert.deepEqual(fig.data[1].x, [0, 1, 2]);
  // Title objects: plotly.js 4 ignores a bare string.
  assert.deepEqual(fig.layout.title, { text: "PGD" });
  assert.deepEqual(fig.layout.xaxis, { title: { text: "ε" } });
  assert.deepEqual(fig.layout.yaxis, { title: { text: "accuracy" }, type: "log" });
});

Deno.test("chart builders reject mismatched or missing data", () => {
  assert.throws(() => lineChart([]), /give at least one series/);
  assert.throws(
    () => lineChart([{ name: "a", x: [1, 2], y: [1] }]),
    /"a" has 2 x values but 1 y values/,
  );
  assert.throws(
    () => lineChart([{ name: "a", y: ["1"] as unknown as number[] }]),
    /only numbers can be plotted/,
  );
  assert.throws(
    () => scatterChart([{ name: "a", x: [1], y: [1], labels: ["p", "q"] }]),
    /2 labels for 1 points/,
  );
  assert.throws(
    () => heatmap([[1, 2], [3]]),
    /row 1 has 1 values but row 0 has 2/,
  );
  assert.throws(
    () => heatmap([[1, 2]], { xTicks: ["a"] }),
    /1 xTicks for 2 columns/,
  );
  assert.throws(() => histogram([NaN]), /no finite values/);
  assert.throws(
    () => barChart({ categories: ["a"], series: [{ name: "s", values: [1, 2] }] }),
    /"s" has 2 values for 1 categories/,
  );
});

Deno.test("scatterChart carries hover labels", () => {
  const fig = scatterChart([{
    name: "units",
    x: [1, 2],
    y: [3, 4],
    labels: ["u1", "u2"],
  }]);
  assert.equal(fig.data[0].mode, "markers");
  assert.deepEqual(fig.data[0].text, ["u1", "u2"]);
});

Deno.test("barChart takes a record or grouped series", () => {
  const simple = barChart({ clean: 0.99, pgd: 0.02 });
  assert.deepEqual(simple.data, [{
    type: "bar",
    x: ["clean", "pgd"],
    y: [0.99, 0.02],
  }]);
  assert.equal(simple.layout.showlegend, false);
  const grouped = barChart({
    categories: ["0", "1"],
    series: [{ name: "std", values: [1, 2] }, { name: "rob", values: [3, 4] }],
  }, { stacked: true });
  assert.equal(grouped.data.length, 2);
  assert.equal(grouped.layout.barmode, "stack");
  assert.equal(grouped.data[1].name, "rob");
});

Deno.test("heatmap puts row 0 on top, labels axes and centres diverging maps at 0", () => {
  const fig = heatmap([[1, -3], [2, 0.5]], {
    xTicks: ["a", "b"],
    yTicks: ["r0", "r1"],
    colorbar: "w",
    colormap: "diverging",
  });
  const [trace] = fig.data;
  assert.equal(trace.type, "heatmap");
  assert.deepEqual(trace.z, [[1, -3], [2, 0.5]]);
  assert.deepEqual([trace.zmin, trace.zmax], [-3, 3]);
  assert.deepEqual(trace.x, ["a", "b"]);
  assert.deepEqual(trace.y, ["r0", "r1"]);
  assert.deepEqual(trace.colorbar, { title: { text: "w" } });
  assert.deepEqual(trace.colorscale, plotlyColorscale("diverging"));
  assert.equal(fig.layout.yaxis?.autorange, "reversed");
  const viridis = heatmap([[0, 2]]).data[0];
  assert.deepEqual([viridis.zmin, viridis.zmax], [0, 2]);
});

Deno.test("heatmap of a 500×500 matrix takes its colour range from every value", () => {
  // 250,000 values: more than Math.min(...values) can take as arguments.
  const n = 500;
  const z = Array.from(
    { length: n },
    (_, r) => Float32Array.from({ length: n }, (_, c) => r - c),
  );
  z[7][11] = NaN;
  z[8][9] = Infinity;
  const [trace] = heatmap(z).data;
  assert.deepEqual([trace.zmin, trace.zmax], [-(n - 1), n - 1]);
  const rows = trace.z as (number | null)[][];
  assert.equal(rows.length, n);
  assert.equal(rows[n - 1].length, n);
  assert.equal(rows[7][11], null);
  assert.equal(rows[8][9], null);
});

Deno.test("heatmap with no finite value asks for data or a range", () => {
  assert.throws(
    () => heatmap([[NaN, Infinity], [-Infinity, NaN]]),
    /heatmap: the matrix holds no finite value.*options\.range/,
  );
  const [trace] = heatmap([[NaN]], { range: { min: 0, max: 1 } }).data;
  assert.deepEqual([trace.zmin, trace.zmax], [0, 1]);
});

Deno.test("histogram and figureText handle 300,000 values", () => {
  const values = Float32Array.from({ length: 300_000 }, (_, i) => i % 1000);
  const fig = histogram(values, { bins: 10 });
  const [trace] = fig.data;
  assert.equal((trace.y as number[]).reduce((a, b) => a + b), 300_000);
  assert.equal((trace.x as number[])[0], 49.95);
  const line = lineChart([{ name: "big", y: values }]);
  assert.match(
    figureText(line),
    /big: 300000 points, x \[0, 299999\], y \[0, 999\]/,
  );
});

Deno.test("histogram bins values itself and counts every value once", () => {
  const values = [0, 0.1, 0.2, 0.5, 0.9, 1];
  const fig = histogram(values, { bins: 2 });
  const [trace] = fig.data;
  assert.deepEqual(trace.x, [0.25, 0.75]);
  assert.deepEqual(trace.y, [3, 3]); // 0.5 falls in the upper bin, 1 in the last
  const dense = histogram(values, { bins: 2, density: true }).data[0]
    .y as number[];
  assert.equal(dense.reduce((a, b) => a + b) * 0.5, 1);
  const two = histogram([{ name: "a", values: [0, 1] }, {
    name: "b",
    values: [2],
  }], {
    bins: 2,
  });
  assert.deepEqual(two.data.map((t) => t.y), [[1, 1], [0, 1]]);
  assert.equal(two.layout.barmode, "overlay");
  assert.deepEqual(histogram([5, 5], { bins: 1 }).data[0].y, [2]);
});

Deno.test("figureBundle has plotly JSON, an HTML fallback and a text summary", () => {
  const fig = lineChart([{ name: "loss</script><b>", y: [3, 2, 1] }], {
    title: "train",
  });
  const bundle = figureBundle(fig);
  assert.deepEqual(bundle[PLOTLY_MIME], JSON.parse(JSON.stringify(fig)));
  assert.equal(
    bundle["text/plain"],
    "Line/scatter chart: train\n  loss</script><b>: 3 points, x [0, 2], y [1, 3], last 1",
  );
  const html = bundle["text/html"] as string;
  // One <script> element only: the series name cannot close it or inject markup.
  assert.equal(html.match(/<\/script>/g)?.length, 1);
  assert.equal(html.match(/<b>/g), null);
  // Draws now if plotly.js is on the page, else hands itself to the page's one loader.
  assert.match(html, /if\(window\.Plotly\)draw\(window\.Plotly\);else \(window\.lensesLoadPlotly=/);
  assert.doesNotMatch(html, /plotly\.js v/, "the library is not in the figure");
  const id = /<div id="([^"]+)"/.exec(html)?.[1];
  assert.ok(id && html.includes(`getElementById("${id}")`));
});

Deno.test("the bundle is a copy: later changes to the figure do not alter it", () => {
  const fig: Figure = lineChart([{ name: "a", y: [1, 2] }]);
  const bundle = figureBundle(fig);
  fig.data[0].name = "changed";
  assert.equal((bundle[PLOTLY_MIME] as Figure).data[0].name, "a");
});

Deno.test("figureText summarises heatmaps and bars", () => {
  assert.equal(
    figureText(
      heatmap([[0, 1], [2, 3], [4, 5]], {
        xLabel: "layer B",
        yLabel: "layer A",
      }),
    ),
    "Heatmap chart\n  axes: x = layer B, y = layer A\n  3×2 matrix, z [0, 5], colour range [0, 5]",
  );
  assert.equal(
    figureText(barChart({ clean: 0.99, pgd: 0.0234 })),
    "Bar chart\n  values: clean=0.990, pgd=0.0234",
  );
});

Deno.test("showFigure: plotly bundle in the kernel, text in a non-interactive script", async () => {
  const fig = lineChart([{ name: "a", y: [1, 2] }]);
  const sent = await withFakeKernel(async (sent) => {
    await showFigure(fig);
    return sent;
  });
  assert.equal(sent.length, 1);
  assert.ok(sent[0].content.data[PLOTLY_MIME]);
  // Tests run with stdout piped, so nodeplotlib (a web server) must not be started.
  const printed = await captureLog(() => showFigure(fig));
  assert.deepEqual(printed, [figureBundle(fig)["text/plain"]]);
});

Deno.test("a live figure is replaced in place under one display id", async () => {
  const id = "lenses-plot-live";
  const sent = await withFakeKernel(async (sent) => {
    await showFigure(lineChart([{ name: "loss", y: [1] }]), { displayId: id });
    await showFigure(lineChart([{ name: "loss", y: [1, 0.5] }]), {
      displayId: id,
      update: true,
    });
    return sent;
  });
  assert.deepEqual(sent.map((m) => [m.type, m.content.transient.display_id]), [
    ["display_data", id],
    ["update_display_data", id],
  ]);
  assert.deepEqual((sent[1].content.data[PLOTLY_MIME] as Figure).data[0].y, [
    1,
    0.5,
  ]);
});

Deno.test("figureBundle: bare-string titles become title objects (plotly.js 4 ignores strings)", () => {
  const bundle = figureBundle({
    data: [{ type: "heatmap", z: [[1]], colorbar: { title: "w" } } as Figure["data"][number]],
    layout: { title: "t", xaxis: { title: "x" }, yaxis2: { title: "y2" } } as Figure["layout"],
  });
  const json = bundle[PLOTLY_MIME] as Record<string, Record<string, unknown>> & {
    data: { colorbar: unknown }[];
  };
  assert.deepEqual(json.layout.title, { text: "t" });
  assert.deepEqual(json.layout.xaxis, { title: { text: "x" } });
  assert.deepEqual(json.layout.yaxis2, { title: { text: "y2" } });
  assert.deepEqual(json.data[0].colorbar, { title: { text: "w" } });
});

Deno.test("showFigure never sends plotly.js through the kernel: one message the size of its figure", async () => {
  // Deno's kernel cuts or misplaces a message of megabytes (the 4.8 MB library was one), so the
  // HTML fallback fetches plotly.js from the Jupyter server instead.
  const fig = lineChart([{ name: "a", y: [1, 2] }], { title: "t" });
  const sent = await withFakeKernel(async (sent) => {
    for (let i = 0; i < 3; i++) await showFigure(fig);
    return sent;
  });
  assert.deepEqual(sent.map((m) => m.type), ["display_data", "display_data", "display_data"]);
  for (const m of sent) {
    const size = JSON.stringify(m.content).length;
    assert.ok(size < 8_000, `a two-point line chart sent ${size} characters`);
    assert.match(m.content.data["text/html"] as string, /kernelspecs\/lenses\/plotly\.min/);
  }
});
