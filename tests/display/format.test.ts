import assert from "node:assert/strict";
import { escapeHtml, formatNumber, formatPercent, formatValue } from "../../lib/display/mod.ts";
import { extent } from "../../lib/display/format.ts";

Deno.test("escapeHtml escapes the five HTML special characters", () => {
  assert.equal(
    escapeHtml(`<a href="x">Tom & Jerry's</a>`),
    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;",
  );
  assert.equal(escapeHtml("&amp;"), "&amp;amp;");
});

Deno.test("formatNumber keeps integers, rounds others to significant digits", () => {
  assert.equal(formatNumber(42), "42");
  assert.equal(formatNumber(-7), "-7");
  assert.equal(formatNumber(0.98765), "0.9877");
  assert.equal(formatNumber(12.5), "12.50");
  assert.equal(formatNumber(123456.7), "123457");
  assert.equal(formatNumber(0.0000123), "1.230e-5");
  assert.equal(formatNumber(0.5, 2), "0.50");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(-Infinity), "-Infinity");
});

Deno.test("formatValue formats numbers and leaves the rest as text", () => {
  assert.equal(formatValue(undefined), "");
  assert.equal(formatValue(null), "");
  assert.equal(formatValue(true), "true");
  assert.equal(formatValue("a<b"), "a<b");
  assert.equal(formatValue(1 / 3, 3), "0.333");
});

Deno.test("extent finds the finite range in nested and typed arrays", () => {
  assert.deepEqual(extent([[3, NaN], [-1, null], "9"]), { lo: -1, hi: 3 });
  assert.deepEqual(extent(new Float32Array([0.5, 2, -Infinity])), {
    lo: 0.5,
    hi: 2,
  });
  assert.deepEqual(extent([[new Float32Array([4])], 4]), { lo: 4, hi: 4 });
  assert.equal(extent([NaN, Infinity, null]), undefined);
  assert.equal(extent([]), undefined);
  const big = Float64Array.from({ length: 400_000 }, (_, i) => Math.sin(i));
  const ext = extent(big)!;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of big) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  assert.deepEqual(ext, { lo, hi });
});

Deno.test("formatPercent writes a fraction as a percentage with fixed decimals", () => {
  assert.equal(formatPercent(0.4567), "45.7%");
  assert.equal(formatPercent(0.5, 0), "50%");
  assert.equal(formatPercent(1), "100.0%");
  assert.equal(formatPercent(-0.0123, 2), "-1.23%");
});
