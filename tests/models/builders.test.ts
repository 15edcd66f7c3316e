import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { cnn, mlp, referenceCnn } from "../../lib/models/builders.ts";
import { activations, layerNames, parameterCount, penultimate } from "../../lib/models/layers.ts";

await initBackend({ backend: "cpu" });

Deno.test("referenceCnn: layers, shapes and parameter count of conv32-pool-conv64-pool-fc128-fc10", () => {
  const model = referenceCnn({ seed: 0 });
  assert.deepEqual(layerNames(model), [
    "conv1",
    "pool1",
    "conv2",
    "pool2",
    "flatten",
    "fc1",
    "logits",
  ]);
  // conv1 3·3·1·32+32, conv2 3·3·32·64+64, fc1 7·7·64·128+128, logits 128·10+10
  assert.equal(parameterCount(model), 320 + 18496 + 401536 + 1290);
  const y = model.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor;
  assert.deepEqual(y.shape, [3, 10]);
  y.dispose();
  model.dispose();
});

Deno.test("builders are deterministic per seed", async () => {
  const weights = async (seed: number) => {
    const m = mlp({
      seed,
      inputShape: [4, 4, 1],
      widths: [8],
      activation: "gelu",
    });
    const values = await Promise.all(m.getWeights().map((w) => w.data()));
    m.dispose();
    return values.flatMap((v) => Array.from(v));
  };
  assert.deepEqual(await weights(1), await weights(1));
  assert.notDeepEqual(await weights(1), await weights(2));
});

Deno.test("activations and penultimate expose named layers and share the weights", () => {
  const before = tf.memory().numTensors;
  const model = cnn({
    seed: 2,
    inputShape: [8, 8, 1],
    convs: [{ filters: 3, stride: 2 }],
    dense: [5],
    numClasses: 4,
  });
  const x = tf.randomUniform([2, 8, 8, 1], 0, 1, "float32", 7);
  const { conv1, fc1, logits } = activations(model, ["conv1", "fc1", "logits"])(
    x,
  );
  assert.deepEqual(conv1.shape, [2, 4, 4, 3]);
  assert.deepEqual(fc1.shape, [2, 5]);
  const direct = model.predict(x) as tf.Tensor;
  assert.ok(
    tf.tidy(() => tf.max(tf.abs(tf.sub(direct, logits))).dataSync()[0]) < 1e-6,
  );
  const rep = penultimate(model)(x);
  assert.deepEqual(rep.shape, [2, 5]);
  assert.throws(
    () => activations(model, ["conv9"]),
    /no layer "conv9".*conv1, flatten, fc1, logits/,
  );
  tf.dispose([x, conv1, fc1, logits, direct, rep]);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("bad configurations get clear errors", () => {
  assert.throws(
    () =>
      mlp({
        seed: 0,
        inputShape: [4],
        widths: [8],
        activation: "swish" as never,
      }),
    /unknown activation "swish"/,
  );
  assert.throws(
    () => mlp({ seed: 0, inputShape: [4], widths: [0] }),
    /widths must be positive integers/,
  );
  assert.throws(
    () => cnn({ seed: 0, inputShape: [8, 8, 1], convs: [], dense: [] }),
    /at least one convolution/,
  );
});

/** ∂/∂x of (∂ sum(outputs) / ∂x)[0]: the second derivative the subitization notebook needs. */
function secondDerivative(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  return tf.grad((input: tf.Tensor) => {
    const saliency = tf.grad((z: tf.Tensor) => tf.sum(model.apply(z) as tf.Tensor))(input);
    return tf.sum(tf.slice(tf.reshape(saliency, [-1]), [5], [1]));
  })(x);
}

Deno.test("second derivatives: exactly zero through ReLU, non-zero through softplus", () => {
  const x = tf.randomUniform([1, 6, 6, 1], 0, 1, "float32", 11);
  const build = (activation: "relu" | "softplus") =>
    cnn({
      seed: 4,
      inputShape: [6, 6, 1],
      convs: [{ filters: 4, stride: 2 }],
      dense: [8],
      activation,
      numClasses: 2,
    });
  const relu = build("relu");
  const soft = build("softplus");
  const h2Relu = secondDerivative(relu, x);
  const h2Soft = secondDerivative(soft, x);
  assert.equal(tf.max(tf.abs(h2Relu)).dataSync()[0], 0);
  assert.ok(tf.max(tf.abs(h2Soft)).dataSync()[0] > 1e-6);
  tf.dispose([x, h2Relu, h2Soft]);
  relu.dispose();
  soft.dispose();
});

Deno.test("mlp input gradient matches central finite differences", () => {
  const model = mlp({
    seed: 5,
    inputShape: [3],
    widths: [6],
    activation: "tanh",
    numClasses: 2,
  });
  const f = (x: tf.Tensor) => tf.sum(tf.mul(model.apply(x) as tf.Tensor, tf.tensor1d([1, -2])));
  const x0 = [0.2, -0.4, 0.7];
  const g = tf.grad(f)(tf.tensor2d([x0])).dataSync();
  const h = 1e-2;
  for (let i = 0; i < 3; i++) {
    const plus = [...x0];
    const minus = [...x0];
    plus[i] += h;
    minus[i] -= h;
    const fd = (f(tf.tensor2d([plus])).dataSync()[0] -
      f(tf.tensor2d([minus])).dataSync()[0]) / (2 * h);
    assert.ok(
      Math.abs(fd - g[i]) < 1e-3,
      `d/dx${i}: finite difference ${fd}, gradient ${g[i]}`,
    );
  }
  model.dispose();
});

Deno.test("cnn batchNorm: conv without bias, normalization, then the activation", async () => {
  const model = cnn({
    seed: 3,
    inputShape: [6, 6, 1],
    convs: [{ filters: 2, stride: 2 }],
    dense: [],
    activation: "sigmoid",
    numClasses: 1,
    batchNorm: true,
  });
  assert.deepEqual(model.layers.map((l) => l.name), [
    "input",
    "conv1",
    "bn1",
    "act1",
    "flatten",
    "logits",
  ]);
  assert.equal(model.getLayer("conv1").getWeights().length, 1); // kernel only
  // At initialisation (moving mean 0, variance 1, γ 1, β 0) inference is sigmoid(conv(x) / √(1 + ε)).
  const x = tf.randomUniform([2, 6, 6, 1], 0, 1, "float32", 1);
  const conv = tf.conv2d(
    x as tf.Tensor4D,
    model.getLayer("conv1").getWeights()[0] as tf.Tensor4D,
    2,
    "same",
  );
  const expected = tf.sigmoid(tf.div(conv, Math.sqrt(1 + 1e-3)));
  const act1 = tf.model({
    inputs: model.inputs,
    outputs: model.getLayer("act1").output as tf.SymbolicTensor,
  });
  const got = act1.predict(x) as tf.Tensor;
  assert.ok((await tf.max(tf.abs(tf.sub(got, expected))).data())[0] < 1e-6);
  // Training mode normalises with the batch's statistics and moves the moving mean.
  const before = await model.getLayer("bn1").getWeights()[2].data();
  tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
  const after = await model.getLayer("bn1").getWeights()[2].data();
  assert.notDeepEqual(Array.from(after), Array.from(before));
  tf.dispose([x, conv, expected, got]);
  model.dispose();
});
