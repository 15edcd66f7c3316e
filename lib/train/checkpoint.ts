/**
 * Checkpoints: a model's weights with its architecture, the configuration that made it and
 * its metrics, saved to a directory atomically (a crash mid-save leaves the previous
 * checkpoint intact). Restoring into a model of another architecture fails with a message that
 * says what differs.
 *
 * Layout: `<dir>/model.json` (tfjs topology, weight specs, lenses metadata, checksums) and
 * `<dir>/weights.bin`. `model.json` carries the SHA-256 of `weights.bin` and of its own content,
 * both checked on every load, so a file damaged in place (even with its size unchanged) is
 * refused instead of loaded.
 *
 * @module
 */

import { join } from "node:path";
import { tf } from "../tf.ts";
import { exists, publishDir, replaceDirAtomic } from "../io/fs.ts";
import { concatBytes, sha256Hex } from "../io/bytes.ts";

/** What lenses stores beside the weights. */
export interface CheckpointMeta {
  /** The configuration the model was built and trained with. */
  config: unknown;
  /** Metrics and history to show again when the checkpoint is reused. */
  metrics?: unknown;
  /** When it was saved (ISO 8601). */
  savedAt?: string;
  /** What the model cache derived its key from (see model_cache.ts). */
  key?: unknown;
}

interface ModelFile {
  format: "lenses-checkpoint";
  /** 1: no checksums (still read); 2: `sha256` present. */
  version: 1 | 2;
  architecture: string[];
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  meta: CheckpointMeta;
  sha256?: {
    /** Of weights.bin. */
    weights: string;
    /** Of this file's JSON without the `sha256` field. */
    file: string;
  };
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /**
   * What to do when `dir` already holds a checkpoint: "replace" it atomically (default), or
   * "keep" it, which is what a content-addressed cache wants when several processes publish the
   * same entry at once (see {@link publishDir}).
   */
  ifExists?: "replace" | "keep";
}

/** Options of {@link restoreCheckpoint}. */
export interface RestoreCheckpointOptions {
  /** Refuse a checkpoint without checksums (version 1); default false. */
  requireChecksums?: boolean;
}

/** JSON.stringify of a parsed JSON.stringify output gives back the same text, key order included. */
async function fileChecksum(file: ModelFile): Promise<string> {
  const { sha256: _, ...rest } = file;
  return await sha256Hex(new TextEncoder().encode(JSON.stringify(rest)));
}

/** One line per weight, "name shape", identifying an architecture. */
function architectureOf(model: tf.LayersModel): string[] {
  return model.weights.map((w) => `${w.originalName} [${w.shape.join(",")}]`);
}

/**
 * Saves `model` with `meta` to `dir`, replacing any checkpoint there atomically (or, with
 * `ifExists: "keep"`, keeping one that is already there). Returns whether this call's checkpoint
 * is the one in `dir`.
 *
 * @example
 * ```ts
 * await saveCheckpoint("runs/cnn", model, { config: { seed: 0 }, metrics: { acc: 0.98 } });
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  meta: CheckpointMeta,
  opts: SaveCheckpointOptions = {},
): Promise<boolean> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  if (!artifacts?.weightData || !artifacts.weightSpecs) {
    throw new Error("saveCheckpoint: tfjs returned no weights for this model");
  }
  const buffers = [artifacts.weightData].flat() as ArrayBuffer[];
  const weights = concatBytes(buffers.map((b) => new Uint8Array(b)));
  // A JSON round trip first, so the checksum is of exactly what a reader will parse.
  const file: ModelFile = JSON.parse(JSON.stringify({
    format: "lenses-checkpoint",
    version: 2,
    architecture: architectureOf(model),
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs,
    meta: { ...meta, savedAt: meta.savedAt ?? new Date().toISOString() },
  }));
  file.sha256 = { weights: await sha256Hex(weights), file: await fileChecksum(file) };
  const fill = async (tmp: string) => {
    await Deno.writeFile(join(tmp, "weights.bin"), weights);
    await Deno.writeTextFile(join(tmp, "model.json"), JSON.stringify(file));
  };
  if (opts.ifExists === "keep") return await publishDir(dir, fill);
  await replaceDirAtomic(dir, fill);
  return true;
}

async function readCheckpoint(
  dir: string,
  requireChecksums = false,
): Promise<{ file: ModelFile; weights: Uint8Array }> {
  const modelPath = join(dir, "model.json");
  if (!(await exists(modelPath))) {
    throw new Error(`No checkpoint at ${dir}: ${modelPath} is missing`);
  }
  const text = await Deno.readTextFile(modelPath);
  let file: ModelFile;
  try {
    file = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `Checkpoint ${modelPath} is not valid JSON (${
        (err as Error).message
      }); delete the directory to retrain`,
    );
  }
  if (file.format !== "lenses-checkpoint") {
    throw new Error(
      `${modelPath} is not a lenses checkpoint (format "${file.format}")`,
    );
  }
  if (file.sha256 && file.sha256.file !== await fileChecksum(file)) {
    throw new Error(
      `Checkpoint ${modelPath} is damaged: its content does not match its checksum. ` +
        "Delete the directory to retrain.",
    );
  }
  if (!file.sha256 && requireChecksums) {
    throw new Error(
      `Checkpoint ${modelPath} has no checksums (written by an older lenses), so its weights ` +
        "cannot be verified",
    );
  }
  const weights = await Deno.readFile(join(dir, "weights.bin"));
  const expected = file.weightSpecs.reduce(
    (n, s) => n + tf.util.sizeFromShape(s.shape) * 4,
    0,
  );
  if (weights.byteLength !== expected) {
    throw new Error(
      `Checkpoint ${dir}: weights.bin has ${weights.byteLength} bytes, the specs need ${expected}; ` +
        "the file is truncated or from another model. Delete the directory to retrain.",
    );
  }
  if (file.sha256 && file.sha256.weights !== await sha256Hex(weights)) {
    throw new Error(
      `Checkpoint ${dir}: weights.bin does not match the checksum in model.json; the file was ` +
        "changed after it was saved. Delete the directory to retrain.",
    );
  }
  return { file, weights };
}

/**
 * Loads a checkpoint as a new model (architecture from the file).
 *
 * @example
 * ```ts
 * const { model, meta } = await loadCheckpoint("runs/cnn");
 * ```
 */
export async function loadCheckpoint(
  dir: string,
): Promise<{ model: tf.LayersModel; meta: CheckpointMeta }> {
  const { file, weights } = await readCheckpoint(dir);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: file.modelTopology as tf.io.ModelJSON["modelTopology"],
    weightSpecs: file.weightSpecs,
    weightData: weights.slice().buffer,
  }));
  return { model, meta: file.meta };
}

/**
 * Restores a checkpoint's weights into `model`, which must have the same architecture.
 *
 * @example
 * ```ts
 * const model = referenceCnn({ seed: 0 });
 * const meta = await restoreCheckpoint(model, "runs/cnn");
 * ```
 */
export async function restoreCheckpoint(
  model: tf.LayersModel,
  dir: string,
  opts: RestoreCheckpointOptions = {},
): Promise<CheckpointMeta> {
  const { file, weights } = await readCheckpoint(dir, opts.requireChecksums);
  const mine = architectureOf(model);
  const theirs = file.architecture;
  if (mine.join("\n") !== theirs.join("\n")) {
    const firstDiff = mine.findIndex((line, i) => line !== theirs[i]);
    const at = firstDiff === -1 ? mine.length : firstDiff;
    throw new Error(
      `Checkpoint ${dir} holds another architecture: it has ${theirs.length} weights, ` +
        `this model ${mine.length}; first difference at weight ${at + 1}: ` +
        `checkpoint "${theirs[at] ?? "(none)"}" vs model "${mine[at] ?? "(none)"}". ` +
        "Build the model with the configuration the checkpoint was saved with, or retrain.",
    );
  }
  const named = tf.io.decodeWeights(weights.slice().buffer, file.weightSpecs);
  try {
    model.weights.forEach((w, i) => w.write(named[file.weightSpecs[i].name]));
  } finally {
    tf.dispose(Object.values(named));
  }
  return file.meta;
}
