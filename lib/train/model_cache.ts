/**
 * Reuse of trained models across notebook runs. A model trained for a configuration is saved
 * under a key derived from everything that decides its weights, and a later run with the same
 * key loads it instead of retraining.
 *
 * `cachedFit(model, data, options, { name })` is `fit` with a cache in front: its key is
 * derived from the exact arguments it trains with, so it cannot drift from them.
 * - the model: its JSON topology and a hash of its initial weights (builder, seed and any
 *   preparation before the call are all in there);
 * - the data: name, shape and a content hash of every array (hashed once per array and
 *   remembered, so data sets are treated as the immutable values they are);
 * - every fit option, walked generically (optimizer, schedule, weight decay, batch size,
 *   steps or epochs, seed, loss, hooks, validation data …) except `progress` and `label`, which
 *   only change what is shown. A function (a loss or a hook) enters the key through its
 *   `config` property, a JSON value naming what makes it what it is; a function without one is
 *   refused, since the cache could not tell it from another;
 * - the backend, whose arithmetic differs in the last bits (`arithmeticId`);
 * - a fingerprint of the library code that can change a trained model: every `.ts` file under
 *   `lib/` except `display/`, `notebook/` and `io/` (progress bars, notebook scaffolding, file
 *   writing: they reach training only through values already in the key), the curated face
 *   `lib/mod.ts` (re-exports only), and `studies/<name>/` folders the call does not depend on
 *   (all studies count unless the call names its own with `studies`). Any edit of a covered
 *   file, comments included, retrains.
 *
 * When it trains, it prints one line saying why the cache was not used: no entry, a damaged
 * entry, or what changed since the last entry of that name (the code, and which files; the
 * backend; which option, with old and new value).
 *
 * Entries are directories `<cache>/models/<name>-<key>` in `LENSES_CACHE` (default
 * `.lenses/cache` at the repository root), checksummed checkpoints: a damaged entry is reported
 * and retrained, never used. Entries are published with a rename that tolerates losing the race
 * to another process publishing the same key, and the temporaries of killed runs are removed.
 *
 * @module
 */

import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { tf } from "../tf.ts";
import { discardDir, exists, removeStaleTemps } from "../io/fs.ts";
import { arithmeticId } from "../backend/select.ts";
import { repoPath } from "../io/paths.ts";
import { concatBytes, sha256Hex } from "../io/bytes.ts";
import { type CheckpointMeta, restoreCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { fit, type FitOptions } from "./loop.ts";

/** The cache directory: `LENSES_CACHE`, or `<repo>/.lenses/cache`. */
export function cacheRoot(): string {
  const fromEnv = Deno.env.get("LENSES_CACHE")?.trim();
  return fromEnv || repoPath(".lenses", "cache");
}

/** JSON with object keys sorted, so equal configurations hash equally. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      return Object.fromEntries(
        Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/** First 16 hex digits of the SHA-256 of `bytes`: the length of every key part. */
async function shortHash(bytes: Uint8Array): Promise<string> {
  return (await sha256Hex(bytes)).slice(0, 16);
}

/** First 16 hex digits of the SHA-256 of the configuration's stable JSON. */
export async function configHash(config: unknown): Promise<string> {
  return await shortHash(new TextEncoder().encode(stableStringify(config)));
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const arrayHashes = new WeakMap<ArrayBufferView, string>();

/** First 16 hex digits of the SHA-256 of an array's bytes, computed once per array object. */
async function arrayHash(a: ArrayBufferView): Promise<string> {
  let hash = arrayHashes.get(a);
  if (hash === undefined) {
    hash = await shortHash(bytesOf(a));
    arrayHashes.set(a, hash);
  }
  return hash;
}

/**
 * The JSON value a configuration contributes to a cache key: plain data as is (undefined
 * members left out, so `{ a: undefined }` keys like `{}`), typed arrays as their type, length
 * and content hash, functions as their `config` property. Anything else (a function without
 * `config`, a class instance such as a tensor, a cycle) is an error naming where it sits.
 *
 * @example
 * ```ts
 * const hook = Object.assign(myHook, { config: { attack: "pgd", eps: 0.3 } });
 * await keyValue({ seed: 0, beforeStep: hook }, "fit");
 * // { seed: 0, beforeStep: { config: { attack: "pgd", eps: 0.3 } } }
 * ```
 */
export async function keyValue(value: unknown, path: string): Promise<unknown> {
  return await walk(value, path, new Set());
}

async function walk(value: unknown, path: string, open: Set<object>): Promise<unknown> {
  switch (typeof value) {
    case "undefined":
      return null;
    case "boolean":
    case "string":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      throw new Error(`cache key: ${path} is a symbol, which has no stable value; use a string`);
    case "function": {
      if (!Object.hasOwn(value, "config")) {
        throw new Error(
          `cache key: ${path} is a function without a \`config\` property, so the cache cannot ` +
            `tell it from another function. Give it one (e.g. ` +
            `\`Object.assign(fn, { config: { name: "myLoss", scale: 2 } })\`, naming everything ` +
            `that makes it what it is), or train with fit() instead.`,
        );
      }
      const config = (value as unknown as { config: unknown }).config;
      return { config: await walk(config, `${path}.config`, open) };
    }
  }
  if (value === null) return null;
  const obj = value as object;
  if (ArrayBuffer.isView(obj)) {
    return {
      array: obj.constructor.name,
      length: (obj as unknown as { length?: number }).length ?? obj.byteLength,
      sha256: await arrayHash(obj),
    };
  }
  if (open.has(obj)) throw new Error(`cache key: ${path} refers back to itself`);
  open.add(obj);
  try {
    if (Array.isArray(obj)) {
      const out: unknown[] = [];
      for (const [i, v] of obj.entries()) out.push(await walk(v, `${path}[${i}]`, open));
      return out;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      if (Object.hasOwn(obj, "config")) {
        return { config: await walk((obj as { config: unknown }).config, `${path}.config`, open) };
      }
      throw new Error(
        `cache key: ${path} is a ${proto?.constructor?.name ?? "non-plain"} object, which has ` +
          "no stable JSON value; pass plain data (numbers, strings, arrays, objects, typed " +
          "arrays) or give it a `config` property",
      );
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v !== undefined) out[k] = await walk(v, `${path}.${k}`, open);
    }
    return out;
  } finally {
    open.delete(obj);
  }
}

/** What a model contributes to a cache key. */
interface ModelFingerprint {
  /** Hash of the model's JSON topology (layers, their settings and connections, names). */
  topology: string;
  /** Hash of the weights' names, shapes and values as they are now. */
  weights: string;
}

/**
 * Hashes of a model's topology and current weights. Layer names are part of the topology, so
 * name layers in builders (lenses' builders do): tfjs numbers unnamed layers in creation order.
 *
 * @example
 * ```ts
 * const { topology, weights } = await modelFingerprint(referenceCnn({ seed: 0 }));
 * ```
 */
async function modelFingerprint(model: tf.LayersModel): Promise<ModelFingerprint> {
  const topology = await configHash(model.toJSON(undefined, false));
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const w of model.weights) {
    parts.push(encoder.encode(`${w.originalName} [${w.shape.join(",")}] ${w.dtype}\n`));
    parts.push(bytesOf(await w.read().data()));
  }
  const weights = await shortHash(concatBytes(parts));
  return { topology, weights };
}

/** A fingerprint of library sources. */
export interface CodeFingerprint {
  /** Hash of all files' paths and hashes. */
  hash: string;
  /** Each covered file (`lib/…`, `/`-separated) and the first 16 hex digits of its SHA-256. */
  files: Record<string, string>;
}

/** Options of {@link codeFingerprint}. */
export interface CodeFingerprintOptions {
  /** The library folder; default this lenses' `lib/`. Tests point it at a copy. */
  root?: string;
  /**
   * The `studies/<name>/` folders that count; default all of them. A call that names its own
   * study is not retrained when another study's code changes.
   */
  studies?: readonly string[];
}

/** Top-level folders of lib/ whose code reaches a trained model only through keyed values. */
const NOT_FINGERPRINTED = new Set(["display", "notebook", "io"]);

const defaultRoot = () => fileURLToPath(new URL("../", import.meta.url));

/**
 * Fingerprints the library sources that can change a trained model (the rule is in the module
 * comment). Every call reads the files afresh; {@link cachedFit} computes it once per process,
 * since the code a process runs is the code it loaded at start.
 *
 * @example
 * ```ts
 * const { hash, files } = await codeFingerprint({ studies: ["subitization"] });
 * ```
 */
export async function codeFingerprint(
  opts: CodeFingerprintOptions = {},
): Promise<CodeFingerprint> {
  const root = opts.root ?? defaultRoot();
  if (opts.studies) {
    const known = await exists(join(root, "studies"))
      ? (await Array.fromAsync(Deno.readDir(join(root, "studies"))))
        .filter((e) => e.isDirectory).map((e) => e.name).sort()
      : [];
    const unknown = opts.studies.filter((s) => !known.includes(s));
    if (unknown.length > 0) {
      throw new Error(
        `studies: ${unknown.map((s) => `"${s}"`).join(", ")} not found in ${
          join(root, "studies")
        }; the studies are ${known.length ? known.join(", ") : "(none)"}`,
      );
    }
  }
  const paths: string[] = [];
  const visit = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep);
      if (entry.isDirectory) {
        if (rel.length === 1 && NOT_FINGERPRINTED.has(rel[0])) continue;
        if (rel.length === 2 && rel[0] === "studies" && opts.studies) {
          if (!opts.studies.includes(rel[1])) continue;
        }
        await visit(path);
      } else if (entry.isFile && entry.name.endsWith(".ts")) {
        if (rel.length === 1 && rel[0] === "mod.ts") continue;
        paths.push(rel.join("/"));
      }
    }
  };
  await visit(root);
  paths.sort();
  const files: Record<string, string> = {};
  for (const rel of paths) {
    files[`lib/${rel}`] = await shortHash(await Deno.readFile(join(root, rel)));
  }
  const listing = Object.entries(files).map(([p, h]) => `${p} ${h}\n`).join("");
  return { hash: await shortHash(new TextEncoder().encode(listing)), files };
}

const loadedCode = new Map<string, Promise<CodeFingerprint>>();

function codeOf(opts: CodeFingerprintOptions): Promise<CodeFingerprint> {
  if (opts.root !== undefined) return codeFingerprint(opts);
  const id = opts.studies ? JSON.stringify([...opts.studies].sort()) : "*";
  let found = loadedCode.get(id);
  if (!found) {
    found = codeFingerprint(opts);
    found.catch(() => loadedCode.delete(id));
    loadedCode.set(id, found);
  }
  return found;
}

/** Options shared by {@link cachedFit} and {@link trainOrLoad}. */
export interface CacheOptions extends CodeFingerprintOptions {
  /** Names the entry: letters, digits, ".", "_" and "-". */
  name: string;
  /** Retrain even when an entry exists, and replace it. */
  refresh?: boolean;
  /** Where the one-line retrain message goes; default console.log. */
  log?: (line: string) => void;
}

/** What a cache entry records about its key, to explain the next miss. */
interface KeyRecord {
  name: string;
  backend: string;
  code: CodeFingerprint;
  config: unknown;
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

const cleaned = new Set<string>();

/**
 * The shared layer: loads the entry for `config` into `model`, or trains `model` and publishes
 * it, printing why it trained.
 */
async function loadOrTrain<M>(
  model: tf.LayersModel,
  config: unknown,
  opts: CacheOptions,
  train: () => Promise<M>,
): Promise<Trained<M>> {
  const log = opts.log ?? console.log;
  const key: KeyRecord = {
    name: opts.name,
    backend: arithmeticId(),
    code: await codeOf(opts),
    config,
  };
  const hash = await configHash({ ...key, code: key.code.hash });
  const models = join(cacheRoot(), "models");
  if (!cleaned.has(models)) {
    cleaned.add(models);
    await removeStaleTemps(models);
  }
  const dir = join(models, `${opts.name}-${hash}`);
  let reason: string;
  if (opts.refresh) {
    reason = "refresh requested";
  } else if (await exists(dir)) {
    try {
      const meta = await restoreCheckpoint(model, dir, { requireChecksums: true });
      return { model, metrics: meta.metrics as M, cached: true, dir };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound && !(await exists(dir))) {
        reason = "the entry was removed by another process while it was read";
      } else {
        reason = `damaged entry, replaced: ${(err as Error).message}`;
        await discardDir(dir);
      }
    }
  } else {
    reason = await whyMissed(models, key);
  }
  log(`lenses cache: training "${opts.name}" (${reason})`);
  const metrics = await train();
  if (opts.refresh) await discardDir(dir);
  await saveCheckpoint(dir, model, { config, metrics, key }, { ifExists: "keep" });
  return { model, metrics, cached: false, dir };
}

/** Why no entry matched: what differs from the newest entry of the same name. */
async function whyMissed(models: string, key: KeyRecord): Promise<string> {
  let newest: { savedAt: string; key: unknown } | undefined;
  const entries = await exists(models) ? await Array.fromAsync(Deno.readDir(models)) : [];
  for (const entry of entries) {
    const m = /^(.*)-[0-9a-f]{16}$/.exec(entry.name);
    if (!entry.isDirectory || m?.[1] !== key.name) continue;
    try {
      const file = JSON.parse(await Deno.readTextFile(join(models, entry.name, "model.json")));
      const meta = file.meta as CheckpointMeta;
      if ((meta.savedAt ?? "") > (newest?.savedAt ?? "")) {
        newest = { savedAt: meta.savedAt!, key: meta.key };
      }
    } catch {
      // Unreadable entries explain nothing; the damaged one is reported when its key is used.
    }
  }
  if (!newest) return "no entry";
  if (!newest.key) return "key changed: the last entry was written by an older lenses";
  return `key changed: ${describeChange(newest.key as KeyRecord, key)}`;
}

/** The differences between two key records, most telling first, in a few words. */
function describeChange(before: KeyRecord, after: KeyRecord): string {
  const changes: string[] = [];
  if (before.backend !== after.backend) {
    changes.push(`backend ${before.backend} → ${after.backend}`);
  }
  if (before.code?.hash !== after.code.hash) {
    const old = before.code?.files ?? {};
    const paths = [...new Set([...Object.keys(old), ...Object.keys(after.code.files)])].sort();
    const changed = paths.filter((p) => old[p] !== after.code.files[p]).map((p) =>
      !(p in old) ? `${p} (new)` : !(p in after.code.files) ? `${p} (removed)` : p
    );
    changes.push(`code changed in ${listSome(changed, 3)}`);
  }
  const options: string[] = [];
  diffLeaves(before.config, after.config, "", options);
  if (options.length > 0) changes.push(listSome(options, 4));
  return changes.length > 0 ? changes.join("; ") : "the entry was removed";
}

function listSome(items: string[], most: number): string {
  const shown = items.slice(0, most).join(", ");
  return items.length > most ? `${shown} and ${items.length - most} more` : shown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function shortJson(v: unknown): string {
  if (v === undefined) return "(none)";
  const s = stableStringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function diffLeaves(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isRecord(a) && isRecord(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      diffLeaves(a[k], b[k], path ? `${path}.${k}` : k, out);
    }
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => diffLeaves(v, b[i], `${path}[${i}]`, out));
  } else if (stableStringify(a) !== stableStringify(b)) {
    out.push(`${path || "config"} ${shortJson(a)} → ${shortJson(b)}`);
  }
}

function checkName(name: string, who: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new Error(`${who}: name "${name}" must use only letters, digits, ".", "_" and "-"`);
  }
}

/**
 * Loads the model trained for `config` from the cache, or builds and trains it and caches it.
 * The key is `config` (walked as {@link keyValue} does), the backend and the code fingerprint;
 * prefer {@link cachedFit}, whose key cannot drift from the options it trains with.
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
export async function trainOrLoad<M>(
  opts: CacheOptions & {
    config: unknown;
    build: () => tf.LayersModel;
    train: (model: tf.LayersModel) => Promise<M>;
  },
): Promise<Trained<M>> {
  checkName(opts.name, "trainOrLoad");
  const config = await keyValue(opts.config, "config");
  const model = opts.build();
  return await loadOrTrain(model, config, opts, () => opts.train(model));
}

/** Options of {@link fit} that only change what is shown, left out of the key. */
const DISPLAY_ONLY = new Set(["progress", "label"]);

/** What {@link cachedFit} returns: fit's result (stored with the entry), and where it came from. */
export type CachedFitResult = Awaited<ReturnType<typeof fit>> & {
  /** True when the weights came from the cache. */
  cached: boolean;
  /** The entry's directory. */
  dir: string;
};

/**
 * `fit` with the model cache in front: trains `model` on `data` with `options`, or, when a run
 * with the same key has been cached, restores its weights into `model` and returns its result.
 * Pass the model as built (and prepared) for training: its initial weights are part of the key.
 *
 * @example
 * ```ts
 * const model = referenceCnn({ seed: 0 });
 * const r = await cachedFit(model, train, {
 *   epochs: 3, batchSize: 128, seed: 0, optimizer: { name: "adam", lr: 1e-3 },
 * }, { name: "reference-cnn" });
 * console.log(r.cached, r.epochs.at(-1)?.loss);
 * ```
 */
export async function cachedFit(
  model: tf.LayersModel,
  data: Parameters<typeof fit>[1],
  options: FitOptions,
  cache: CacheOptions,
): Promise<CachedFitResult> {
  checkName(cache.name, "cachedFit");
  const keyed = Object.fromEntries(
    Object.entries(options).filter(([k]) => !DISPLAY_ONLY.has(k)),
  );
  const config = {
    model: await modelFingerprint(model),
    data: await keyValue(data, "data"),
    fit: await keyValue(keyed, "fit"),
  };
  const { metrics, cached, dir } = await loadOrTrain(
    model,
    config,
    cache,
    () => fit(model, data, options),
  );
  return { ...metrics, cached, dir };
}
