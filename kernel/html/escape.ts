/**
 * HTML escaping for untrusted text (streams, text/plain, tracebacks, cell sources).
 *
 * @module
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes the five HTML-significant characters.
 *
 * @example
 * ```ts
 * escapeHtml("<script>"); // "&lt;script&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * JSON safe to place inside a `<script type="application/json">` element: `<` is written as
 * `\u003c`, so no string in the data can close the element.
 *
 * @example
 * ```ts
 * scriptJson({ a: "</script>" }); // '{"a":"\\u003c/script>"}'
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(
    /\u2028|\u2029/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
}
