/**
 * The one TensorFlow.js namespace lenses uses.
 *
 * tfjs-core's Node bundle (the build Deno loads) registers neither gradients nor Tensor method
 * chaining (`t.square().sum()`), and its ES-module files that would register them use import
 * paths Deno cannot resolve. The umbrella package `@tensorflow/tfjs` bundles both registrations
 * against the same tfjs-core instance, so importing it once fixes `tf.grad` and chaining for
 * every module. This module also makes sigmoid, tanh and ELU twice differentiable (second-order
 * saliency, gradient penalties). Import `tf` from here (or from lib/mod.ts) rather than from
 * tfjs-core directly.
 *
 * @example
 * ```ts
 * import { tf } from "./tf.ts";
 * const g = tf.grad((x) => x.square().sum());
 * g(tf.tensor([1, 2])).print(); // [2, 4]
 * ```
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

// tfjs computes the Sigmoid and Tanh gradients from the op's saved *output*, which it keeps as a
// clone outside the gradient tape; a gradient of a gradient then cannot see how that output
// depends on the input and silently drops every term through the activation (a sigmoid network
// looks as piecewise linear as a ReLU one), or throws. Computed from the saved *input*, as tfjs
// already does for softplus, they differentiate again; first derivatives are unchanged.
tf.registerGradient({
  kernelName: "Sigmoid",
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => ({
    x: () => {
      const s = tf.sigmoid(saved[0]);
      return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
    },
  }),
});
// ELU's gradient runs an `EluGrad` kernel that has no gradient of its own; written with ops,
// d/dx elu(x) = exp(min(x, 0)) (tfjs's ELU has alpha 1) differentiates again.
tf.registerGradient({
  kernelName: "Elu",
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => ({
    x: () => tf.mul(dy as tf.Tensor, tf.exp(tf.minimum(saved[0], 0))),
  }),
});
tf.registerGradient({
  kernelName: "Tanh",
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => ({
    x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(saved[0])))),
  }),
});

export { tf };
