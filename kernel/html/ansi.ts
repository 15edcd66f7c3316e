/**
 * ANSI-coloured terminal text (streams, Deno tracebacks) to escaped HTML.
 *
 * @module
 */

import { AnsiUp } from "ansi_up";

/**
 * Converts ANSI colour codes to styled spans; everything else is HTML-escaped.
 *
 * @example
 * ```ts
 * ansiToHtml("\x1b[31mred\x1b[0m <b>"); // '<span style="color:rgb(187,0,0)">red</span> &lt;b&gt;'
 * ```
 */
export function ansiToHtml(text: string): string {
  // A fresh converter per text: AnsiUp carries colour state across calls, and one output's
  // unterminated colour must not bleed into the next.
  const converter = new AnsiUp();
  converter.escape_html = true;
  return converter.ansi_to_html(text);
}
