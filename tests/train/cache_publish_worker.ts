/**
 * One of several processes publishing the same model-cache entry at once (spawned by
 * model_cache.test.ts). Each round publishes the entry as the cache does, reads it back with its
 * checksums checked, and every third round discards it, so that other processes keep finding it
 * absent and race to publish again.
 *
 * Usage: deno run -A cache_publish_worker.ts <dir> <rounds> [keep|replace]
 * ("replace" publishes the way checkpoints were published before the cache was made safe.)
 * Prints one JSON line of counts; any unexpected failure exits non-zero.
 *
 * @module
 */
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { discardDir } from "../../lib/io/fs.ts";
import { mlp } from "../../lib/models/mod.ts";
import { restoreCheckpoint, saveCheckpoint } from "../../lib/train/mod.ts";

const [dir, roundsArg, mode = "keep"] = Deno.args;
await initBackend({ backend: "cpu" });
const build = () => mlp({ seed: 3, inputShape: [4, 4, 1], widths: [5], numClasses: 2 });
const model = build();
const reader = build();
const counts = { published: 0, kept: 0, vanished: 0, discarded: 0 };
for (let round = 0; round < Number(roundsArg); round++) {
  const mine = await saveCheckpoint(dir, model, { config: { round: 0 } }, {
    ifExists: mode === "keep" ? "keep" : "replace",
  });
  counts[mine ? "published" : "kept"]++;
  try {
    await restoreCheckpoint(reader, dir, { requireChecksums: true });
  } catch (err) {
    // Another process may discard the entry between our publish and our read; a read that sees
    // a half-replaced or wrong entry is the failure this test exists to catch.
    if (!(err instanceof Deno.errors.NotFound || /No checkpoint at/.test(String(err)))) throw err;
    counts.vanished++;
  }
  if (round % 3 === 2) {
    await discardDir(dir);
    counts.discarded++;
  }
}
for (const m of [model, reader]) m.dispose();
console.log(JSON.stringify({ ...counts, tensors: tf.memory().numTensors }));
