/**
 * A notebook run: the scale (`LENSES_SCALE`), the seed (`LENSES_SEED`), the backend, and the
 * run header `startNotebook` shows.
 *
 * @example
 * ```ts
 * import { atScale, startNotebook } from "./mod.ts";
 * const run = await startNotebook({ id: "demo", seed: 0 });
 * const n = atScale({ smoke: 100, quick: 2000, full: 60000 }, run.scale);
 * ```
 *
 * @module
 */

export { type NotebookRun, seedFromEnv, startNotebook } from "./start.ts";
export { atScale, currentScale, parseScale, type Scale, scaleAtLeast, SCALES } from "./scale.ts";
