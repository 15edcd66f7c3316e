/**
 * Text helpers shared by the tables, claims and run header: HTML escaping and the one number
 * format every lenses output uses, so a value reads the same in HTML and in plain text.
 *
 * @module
 */

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml(`<b a="1">&</b>`); // "&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * JSON safe to inline in a `<script>` element: no `</script>` can close it early, and the line
 * separators U+2028/U+2029 (invalid in older JS string literals) are escaped.
 *
 * @example
 * ```ts
 * `<script type="application/json">${scriptJson({ s: "</script>" })}</script>`;
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/**
 * Formats a number for a table cell: integers as they are, other values with `digits`
 * significant digits, switching to exponent notation for very small or very large magnitudes.
 *
 * @example
 * ```ts
 * formatNumber(42);         // "42"
 * formatNumber(0.98765);    // "0.9877"
 * formatNumber(123456.7);   // "123457"
 * formatNumber(0.0000123);  // "1.230e-5"
 * ```
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 10 ** digits) return String(Math.round(value));
  if (magnitude < 1e-3) return value.toExponential(digits - 1);
  return value.toPrecision(digits);
}

/**
 * Formats a fraction as a percentage with `digits` decimals.
 *
 * @example
 * ```ts
 * formatPercent(0.4567);    // "45.7%"
 * formatPercent(0.5, 0);    // "50%"
 * ```
 */
export function formatPercent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/**
 * Formats any cell value: numbers with {@link formatNumber}, `undefined`/`null` as empty,
 * everything else with `String`.
 *
 * @example
 * ```ts
 * formatValue(0.5);        // "0.5000"
 * formatValue(undefined);  // ""
 * formatValue(true);       // "true"
 * ```
 */
export function formatValue(value: unknown, digits = 4): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return formatNumber(value, digits);
  return String(value);
}

/**
 * The smallest and largest finite number in `values` and in the arrays (or typed arrays)
 * nested in it, or undefined when there is none. NaN, ±Infinity, null and non-numbers are
 * skipped. A plain loop, because `Math.min(...values)` overflows the call stack for a few
 * hundred thousand values.
 *
 * @example
 * ```ts
 * extent([[3, NaN], [-1, null]]);      // { lo: -1, hi: 3 }
 * extent(new Float32Array([0.5, 2]));  // { lo: 0.5, hi: 2 }
 * extent([NaN, Infinity]);             // undefined
 * ```
 */
export function extent(
  values: ArrayLike<unknown>,
): { lo: number; hi: number } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  const visit = (list: ArrayLike<unknown>): void => {
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (typeof v === "number") {
        // Comparisons with NaN are false, so only ±Infinity needs skipping.
        if (v === Infinity || v === -Infinity) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      } else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        visit(v as ArrayLike<unknown>);
      }
    }
  };
  visit(values);
  return lo <= hi ? { lo, hi } : undefined;
}
