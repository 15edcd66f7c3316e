import assert from "node:assert/strict";
import { showTable, tableBundle } from "../../lib/display/mod.ts";
import { captureLog } from "./helpers.ts";

const rows = [
  { model: "standard", accuracy: 0.98765, eps: 0 },
  { model: "robust", accuracy: 0.5, eps: 0.25 },
];

Deno.test("tableBundle aligns a plain-text table and right-aligns numbers", () => {
  assert.equal(
    tableBundle(rows)["text/plain"],
    [
      "model     accuracy     eps",
      "--------  --------  ------",
      "standard    0.9877       0",
      "robust      0.5000  0.2500",
    ].join("\n"),
  );
});

Deno.test("tableBundle HTML has a header, one row per record and aligned cells", () => {
  const html = tableBundle(rows, { caption: "PGD" })["text/html"] as string;
  assert.match(html, /<caption>PGD<\/caption>/);
  assert.equal(html.match(/<tr>/g)?.length, 3);
  assert.match(html, /<th style="text-align:left;padding:2px 8px">model<\/th>/);
  assert.match(
    html,
    /<td style="text-align:right;padding:2px 8px">0\.9877<\/td>/,
  );
});

Deno.test("table cells and headers are escaped in HTML, verbatim in text", () => {
  const bundle = tableBundle([{ "<k>": `<script>alert("x")</script> & co` }]);
  const html = bundle["text/html"] as string;
  assert.ok(!html.includes("<script>"), "raw <script> must not reach the HTML");
  assert.match(
    html,
    /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; co/,
  );
  assert.match(html, /<th[^>]*>&lt;k&gt;<\/th>/);
  assert.match(
    bundle["text/plain"] as string,
    /<script>alert\("x"\)<\/script> & co/,
  );
});

Deno.test("table columns choose order, labels, formats and styles", () => {
  const bundle = tableBundle(rows, {
    columns: [
      {
        key: "accuracy",
        label: "acc",
        format: (v) => `${(Number(v) * 100).toFixed(1)}%`,
      },
      {
        key: "model",
        style: (v) => (v === "robust" ? "color:red" : undefined),
      },
    ],
  });
  const lines = (bundle["text/plain"] as string).split("\n");
  assert.equal(lines[0], "  acc  model");
  assert.equal(lines[2], "98.8%  standard");
  assert.match(
    bundle["text/html"] as string,
    /padding:2px 8px;color:red">robust/,
  );
});

Deno.test("table of no rows says so; missing values are empty", () => {
  assert.match(
    tableBundle([], { columns: ["a"] })["text/plain"] as string,
    /\(no rows\)/,
  );
  const text = tableBundle([{ a: 1, b: "x" }, {
    a: 2,
  }])["text/plain"] as string;
  assert.equal(text.split("\n")[3], "2");
});

Deno.test("table rejects rows that are not an array", () => {
  assert.throws(
    () => tableBundle({ a: 1 } as unknown as Record<string, unknown>[]),
    /rows must be an array of records/,
  );
});

Deno.test("showTable outside a kernel prints the text table and returns the output", async () => {
  let output;
  const printed = await captureLog(async () => {
    output = await showTable(rows, { metadata: { "lenses.test": 1 } });
  });
  assert.deepEqual(printed, [tableBundle(rows)["text/plain"]]);
  assert.deepEqual(output, {
    data: tableBundle(rows),
    metadata: { "lenses.test": 1 },
  });
});
