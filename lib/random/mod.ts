/**
 * Seeded randomness: one generator type, forked into independent named streams.
 *
 * @example
 * ```ts
 * import { Rng } from "./mod.ts";
 * const rng = new Rng(0);
 * const order = rng.fork("order").permutation(10);
 * ```
 *
 * @module
 */

export { Rng } from "./rng.ts";
