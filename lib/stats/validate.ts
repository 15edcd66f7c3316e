/**
 * Argument checks shared by the stats functions: each error names the function, the problem and
 * the fix.
 *
 * @module
 */

/**
 * Throws unless `successes` and `n` are counts with 0 ≤ successes ≤ n and n ≥ 1.
 *
 * @example
 * ```ts
 * requireCounts("wilson", 3, 10); // ok
 * requireCounts("wilson", 3, 0); // throws: n must be at least 1
 * ```
 */
export function requireCounts(fn: string, successes: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `${fn}: n must be an integer number of trials ≥ 1 (got ${n}); an interval needs at least ` +
        `one observation.`,
    );
  }
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(
      `${fn}: successes must be an integer between 0 and n = ${n} (got ${successes}); pass the ` +
        `count of successes, not a proportion.`,
    );
  }
}

/**
 * Throws unless `level` is a confidence level strictly between 0 and 1.
 *
 * @example
 * ```ts
 * requireLevel("wilson", 0.95); // ok
 * requireLevel("wilson", 95); // throws: level must lie in (0, 1)
 * ```
 */
export function requireLevel(fn: string, level: number): void {
  if (typeof level !== "number" || !(level > 0 && level < 1)) {
    throw new RangeError(
      `${fn}: level must lie strictly between 0 and 1 (got ${level}); write 95% as 0.95.`,
    );
  }
}

/**
 * Throws unless `p` (named `name` in the message) lies strictly between 0 and 1.
 *
 * @example
 * ```ts
 * requireProbability("normalQuantile", "p", 0.975); // ok
 * ```
 */
export function requireProbability(fn: string, name: string, p: number): void {
  if (typeof p !== "number" || !(p > 0 && p < 1)) {
    throw new RangeError(`${fn}: ${name} must lie strictly between 0 and 1 (got ${p}).`);
  }
}
