import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { cnn } from "../../lib/models/mod.ts";
import {
  channel,
  direction,
  labelLoss,
  LOGITS,
  margin,
  negate,
  neuron,
  objective,
  onInputs,
  outputSum,
  probe,
  representationDistance,
  scale,
  sum,
} from "../../lib/optimize/mod.ts";

await initBackend({ backend: "cpu" });

/** Activations [2 examples, 2×2 positions, 3 channels] with values 0..23. */
const conv = () => tf.tensor4d(Array.from({ length: 24 }, (_, i) => i), [2, 2, 2, 3]);

function values(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

Deno.test("channel, neuron, direction and outputSum read the values Lucid's objectives do", () => {
  const a = conv();
  const acts = { c: a };
  // Example 0 holds 0..11: channel 1 is at 1, 4, 7, 10 (mean 5.5); example 1 adds 12.
  assert.deepEqual(values(channel("c", 1).value(acts)), [5.5, 17.5]);
  // The centre of 4 positions is position 2 (row 1, col 0): channel 2 there is 8, then 20.
  assert.deepEqual(values(neuron("c", 2).value(acts)), [8, 20]);
  // ⟨a, [1, 0, -1]⟩ is −2 at every position.
  assert.deepEqual(values(direction("c", [1, 0, -1]).value(acts)), [-2, -2]);
  assert.deepEqual(values(outputSum("c").value(acts)), [66, 210]);
  // A dense layer: one position.
  const dense = { d: tf.tensor2d([[1, 2], [3, 4]]) };
  assert.deepEqual(values(channel("d", 1).value(dense)), [2, 4]);
  assert.deepEqual(values(neuron("d", 0).value(dense)), [1, 3]);
  tf.dispose([a, dense.d]);
});

Deno.test("objectives sum, scale and negate per example, and keep the layers they read", () => {
  const a = conv();
  const b = tf.tensor2d([[1, -1], [2, 5]]);
  const acts = { c: a, d: b };
  const combined = sum(channel("c", 0), scale(channel("d", 1), 2), negate(neuron("c", 2)));
  assert.deepEqual([...combined.layers].sort(), ["c", "d"]);
  // channel c0: 4.5, 16.5; 2·d1: −2, 10; −neuron: −8, −20.
  assert.deepEqual(values(combined.value(acts)), [4.5 - 2 - 8, 16.5 + 10 - 20]);
  assert.match(combined.label, /c:0 \+ 2·\(d:1\) \+ −\(c:2@centre\)/);
  assert.equal(sum(channel("c", 0)).label, "c:0");
  tf.dispose([a, b]);
});

Deno.test("labelLoss and representationDistance: known values", () => {
  const logits = tf.tensor2d([[2, 0, 1], [0, 3, 1]]);
  const labels = tf.tensor1d([0, 2], "int32");
  assert.deepEqual(values(labelLoss(margin, labels).value({ [LOGITS]: logits })), [-1, 2]);
  const goal = tf.tensor2d([[3, 4], [0, 2]]);
  const r = tf.tensor2d([[3, 0], [0, 2]]);
  const d = values(representationDistance("r", goal).value({ r }));
  assert.ok(Math.abs(d[0] - 4 / 5) < 1e-6 && d[1] === 0);
  // At the goal itself the gradient is zero, not NaN (the norm's custom gradient).
  const g = tf.grad((x: tf.Tensor) => tf.sum(representationDistance("r", goal).value({ r: x })))(
    goal,
  );
  assert.deepEqual(values(g), [0, 0, 0, 0]);
  tf.dispose([logits, labels, goal, r]);
});

Deno.test("onInputs: one forward pass for every layer read; gradients match finite differences", async () => {
  const model = cnn({
    seed: 1,
    inputShape: [6, 6, 1],
    convs: [{ filters: 3, stride: 2 }],
    dense: [4],
    activation: "softplus",
    numClasses: 2,
  });
  const names = model.layers.map((l) => l.name);
  const convName = names.find((n) => n.startsWith("conv"))!;
  const target = sum(channel(convName, 1), scale(channel("fc1", 2), 0.5), outputSum());
  const f = onInputs(target, model);
  const x = tf.tidy(() => tf.randomUniform([2, 6, 6, 1], 0, 1, "float32", 3) as tf.Tensor4D);
  const before = tf.memory().numTensors;
  const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(f(v as tf.Tensor4D)))(x));
  const g = await grad.data();
  const base = await x.data();
  const at = async (i: number, delta: number) => {
    const moved = Float32Array.from(base);
    moved[i] += delta;
    const t = tf.tensor4d(moved, x.shape);
    const out = tf.tidy(() => tf.sum(f(t)));
    const v = (await out.data())[0];
    tf.dispose([t, out]);
    return v;
  };
  for (const i of [0, 7, 20, 41, 60]) {
    const fd = (await at(i, 1e-2) - await at(i, -1e-2)) / 2e-2;
    assert.ok(Math.abs(fd - g[i]) < 2e-3 + 0.02 * Math.abs(fd), `pixel ${i}: ${fd} vs ${g[i]}`);
  }
  grad.dispose();
  assert.equal(tf.memory().numTensors, before);
  // Extra named functions join the probe; each is computed once per evaluation.
  let calls = 0;
  const pre = (v: tf.Tensor4D) => {
    calls += 1;
    return tf.reshape(v, [v.shape[0], -1]) as tf.Tensor2D;
  };
  const read = probe(model, { pixels: pre });
  const both = onInputs(sum(channel("pixels", 0), scale(channel("pixels", 0), 2)), read);
  const vals = tf.tidy(() => both(x));
  assert.equal(calls, 1);
  const direct = await x.data();
  const v = await vals.data();
  assert.ok(Math.abs(v[0] - 3 * direct[0]) < 1e-5 && Math.abs(v[1] - 3 * direct[36]) < 1e-5);
  tf.dispose([x, vals]);
  model.dispose();
});

Deno.test("objectives: clear errors on bad input", () => {
  const a = conv();
  assert.throws(() => channel("c", 3).value({ c: a }), /index 3 is outside \[0, 3\)/);
  assert.throws(() => direction("c", [1, 2]).value({ c: a }), /2 values but layer "c" has 3/);
  assert.throws(() => sum(), /at least one objective/);
  assert.throws(() => scale(channel("c", 0), NaN), /finite/);
  assert.throws(() => objective([], "nothing", () => tf.zeros([1])), /at least one layer/);
  const fn = (x: tf.Tensor4D) => tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
  assert.throws(() => onInputs(channel("fc1", 0), fn)(x), /offers only "logits", not fc1/);
  const goal = tf.zeros([2, 3]) as tf.Tensor2D;
  assert.throws(
    () => representationDistance("r", goal).value({ r: tf.zeros([2, 4]) }),
    /gives \[2,4\] but the goal is \[2,3\]/,
  );
  tf.dispose([a, x, goal]);
});
