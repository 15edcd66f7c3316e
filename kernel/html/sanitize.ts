/**
 * The two HTML sanitising policies of exported pages, built on one base: markup, images, links
 * and tables, never script, event handlers, frames or `javascript:` links. Markdown cells add
 * task-list checkboxes; untrusted outputs add progress bars, meters and inline styles (CSS in a
 * style attribute cannot run script), which lenses' own tables and progress bars use.
 *
 * @module
 */

import sanitizeHtml from "sanitize-html";

const BASE_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  "img",
  "del",
  "ins",
  "details",
  "summary",
  "sup",
  "sub",
];

const BASE_ATTRIBUTES: Record<string, string[]> = {
  "*": ["id", "class", "title", "align"],
  a: ["href", "name", "target"],
  img: ["src", "alt", "width", "height"],
  th: ["colspan", "rowspan", "align"],
  td: ["colspan", "rowspan", "align"],
  ol: ["start"],
};

const MARKDOWN: sanitizeHtml.IOptions = {
  allowedTags: [...BASE_TAGS, "input"],
  allowedAttributes: { ...BASE_ATTRIBUTES, input: ["type", "checked", "disabled"] },
  allowedSchemes: ["http", "https", "mailto", "data"],
  allowedSchemesByTag: {
    img: ["http", "https", "data"],
    a: ["http", "https", "mailto"],
  },
  allowProtocolRelative: false,
};

const OUTPUT: sanitizeHtml.IOptions = {
  allowedTags: [...BASE_TAGS, "progress", "meter"],
  allowedAttributes: {
    ...BASE_ATTRIBUTES,
    "*": [...BASE_ATTRIBUTES["*"], "style", "lang", "dir"],
    th: [...BASE_ATTRIBUTES.th, "scope"],
    progress: ["value", "max"],
    meter: ["value", "min", "max", "low", "high", "optimum"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https", "data"] },
  allowProtocolRelative: false,
  parseStyleAttributes: false,
};

/**
 * The HTML a markdown cell rendered to, made safe to embed.
 *
 * @example
 * ```ts
 * sanitizeMarkdownHtml('<p onclick="x()">hi</p>'); // "<p>hi</p>"
 * ```
 */
export function sanitizeMarkdownHtml(html: string): string {
  return sanitizeHtml(html, MARKDOWN);
}

/**
 * An untrusted `text/html` output made safe to embed: markup and inline styles, never script.
 *
 * @example
 * ```ts
 * sanitizeOutputHtml('<b style="color:red">hi</b><script>x()</script>'); // '<b style="color:red">hi</b>'
 * ```
 */
export function sanitizeOutputHtml(html: string): string {
  return sanitizeHtml(html, OUTPUT);
}

/**
 * The text of an HTML fragment, every tag removed (entities stay encoded).
 *
 * @example
 * ```ts
 * stripTags("<em>a</em> &amp; b"); // "a &amp; b"
 * ```
 */
export function stripTags(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} });
}
