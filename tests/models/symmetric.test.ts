import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { smoothedRelu, symmetricNet, twoLayerRelu } from "../../lib/models/symmetric.ts";
import { fit, meanCrossEntropy } from "../../lib/train/mod.ts";
import { sparseLinearTask } from "../../lib/data/sparse_coding.ts";

await tf.setBackend("cpu");

Deno.test("smoothedRelu: 0, z²/2ϱ, z − ϱ/2 on its three pieces", () => {
  const out = smoothedRelu(tf.tensor([-1, 0, 0.05, 0.1, 1]), 0.1);
  const v = Array.from(out.dataSync());
  [0, 0, 0.0125, 0.05, 0.95].forEach((e, i) => assert.ok(Math.abs(v[i] - e) < 1e-6, `${v}`));
  out.dispose();
  assert.throws(() => smoothedRelu(tf.scalar(1), 0), /rho must be a finite number > 0/);
});

Deno.test("symmetricNet: logits [−f/2, f/2] with f the sum of odd pairs; f(c − x) = −f(c + x)", () => {
  const net = symmetricNet({
    seed: 1,
    inputShape: [1, 6, 1],
    width: 4,
    bias: 0.02,
    inputOffset: 0.5,
    initStd: 0.5,
  });
  const before = tf.memory().numTensors;
  const xs = [0.1, -0.2, 0.3, 0.05, -0.15, 0.2];
  const logits = tf.tidy(() =>
    (net.predict(
      tf.tensor4d([...xs.map((v) => 0.5 + v), ...xs.map((v) => 0.5 - v)], [2, 1, 6, 1]),
    ) as tf.Tensor)
      .arraySync() as number[][]
  );
  assert.equal(tf.memory().numTensors, before);
  const w = net.getLayer("hidden").getWeights()[0].arraySync() as number[][];
  let f = 0;
  const s = (z: number) => (z <= 0 ? 0 : z <= 0.05 ? z * z / 0.1 : z - 0.025);
  for (let i = 0; i < 4; i++) {
    const h = xs.reduce((acc, v, q) => acc + v * w[q][i], 0);
    f += s(h - 0.02) - s(-h - 0.02);
  }
  assert.ok(Math.abs(logits[0][1] - f / 2) < 1e-5 && Math.abs(logits[0][0] + f / 2) < 1e-5);
  assert.ok(Math.abs(logits[1][1] + f / 2) < 1e-5, "odd in the centred input");
  net.dispose();
});

for (const relativeBias of [0, 0.3]) {
  Deno.test(`symmetricNet (relativeBias ${relativeBias}): loss gradients match finite differences`, () => {
    const d = 5, width = 3;
    const net = symmetricNet({
      seed: 2,
      inputShape: [1, d, 1],
      width,
      bias: 0.01,
      initStd: 0.4,
      rho: 0.1,
      relativeBias,
    });
    const x = tf.tensor4d([0.2, 0.9, 0.4, 0.7, 0.1, 0.6, 0.3, 0.8, 0.5, 0.35], [2, 1, d, 1]);
    const y = tf.tensor1d([1, 0], "int32");
    const loss = () => meanCrossEntropy(net.apply(x) as tf.Tensor2D, y);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      loss,
      net.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    value.dispose();
    const layer = net.getLayer("hidden");
    const h = 1e-3;
    for (const [index, weight] of layer.getWeights().entries()) {
      const values = weight.dataSync().slice();
      const analytic = grads[(net.trainableWeights[index].read() as tf.Variable).name].dataSync();
      for (let p = 0; p < values.length; p++) {
        const at = (delta: number) => {
          const v = values.slice();
          v[p] += delta;
          const weights = layer.getWeights().map((
            t,
            i,
          ) => (i === index ? tf.tensor(v, t.shape) : t));
          layer.setWeights(weights);
          if (weights[index] !== undefined) weights[index].dispose();
          return tf.tidy(() => loss().dataSync()[0]);
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        at(0);
        assert.ok(
          Math.abs(numeric - analytic[p]) < 2e-3,
          `weight ${index}[${p}]: ${numeric} vs ${analytic[p]}`,
        );
      }
    }
    tf.dispose(Object.values(grads));
    // Input gradient (what the attacks use).
    const gx = tf.grad((xi: tf.Tensor) => meanCrossEntropy(net.apply(xi) as tf.Tensor2D, y))(x);
    const xv = x.dataSync().slice();
    const gv = gx.dataSync();
    for (let p = 0; p < xv.length; p++) {
      const at = (delta: number) =>
        tf.tidy(() => {
          const v = xv.slice();
          v[p] += delta;
          return meanCrossEntropy(
            net.apply(tf.tensor4d(v, x.shape as [number, number, number, number])) as tf.Tensor2D,
            y,
          )
            .dataSync()[0];
        });
      const numeric = (at(h) - at(-h)) / (2 * h);
      assert.ok(Math.abs(numeric - gv[p]) < 2e-3, `x[${p}]: ${numeric} vs ${gv[p]}`);
    }
    gx.dispose();
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    tf.dispose([x, y]);
    net.dispose();
  });
}

Deno.test("symmetricNet and twoLayerRelu: trainable by fit on the sparse linear task; bad widths refused", async () => {
  const task = sparseLinearTask({ seed: 0, d: 16, k: 2 });
  const train = task.sample(1024, 1);
  for (
    const net of [
      symmetricNet({ seed: 0, inputShape: [1, 16, 1], width: 8, inputOffset: 0.5 }),
      twoLayerRelu({ seed: 0, inputShape: [1, 16, 1], width: 8 }),
    ]
  ) {
    const before = tf.memory().numTensors;
    const r = await fit(net, train, {
      epochs: 3,
      batchSize: 32,
      seed: 0,
      optimizer: { name: "adam", lr: 0.01 },
      progress: "quiet",
    });
    assert.equal(tf.memory().numTensors, before, `${net.name} leaked`);
    assert.ok(r.epochs[2].loss < r.epochs[0].loss, `${net.name}: ${r.epochs.map((e) => e.loss)}`);
    assert.ok(r.epochs[2].accuracy! > 0.8, `${net.name}: accuracy ${r.epochs[2].accuracy}`);
    net.dispose();
  }
  assert.throws(
    () => symmetricNet({ seed: 0, inputShape: [4], width: 0 }),
    /width must be a positive integer/,
  );
  assert.throws(
    () => twoLayerRelu({ seed: 0, inputShape: [0], width: 2 }),
    /inputShape must be positive/,
  );
});
