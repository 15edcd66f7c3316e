import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import {
  createProgress,
  formatDuration,
  progressBundle,
  progressLine,
} from "../../lib/display/mod.ts";
import { captureLog, withFakeKernel } from "./helpers.ts";

await tf.setBackend("cpu");

/** Runs `fn` with LENSES_PROGRESS set to `value` (or unset), restoring it after. */
async function withEnv(
  value: string | undefined,
  fn: () => Promise<void> | void,
) {
  const saved = Deno.env.get("LENSES_PROGRESS");
  if (value === undefined) Deno.env.delete("LENSES_PROGRESS");
  else Deno.env.set("LENSES_PROGRESS", value);
  try {
    await fn();
  } finally {
    if (saved === undefined) Deno.env.delete("LENSES_PROGRESS");
    else Deno.env.set("LENSES_PROGRESS", saved);
  }
}

/** Captures what is written to stderr with writeSync. */
async function captureStderr(fn: () => Promise<void> | void): Promise<string> {
  const original = Deno.stderr.writeSync;
  let text = "";
  Deno.stderr.writeSync = (bytes: Uint8Array) => {
    text += new TextDecoder().decode(bytes);
    return bytes.length;
  };
  try {
    await fn();
  } finally {
    Deno.stderr.writeSync = original;
  }
  return text;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("quiet progress emits nothing anywhere and leaks no tensors", async () => {
  await withEnv(undefined, async () => {
    const before = tf.memory().numTensors;
    let sent: unknown[] = [];
    let printed: string[] = [];
    const stderr = await captureStderr(async () => {
      printed = await captureLog(() =>
        withFakeKernel(async (messages) => {
          const progress = createProgress({
            total: 5,
            label: "train",
            mode: "quiet",
          });
          assert.equal(progress.mode, "quiet");
          for (let i = 1; i <= 5; i++) {
            const loss = tf.tidy(() => tf.square(tf.scalar(1 / i)));
            progress.update(i, { loss: (await loss.data())[0] });
            loss.dispose();
          }
          progress.finish({ accuracy: 0.9 });
          await settle();
          sent = messages;
        })
      );
    });
    assert.deepEqual(sent, []);
    assert.deepEqual(printed, []);
    assert.equal(stderr, "");
    assert.equal(tf.memory().numTensors, before);
  });
});

Deno.test("auto is quiet in tests (no kernel, stderr not a terminal)", async () => {
  await withEnv(undefined, () => {
    const expected = Deno.stderr.isTerminal() ? "terminal" : "quiet";
    assert.equal(createProgress({ total: 1 }).mode, expected);
  });
});

Deno.test("auto picks jupyter inside the kernel", async () => {
  await withEnv(
    undefined,
    () => withFakeKernel(() => assert.equal(createProgress({ total: 1 }).mode, "jupyter")),
  );
});

Deno.test("LENSES_PROGRESS forces a mode and is validated", async () => {
  await withEnv("quiet", async () => {
    await withFakeKernel(() => {
      assert.equal(
        createProgress({ total: 1, mode: "terminal" }).mode,
        "quiet",
      );
    });
  });
  await withEnv("terminal", () => {
    assert.equal(createProgress({ total: 1 }).mode, "terminal");
  });
  await withEnv("loud", () => {
    assert.throws(
      () => createProgress({ total: 1 }),
      /LENSES_PROGRESS=loud is not a progress mode; use quiet, terminal or jupyter/,
    );
  });
  await withEnv("jupyter", () => {
    assert.throws(
      () => createProgress({ total: 1 }),
      /mode jupyter needs Deno's Jupyter kernel/,
    );
  });
});

Deno.test("in a notebook, progress is one output updated in place, throttled", async () => {
  await withEnv(undefined, async () => {
    const sent = await withFakeKernel(async (sent) => {
      // A clock the test moves: the throttle is checked, not the machine's speed.
      let now = 0;
      const progress = createProgress({ total: 100, label: "epoch 1", clock: () => now });
      for (let i = 1; i <= 98; i++) {
        now = i * 2.5; // 98 updates within 245 ms
        progress.update(i, { loss: 1 / i });
      }
      await settle();
      assert.equal(sent.length, 1, "updates within 250 ms of the last draw are coalesced");
      now = 250;
      progress.update(99, { loss: 1 / 99 });
      await settle();
      assert.equal(sent.length, 2, "250 ms after the last draw, the next update draws");
      now = 251;
      progress.update(100, { loss: 0.01 });
      progress.finish({ accuracy: 0.875 });
      await settle();
      return sent;
    });
    assert.deepEqual(sent.map((m) => m.type), [
      "display_data",
      "update_display_data",
      "update_display_data",
    ], "the update 1 ms later is coalesced; finish always draws");
    const ids = new Set(sent.map((m) => m.content.transient.display_id));
    assert.equal(ids.size, 1);
    assert.match([...ids][0] ?? "", /^lenses-progress-/);
    assert.match(
      sent[0].content.data["text/plain"] as string,
      /^epoch 1 \[-{20}\]\s+0% {2}0\/100/,
    );
    const last = sent[2].content.data["text/plain"] as string;
    assert.match(
      last,
      /^epoch 1 \[#{20}\] {2}100% {2}100\/100 .* done in \d+s {2}loss=0\.01000 {2}accuracy=0\.8750$/,
    );
    assert.match(
      sent[2].content.data["text/html"] as string,
      /<progress value="1" max="1"/,
    );
  });
});

Deno.test("on a terminal, progress redraws one line on stderr and ends it", async () => {
  await withEnv("terminal", async () => {
    const stderr = await captureStderr(() => {
      // A stopped clock: the update is within the 100 ms throttle however slow the machine.
      const progress = createProgress({ total: 4, label: "attack", clock: () => 0 });
      progress.update(2);
      progress.finish();
    });
    assert.ok(stderr.startsWith("\rattack [--------------------]    0%  0/4"));
    assert.equal(stderr.split("\r").length - 1, 2, "the throttled update is not drawn");
    assert.ok(stderr.endsWith("\n"));
    assert.match(
      stderr,
      /\rattack \[##########----------\] {3}50% {2}2\/4 .*done in 0s\s*\n$/,
    );
  });
});

Deno.test("progress rejects bad totals, values and use after finish", async () => {
  await withEnv(undefined, () => {
    assert.throws(
      () => createProgress({ total: 0 }),
      /total must be a positive number/,
    );
    const progress = createProgress({ total: 3, mode: "quiet" });
    assert.throws(
      () => progress.update(-1),
      /done must be a finite number ≥ 0/,
    );
    assert.throws(
      () => progress.update(1, { loss: tf.scalar(1) as unknown as number }),
      /metric "loss" is a object; pass a number/,
    );
    progress.finish();
    assert.throws(() => progress.update(3), /finished; create a new one/);
    assert.throws(
      () => createProgress({ total: 1, mode: "loud" as "quiet" }),
      /unknown mode "loud"/,
    );
  });
});

Deno.test("progressLine and progressBundle render rate, eta and metrics", () => {
  const state = {
    label: "train",
    done: 5,
    total: 10,
    elapsed: 2,
    metrics: { loss: 0.5 },
    finished: false,
  };
  assert.equal(
    progressLine(state),
    "train [##########----------]   50%  5/10  2.50 it/s  eta 2s  loss=0.5000",
  );
  const slow = { ...state, done: 1, elapsed: 30, metrics: {} };
  assert.match(progressLine(slow), /1\/10 {2}30 s\/it {2}eta 4m30s$/);
  const html = progressBundle({
    ...state,
    label: "<x>",
  })["text/html"] as string;
  assert.match(html, /<b style="margin-right:0\.6em">&lt;x&gt;<\/b>/);
  assert.match(html, /<progress value="0\.5" max="1"/);
});

Deno.test("formatDuration is compact", () => {
  assert.equal(formatDuration(42.4), "42s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(3720), "1h02m");
  assert.equal(formatDuration(Infinity), "?");
});
