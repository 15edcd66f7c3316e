/**
 * What a PGD call costs and what it returns: the number of model passes and device reads per
 * call (so a saving cannot silently regress), and bit-for-bit agreement with a plain reference
 * PGD written out step by step.
 *
 * @module
 */

import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/rng.ts";
import { fgsm, pgd, type PgdOptions } from "../../lib/attacks/mod.ts";
import { l2, linf, type ThreatModel } from "../../lib/optimize/mod.ts";
import { crossEntropy, margin } from "../../lib/optimize/losses.ts";
import { type ImageFn } from "../../lib/models/types.ts";
import { assertNoLeak, useCpu } from "./helpers.ts";

await useCpu();

const SHAPE: [number, number, number, number] = [8, 6, 6, 1];
const CLASSES = 5;

function seeded(seed: number, n: number, scale: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

// A small nonlinear classifier (conv, relu, dense), so the best iterate is not always the last
// and the attack succeeds on some examples only.
const kernel = tf.keep(tf.tensor4d(seeded(1, 3 * 3 * 4, 0.6), [3, 3, 1, 4]));
const dense = tf.keep(
  tf.tensor2d(seeded(2, 3 * 3 * 4 * CLASSES, 0.5), [36, CLASSES]),
);
const model: ImageFn = (x) =>
  tf.tidy(() => {
    const h = tf.relu(tf.conv2d(x, kernel, 2, "same"));
    return tf.matMul(tf.reshape(h, [x.shape[0], -1]), dense);
  });

function images(): tf.Tensor4D {
  const rng = new Rng(3);
  const size = SHAPE.reduce((a, b) => a * b);
  return tf.tensor4d(
    Float32Array.from({ length: size }, () => rng.uniform()),
    SHAPE,
  );
}

const LABELS = [0, 1, 2, 3, 4, 0, 1, 2];
const TARGETS = [1, 2, 3, 4, 0, 2, 3, 4];

/** `fn` with a count of its calls. */
function counted(fn: ImageFn): { fn: ImageFn; calls: () => number } {
  let calls = 0;
  return {
    fn: (x) => {
      calls += 1;
      return fn(x);
    },
    calls: () => calls,
  };
}

Deno.test("a PGD call runs the model once per step plus once at the end", async () => {
  const x = images();
  const cases: [string, Partial<PgdOptions>, number][] = [
    // The last iterate is returned: its one pass gives both the loss and the success.
    ["keepBest false", { keepBest: false }, 10 + 1],
    // The best iterate may be an earlier one, whose success needs a pass of its own.
    ["keepBest true", {}, 10 + 1 + 1],
    ["targeted", { keepBest: false, targets: TARGETS }, 10 + 1],
    [
      "restarts",
      { keepBest: false, randomStart: true, restarts: 3, seed: 1 },
      3 * (10 + 1),
    ],
  ];
  for (const [name, extra, expected] of cases) {
    const { fn, calls } = counted(model);
    const r = await pgd(fn, x, LABELS, {
      threat: linf(0.1),
      steps: 10,
      stepSize: 0.02,
      ...extra,
    });
    r.adversarial.dispose();
    assert.equal(calls(), expected, `${name}: model passes`);
  }
  const { fn, calls } = counted(model);
  const r = await fgsm(fn, x, LABELS, { eps: 0.1 });
  r.adversarial.dispose();
  assert.equal(calls(), 2, "fgsm: one gradient pass and one final pass");
  x.dispose();
});

/** Calls of the tensor read-back methods while `fn` runs. */
async function countReads(fn: () => Promise<void>): Promise<number> {
  const proto = tf.Tensor.prototype as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  const names = ["data", "dataSync", "array", "arraySync", "bytes"];
  const originals = names.map((name) => proto[name]);
  let reads = 0;
  names.forEach((name, i) => {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      reads += 1;
      return originals[i].apply(this, args);
    };
  });
  try {
    await fn();
  } finally {
    names.forEach((name, i) => proto[name] = originals[i]);
  }
  return reads;
}

Deno.test("a PGD call reads the device once, plus once per new input tensor", async () => {
  const x = images();
  const y = tf.tensor1d(LABELS, "int32");
  const attack = async () => {
    const r = await pgd(model, x, y, {
      threat: linf(0.1),
      steps: 3,
      stepSize: 0.05,
      keepBest: false,
    });
    r.adversarial.dispose();
  };
  // New images (range check) and new labels (index check) are read once each.
  assert.equal(await countReads(attack), 3);
  // The same tensors again: only the result (history, loss, success in one read).
  assert.equal(await countReads(attack), 1);
  tf.dispose([x, y]);
});

interface Reference {
  adversarial: Float32Array;
  loss: Float32Array;
  success: Uint8Array;
  history: number[];
  /** The iterate returned, per example (0 = start, steps = last). */
  chosen: number[];
}

/**
 * PGD written out plainly, one run: every iterate and its loss kept, the returned iterate
 * chosen per example on the CPU (the best by loss, later ones winning ties, or the last), and
 * the success of the returned batch from a fresh pass of the model.
 */
async function referencePgd(
  x0: tf.Tensor4D,
  opts: {
    threat: ThreatModel;
    steps: number;
    stepSize: number;
    keepBest: boolean;
    loss: typeof crossEntropy;
    targets?: number[];
    seed?: number;
  },
): Promise<Reference> {
  const { threat, steps, stepSize } = opts;
  const aim = tf.tensor1d(opts.targets ?? LABELS, "int32");
  const sign = opts.targets ? -1 : 1;
  const objective = (x: tf.Tensor4D) => opts.loss(model(x), aim);
  const valueAndGrad = tf.valueAndGrad(objective);
  let x = opts.seed === undefined ? tf.clone(x0) : threat.randomStart(x0, new Rng(opts.seed));
  const iterates: Float32Array[] = [];
  const losses: Float32Array[] = [];
  const history: number[] = [];
  for (let t = 0; t <= steps; t++) {
    const { value, next } = tf.tidy(() => {
      if (t === steps) return { value: objective(x), next: undefined };
      const { value, grad } = valueAndGrad(x);
      const moved = threat.step(x, tf.mul(grad, sign) as tf.Tensor4D, stepSize);
      return { value, next: threat.project(moved, x0) };
    });
    iterates.push(await x.data() as Float32Array);
    losses.push(await value.data() as Float32Array);
    const mean = tf.mean(value);
    history.push((await mean.data())[0]);
    tf.dispose([value, mean, x]);
    if (next) x = next;
  }
  const [batch] = x0.shape;
  const row = x0.size / batch;
  const adversarial = new Float32Array(x0.size);
  const loss = new Float32Array(batch);
  const chosen: number[] = [];
  for (let i = 0; i < batch; i++) {
    let best = steps;
    if (opts.keepBest) {
      best = 0;
      for (let t = 1; t <= steps; t++) {
        if (!(sign * losses[best][i] > sign * losses[t][i])) best = t;
      }
    }
    adversarial.set(iterates[best].subarray(i * row, (i + 1) * row), i * row);
    loss[i] = losses[best][i];
    chosen.push(best);
  }
  const predicted = tf.tidy(() => tf.argMax(model(tf.tensor4d(adversarial, x0.shape)), 1));
  const classes = await predicted.data();
  const success = Uint8Array.from(
    classes,
    (c, i) => opts.targets ? +(c === opts.targets[i]) : +(c !== LABELS[i]),
  );
  tf.dispose([aim, predicted]);
  return { adversarial, loss, success, history, chosen };
}

Deno.test("PGD returns bit for bit what a plain step-by-step PGD computes", async () => {
  const x = images();
  const cases: [string, Partial<PgdOptions> & { seed?: number }][] = [
    ["linf, best iterate", { threat: linf(0.05), stepSize: 0.04 }],
    ["linf, last iterate", {
      threat: linf(0.05),
      stepSize: 0.04,
      keepBest: false,
    }],
    ["l2 random start, best", { threat: l2(0.4), stepSize: 0.3, seed: 5 }],
    ["targeted margin, best", {
      threat: linf(0.08),
      stepSize: 0.05,
      targets: TARGETS,
      loss: margin,
    }],
    ["targeted, last", {
      threat: linf(0.08),
      stepSize: 0.05,
      targets: TARGETS,
      keepBest: false,
    }],
  ];
  let earlierChosen = 0;
  const successes = new Set<number>();
  for (const [name, c] of cases) {
    const opts = {
      threat: c.threat!,
      steps: 6,
      stepSize: c.stepSize!,
      keepBest: c.keepBest ?? true,
      loss: c.loss ?? crossEntropy,
      targets: c.targets as number[] | undefined,
    };
    const expected = await referencePgd(x, { ...opts, seed: c.seed });
    await assertNoLeak(async () => {
      const r = await pgd(model, x, LABELS, {
        ...opts,
        ...(c.seed === undefined ? {} : { randomStart: true, seed: c.seed }),
      });
      const adversarial = await r.adversarial.data();
      r.adversarial.dispose();
      assert.deepEqual(adversarial, expected.adversarial, `${name}: images`);
      assert.deepEqual(r.loss, expected.loss, `${name}: loss`);
      assert.deepEqual(r.success, expected.success, `${name}: success`);
      assert.deepEqual(r.lossHistory, [expected.history], `${name}: history`);
    });
    earlierChosen += expected.chosen.filter((t) => t < opts.steps).length;
    expected.success.forEach((s) => successes.add(s));
  }
  // Otherwise the comparison would not cover choosing among iterates, or success flags.
  assert.ok(earlierChosen > 0, "no example's best iterate was an earlier one");
  assert.equal(successes.size, 2, "every attack succeeded or none did");
  x.dispose();
});
