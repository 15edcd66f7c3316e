/**
 * The one confidence level every interval and verdict in a run uses: `LENSES_CONFIDENCE`
 * (e.g. `0.99`), or 0.95 when unset. Functions take an explicit `level` to override it per call.
 *
 * @module
 */

import { requireLevel } from "./validate.ts";

/**
 * The confidence level used when neither `LENSES_CONFIDENCE` nor a `level` argument is given.
 *
 * @example
 * ```ts
 * wilson(34, 100, DEFAULT_LEVEL); // the 95% interval whatever LENSES_CONFIDENCE says
 * ```
 */
export const DEFAULT_LEVEL = 0.95;

/**
 * The run's confidence level: `LENSES_CONFIDENCE` when set, else {@link DEFAULT_LEVEL}.
 *
 * @example
 * ```ts
 * confidenceLevel(); // 0.95 unless LENSES_CONFIDENCE says otherwise
 * ```
 */
export function confidenceLevel(): number {
  const text = (Deno.env.get("LENSES_CONFIDENCE") ?? "").trim();
  if (text === "") return DEFAULT_LEVEL;
  const level = Number(text);
  try {
    requireLevel("LENSES_CONFIDENCE", level);
  } catch {
    throw new Error(
      `LENSES_CONFIDENCE=${text} is not a confidence level; set a number strictly between 0 and 1, ` +
        `e.g. 0.95, or unset it.`,
    );
  }
  return level;
}
