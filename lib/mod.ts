/**
 * lenses: the shared library the notebooks import.
 *
 * The data flow of an experiment, top to bottom:
 *
 * 1. `startNotebook` picks the tensor backend, reads the scale and seed, shows the run header;
 * 2. `lib/data` loads a `Dataset` (plain arrays; tensors are made per batch);
 * 3. `lib/models` builds a seeded model; `lib/train` fits it (or `trainOrLoad` reuses a cached
 *    one) and evaluates it;
 * 4. `lib/attacks` perturbs inputs under a threat model; representation tools invert features;
 * 5. `lib/display` shows figures, image grids and tables, and the `Claims` table that ends every
 *    notebook.
 *
 * @example
 * ```ts
 * import { fit, loadEmbeddedMnist, referenceCnn, startNotebook } from "../lib/mod.ts";
 * const run = await startNotebook({ id: "demo", seed: 0 });
 * const { train, test } = await loadEmbeddedMnist({ seed: run.seed });
 * const model = referenceCnn({ seed: run.seed });
 * await fit(model, train, { epochs: 1, batchSize: 64, seed: run.seed,
 *   optimizer: { name: "adam", lr: 1e-3 }, validation: test });
 * ```
 *
 * @module
 */

export { tf } from "./tf.ts";
export * from "./backend/mod.ts";
export { Rng } from "./random.ts";
export { atScale, currentScale, type Scale, scaleAtLeast, SCALES } from "./scale.ts";
export { type NotebookRun, seedFromEnv, startNotebook } from "./notebook.ts";
export * from "./data/mod.ts";
export * from "./models.ts";
export * from "./train/mod.ts";
export * from "./display/mod.ts";
export * from "./losses.ts";
export * from "./attacks/mod.ts";
export * from "./inversion.ts";
export * from "./relabel.ts";
export * from "./representation_dataset.ts";
export * from "./transfer.ts";
export * from "./sparse_coding.ts";
export * from "./shapes.ts";
export * from "./counting.ts";
export * from "./saliency.ts";
export * from "./saliency_detection.ts";
export * from "./second_order.ts";
