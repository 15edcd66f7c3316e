/**
 * Markdown cells to safe HTML: GitHub-flavoured Markdown (marked), `$...$` and `$$...$$` math
 * typeset server-side (KaTeX), code blocks highlighted, heading ids for the table of contents,
 * and any raw HTML sanitised so a notebook's text can never inject script into a report.
 *
 * @module
 */

import katex from "katex";
import { Marked, type Tokens } from "marked";
import { highlightCode } from "./code.ts";
import { imageDataUrl } from "./images.ts";
import { sanitizeMarkdownHtml, stripTags } from "./sanitize.ts";
import { escapeHtml } from "../../lib/display/format.ts";
import type { MultilineString } from "../nbformat.ts";

/** A heading seen while rendering, for the table of contents. */
export interface Heading {
  level: number;
  text: string;
  id: string;
}

/**
 * State shared by every markdown render of one page: unique ids, headings, math use.
 *
 * @example
 * ```ts
 * const ctx = new MarkdownContext();
 * ctx.slug("Setup"); // "setup"
 * ctx.slug("Setup"); // "setup-2"
 * ```
 */
export class MarkdownContext {
  readonly headings: Heading[] = [];
  /** Whether any math was typeset (the page then embeds KaTeX's CSS). */
  usedMath = false;
  private readonly ids = new Set<string>();

  /** A unique, URL-safe id for heading text. */
  slug(text: string): string {
    const base = text.toLowerCase().normalize("NFKD")
      .replace(/[^\w\s-]/g, "").trim().replace(/\s+/g, "-") || "section";
    let id = base;
    for (let i = 2; this.ids.has(id); i++) id = `${base}-${i}`;
    this.ids.add(id);
    return id;
  }
}

// Math is typeset into placeholders that survive sanitising, then swapped in: KaTeX output is
// trusted (it escapes its input) but uses markup a sanitiser would strip. The placeholder holds
// a random nonce, so text a notebook types cannot pose as one, and one that ends up inside a tag
// (an image's alt text, say) gets the TeX source, escaped: markup there would break out of the
// attribute.
const NONCE = crypto.randomUUID().replaceAll("-", "");
const PLACEHOLDER = new RegExp(`LENSESMATH${NONCE}N(\\d+)X`, "g");
const placeholderOf = (i: number) => `LENSESMATH${NONCE}N${i}X`;
/** An HTML tag, quoted attribute values (which may hold `>`) included. */
const TAG = /<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/g;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Text of sanitised HTML with its character references decoded (for titles and the contents). */
function decodeEntities(html: string): string {
  return html.replace(/&(#x[\da-f]+|#\d+|[a-z]+);/gi, (m, ref: string) => {
    if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()] ?? m;
    const code = ref[1] === "x" || ref[1] === "X"
      ? parseInt(ref.slice(2), 16)
      : parseInt(ref.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/**
 * Typesets TeX with KaTeX; errors are shown in place (red) instead of failing the report.
 *
 * @example
 * ```ts
 * renderMath("x^2", false); // '<span class="katex">...'
 * ```
 */
export function renderMath(tex: string, display: boolean): string {
  return katex.renderToString(tex, {
    displayMode: display,
    throwOnError: false,
    output: "htmlAndMathml",
    // Unicode in math mode (é, ′) renders fine; KaTeX's default would print a warning for it.
    strict: "ignore",
  });
}

/**
 * Renders one markdown cell's source to sanitised HTML, recording headings and math use in
 * `context`. Images named `attachment:<name>` are taken from the cell's `attachments`.
 *
 * @example
 * ```ts
 * const ctx = new MarkdownContext();
 * renderMarkdown("# Title\n\nEnergy $E = mc^2$.", ctx);
 * ctx.headings; // [{ level: 1, text: "Title", id: "title" }]
 * ```
 */
export function renderMarkdown(
  source: string,
  context: MarkdownContext,
  attachments: Record<string, Record<string, unknown>> = {},
): string {
  const math: { tex: string; html: string }[] = [];
  const placeholder = (tex: string, display: boolean) => {
    math.push({ tex, html: renderMath(tex, display) });
    context.usedMath = true;
    return placeholderOf(math.length - 1);
  };
  const marked = new Marked({ gfm: true });
  marked.use({
    walkTokens(token) {
      if (token.type === "image" && token.href.startsWith("attachment:")) {
        token.href = attachmentUrl(attachments, decodeURIComponent(token.href.slice(11)));
      }
    },
    extensions: [
      {
        name: "blockMath",
        level: "block",
        start: (src: string) => src.match(/^\$\$/m)?.index,
        tokenizer(src: string) {
          const m = /^\$\$([\s\S]+?)\$\$[^\S\n]*(?:\n|$)/.exec(src);
          if (m) return { type: "blockMath", raw: m[0], text: m[1].trim() };
        },
        renderer: (token) => `<div class="math-display">${placeholder(token.text, true)}</div>\n`,
      },
      {
        name: "inlineMath",
        level: "inline",
        start: (src: string) => src.indexOf("$") >= 0 ? src.indexOf("$") : undefined,
        tokenizer(src: string) {
          const display = /^\$\$([\s\S]+?)\$\$/.exec(src);
          if (display) {
            return {
              type: "inlineMath",
              raw: display[0],
              text: display[1].trim(),
              display: true,
            };
          }
          // Pandoc's rule, so prices like "$5 and $6" stay text: no space inside the
          // delimiters and no digit right after the closing one.
          const inline = /^\$(?=\S)((?:\\.|[^\\$\n])*?\S)\$(?!\d)/.exec(src);
          if (inline) {
            return {
              type: "inlineMath",
              raw: inline[0],
              text: inline[1],
              display: false,
            };
          }
        },
        renderer: (token) => placeholder(token.text, token.display === true),
      },
    ],
    renderer: {
      heading({ tokens, depth }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens);
        const text = decodeEntities(
          stripTags(inner.replace(PLACEHOLDER, (_m: string, i: string) => math[Number(i)].tex)),
        );
        const id = context.slug(text);
        context.headings.push({ level: depth, text, id });
        return `<h${depth} id="${id}">${inner}</h${depth}>\n`;
      },
      code({ text, lang }: Tokens.Code) {
        const language = (lang ?? "").split(/\s/)[0] || "plaintext";
        return `<pre class="code"><code class="hljs language-${escapeHtml(language)}">${
          highlightCode(text, language)
        }</code></pre>\n`;
      },
    },
  });
  const html: string = sanitizeMarkdownHtml(marked.parse(source, { async: false }));
  const tex = (_m: string, i: string) => escapeHtml(math[Number(i)].tex);
  return html
    .replace(TAG, (tag: string) => tag.replace(PLACEHOLDER, tex))
    .replace(PLACEHOLDER, (_m: string, i: string) => math[Number(i)].html);
}

/** A data URL for an image attachment of the cell; the name alone when there is none. */
function attachmentUrl(attachments: Record<string, Record<string, unknown>>, name: string): string {
  const bundle = attachments[name] ?? {};
  const mime = Object.keys(bundle).find((m) => m.startsWith("image/"));
  return mime === undefined ? name : imageDataUrl(mime, bundle[mime] as MultilineString);
}
