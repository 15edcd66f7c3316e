/**
 * The one TensorFlow.js namespace lenses uses.
 *
 * tfjs-core's Node bundle (the build Deno loads) registers neither gradients nor Tensor method
 * chaining (`t.square().sum()`), and its ES-module files that would register them use import
 * paths Deno cannot resolve. The umbrella package `@tensorflow/tfjs` bundles both registrations
 * against the same tfjs-core instance, so importing it once fixes `tf.grad` and chaining for
 * every module. Import `tf` from here (or from lib/mod.ts) rather than from tfjs-core directly.
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

export { tf };
