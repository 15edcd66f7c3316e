/**
 * Files from npm packages that reports embed (KaTeX CSS with its fonts, the highlight.js
 * theme, plotly.js), read once from node_modules so every report works offline.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { repoPath } from "../../lib/io/paths.ts";

const cache = new Map<string, string>();

function packageFile(pkg: string, file: string): string {
  const path = repoPath("node_modules", pkg, file);
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    throw new Error(
      `${path} is missing; run \`deno install\` in ${repoPath()} to fetch the npm packages`,
    );
  }
  cache.set(path, text);
  return text;
}

/**
 * KaTeX's stylesheet with its woff2 fonts inlined as data URLs (about 300 kB).
 *
 * @example
 * ```ts
 * const css = katexCss(); // "@font-face{...url(data:font/woff2;base64,...)..."
 * ```
 */
export function katexCss(): string {
  const key = "katex:inlined";
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const css = packageFile("katex", "dist/katex.min.css").replace(
    /src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)[^;}]*/g,
    (_m, font: string) => {
      const bytes = Deno.readFileSync(
        repoPath("node_modules/katex/dist/fonts", `${font}.woff2`),
      );
      return `src:url(data:font/woff2;base64,${
        Buffer.from(bytes).toString("base64")
      }) format("woff2")`;
    },
  );
  cache.set(key, css);
  return css;
}

/**
 * The highlight.js "github" theme.
 *
 * @example
 * ```ts
 * const css = highlightCss();
 * ```
 */
export function highlightCss(): string {
  return packageFile("highlight.js", "styles/github.min.css");
}

/**
 * The plotly.js bundle (plotly.js-dist-min), about 4.8 MB.
 *
 * @example
 * ```ts
 * const js = plotlyJs();
 * ```
 */
export function plotlyJs(): string {
  return packageFile("plotly.js-dist-min", "plotly.min.js");
}
