/**
 * Reuse of trained models across notebook runs: a model trained for a configuration is saved
 * under a key derived from that configuration (and the backend, whose arithmetic differs in the
 * last bits), and a later run with the same configuration loads it instead of retraining.
 *
 * The cache lives in `LENSES_CACHE` (default `.lenses/cache` at the repository root).
 *
 * @module
 */

import { join } from "node:path";
import { tf } from "../tf.ts";
import { exists } from "../io/fs.ts";
import { arithmeticId } from "../backend/select.ts";
import { sha256Hex } from "../data/cache.ts";
import { repoPath } from "../io/paths.ts";
import { restoreCheckpoint, saveCheckpoint } from "./checkpoint.ts";

/** The cache directory: `LENSES_CACHE`, or `<repo>/.lenses/cache`. */
export function cacheRoot(): string {
  const fromEnv = Deno.env.get("LENSES_CACHE")?.trim();
  return fromEnv || repoPath(".lenses", "cache");
}

/** JSON with object keys sorted, so equal configurations hash equally. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (
      v && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v)
    ) {
      return Object.fromEntries(
        Object.keys(v).sort().map((
          k,
        ) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/** First 16 hex digits of the SHA-256 of the configuration's stable JSON. */
export async function configHash(config: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(stableStringify(config));
  return (await sha256Hex(bytes)).slice(0, 16);
}

/** What {@link trainOrLoad} returns. */
export interface Trained<M> {
  model: tf.LayersModel;
  /** The metrics `train` returned, restored from the cache on reuse. */
  metrics: M;
  /** True when the model came from the cache. */
  cached: boolean;
  /** The checkpoint directory. */
  dir: string;
}

/**
 * Loads the model trained for `config` from the cache, or builds and trains it and caches it.
 *
 * @example
 * ```ts
 * const { model, metrics, cached } = await trainOrLoad({
 *   name: "reference-cnn",
 *   config: { seed: 0, epochs: 3, lr: 1e-3 },
 *   build: () => referenceCnn({ seed: 0 }),
 *   train: (m) => fit(m, train, { epochs: 3, batchSize: 128, seed: 0,
 *     optimizer: { name: "adam", lr: 1e-3 } }),
 * });
 * ```
 */
export async function trainOrLoad<M>(opts: {
  name: string;
  config: unknown;
  build: () => tf.LayersModel;
  train: (model: tf.LayersModel) => Promise<M>;
  /** Skip the cache read (the result is still saved). */
  refresh?: boolean;
}): Promise<Trained<M>> {
  if (!/^[A-Za-z0-9._-]+$/.test(opts.name)) {
    throw new Error(
      `trainOrLoad: name "${opts.name}" must use only letters, digits, ".", "_" and "-"`,
    );
  }
  const key = await configHash({
    name: opts.name,
    config: opts.config,
    backend: arithmeticId(),
  });
  const dir = join(cacheRoot(), "models", `${opts.name}-${key}`);
  const model = opts.build();
  if (!opts.refresh && await exists(join(dir, "model.json"))) {
    try {
      const meta = await restoreCheckpoint(model, dir);
      return { model, metrics: meta.metrics as M, cached: true, dir };
    } catch (err) {
      // A damaged cache entry is not the user's data: say so and retrain over it.
      console.warn(
        `lenses: ignoring cached model at ${dir} (${(err as Error).message}); retraining`,
      );
    }
  }
  const metrics = await opts.train(model);
  await saveCheckpoint(dir, model, { config: opts.config, metrics });
  return { model, metrics, cached: false, dir };
}
