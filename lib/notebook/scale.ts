/**
 * Experiment scales. Every notebook reads `LENSES_SCALE` and derives all its sizes from it:
 * `smoke` proves the notebook runs end to end in seconds, `quick` reproduces each claim
 * qualitatively in minutes on a laptop CPU, `full` uses paper-like sizes for a GPU.
 *
 * @module
 */

/** The scales, smallest first. */
export const SCALES = ["smoke", "quick", "full"] as const;
/** One of {@link SCALES}. */
export type Scale = typeof SCALES[number];

/**
 * Reads a scale name (case and surrounding spaces ignored); throws naming the valid scales.
 *
 * @example
 * ```ts
 * parseScale("Smoke"); // "smoke"
 * parseScale("huge"); // throws: "huge" is not a scale; use one of smoke, quick, full
 * ```
 */
export function parseScale(value: string): Scale {
  const name = String(value).trim().toLowerCase();
  if (!(SCALES as readonly string[]).includes(name)) {
    throw new Error(
      `"${name}" is not a scale; use one of ${SCALES.join(", ")}`,
    );
  }
  return name as Scale;
}

/**
 * The scale this run uses: `LENSES_SCALE`, or "quick" when unset.
 *
 * @example
 * ```ts
 * const s = currentScale(); // "quick" unless LENSES_SCALE says otherwise
 * ```
 */
export function currentScale(): Scale {
  const value = (Deno.env.get("LENSES_SCALE") ?? "").trim() || "quick";
  try {
    return parseScale(value);
  } catch (err) {
    throw new Error(`LENSES_SCALE=${(err as Error).message} (default quick)`);
  }
}

/**
 * Picks the value for the current (or given) scale.
 *
 * @example
 * ```ts
 * const epochs = atScale({ smoke: 1, quick: 5, full: 50 });
 * ```
 */
export function atScale<T>(
  values: Record<Scale, T>,
  scale: Scale = currentScale(),
): T {
  return values[scale];
}

/** Whether `scale` is at least as large as `min` (e.g. a claim that needs "quick" or more). */
export function scaleAtLeast(
  min: Scale,
  scale: Scale = currentScale(),
): boolean {
  return SCALES.indexOf(scale) >= SCALES.indexOf(min);
}
