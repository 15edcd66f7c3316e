import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/rng.ts";
import { onBackend, randomArray, setUpBackends, testEachProductMode } from "./wasm_helpers.ts";

await setUpBackends();

/** A small smooth conv net: conv 3×3 s1 same → tanh → conv 3×3 s2 valid → Σ out². */
function loss(x: tf.Tensor4D, w1: tf.Tensor4D, w2: tf.Tensor4D): tf.Scalar {
  const h = tf.tanh(tf.conv2d(x, w1, 1, "same"));
  return tf.conv2d(h, w2, 2, "valid").square().sum().mul(0.5);
}

testEachProductMode(
  "finite differences agree with wasm gradients of a conv net",
  async () => {
    await onBackend("wasm", () => {
      const shapes = { x: [2, 7, 7, 2], w1: [3, 3, 2, 4], w2: [3, 3, 4, 3] };
      const values = {
        x: randomArray(11, shapes.x),
        w1: randomArray(12, shapes.w1).map((v) => v * 0.5),
        w2: randomArray(13, shapes.w2).map((v) => v * 0.5),
      };
      type Name = keyof typeof values;
      const names: Name[] = ["x", "w1", "w2"];
      const lossAt = (vals: typeof values) =>
        tf.tidy(() => {
          const [x, w1, w2] = names.map((n) => tf.tensor4d(vals[n], shapes[n] as never));
          return loss(x as tf.Tensor4D, w1 as tf.Tensor4D, w2 as tf.Tensor4D)
            .dataSync()[0];
        });
      const before = tf.memory().numTensors;
      const analytic = tf.tidy(() => {
        const ts = names.map((n) => tf.tensor4d(values[n], shapes[n] as never));
        return tf.grads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) =>
          loss(x as tf.Tensor4D, w1 as tf.Tensor4D, w2 as tf.Tensor4D)
        )(ts).map((g) => g.dataSync());
      });
      assert.equal(
        tf.memory().numTensors,
        before,
        "gradient computation leaked tensors",
      );

      const rng = new Rng(99);
      const eps = 1e-2;
      for (const [k, name] of names.entries()) {
        for (let trial = 0; trial < 8; trial++) {
          const i = rng.int(values[name].length);
          const plus = { ...values, [name]: values[name].slice() };
          const minus = { ...values, [name]: values[name].slice() };
          plus[name][i] += eps;
          minus[name][i] -= eps;
          const numeric = (lossAt(plus) - lossAt(minus)) / (2 * eps);
          const exact = analytic[k][i];
          assert.ok(
            Math.abs(numeric - exact) <= 2e-2 * Math.max(1, Math.abs(exact)),
            `d loss / d ${name}[${i}]: finite difference ${numeric} vs gradient ${exact}`,
          );
        }
      }
    });
  },
);
