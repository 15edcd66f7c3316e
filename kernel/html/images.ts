/**
 * Images of a notebook (outputs and markdown attachments) as data URLs, so a page needs no
 * files beside it.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { joinSource, type MultilineString } from "../nbformat.ts";

/**
 * The data URL of an image as a notebook stores it: SVG as its text (base64-encoded here),
 * any other image type as base64 text, possibly split into lines.
 *
 * @example
 * ```ts
 * imageDataUrl("image/png", ["iVBORw0KGgo=\n"]); // "data:image/png;base64,iVBORw0KGgo="
 * ```
 */
export function imageDataUrl(mime: string, data: MultilineString): string {
  const text = joinSource(data);
  const base64 = mime === "image/svg+xml"
    ? Buffer.from(text).toString("base64")
    : text.replace(/\s+/g, "");
  return `data:${mime};base64,${base64}`;
}
