/**
 * Statistics: small numeric helpers the notebooks share.
 *
 * @example
 * ```ts
 * import { otsuThreshold } from "./descriptive.ts";
 * const t = otsuThreshold([0.1, 0.2, 0.9, 1.0]);
 * ```
 *
 * @module
 */

export { kmeans1d, otsuThreshold } from "./descriptive.ts";
