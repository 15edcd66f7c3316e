/**
 * The render loop of feature visualisation (Lucid's `render_vis`): gradient ascent with Adam on
 * an image parameterisation's variables, each step scoring a freshly drawn random transform of
 * the images. It knows no model, no objective and no parameterisation — an objective is any
 * {@link InputObjective}, a per-example function of input images (lib/optimize's vocabulary
 * makes one: `onInputs(channel("conv2", 3), model)`), a parameterisation any
 * {@link ImageParameterization}, a transform any {@link Transform}.
 *
 * Why not lib/optimize's projected-gradient loop: that one searches over images inside a
 * constraint set with normalised steps; here the variables are a parameterisation's (a
 * spectrum, not pixels in [0, 1]), the step is Adam's, as in the paper, and the transform is
 * redrawn every step.
 *
 * @module
 */

import { tf } from "../tf.ts";
import { Rng } from "../random/mod.ts";
import { freeAbandonedTape, type InputObjective } from "../optimize/mod.ts";
import type { ImageParameterization } from "./param.ts";
import type { Transform } from "./transforms.ts";

/** Options of {@link render}. */
export interface RenderOptions {
  /** Adam steps (Lucid's default thresholds end at 512; small models need fewer). */
  steps: number;
  /** Adam's learning rate (default 0.05, Lucid's). */
  learningRate?: number;
  /** Applied to the images before the objective sees them (default none). */
  transform?: Transform;
  /** Seed of the transforms' draws. */
  seed: number;
}

/** What {@link render} produced. */
export interface RenderResult {
  /** The parameterisation's images after the last step [B, h, w, c]; the caller disposes. */
  images: tf.Tensor4D;
  /** The objective per example on the final images, untransformed. */
  value: Float32Array;
  /** Mean objective over the batch at each step (on that step's transformed images). */
  history: number[];
}

function checkValues(where: string, values: tf.Tensor, images: number): tf.Tensor1D {
  if (values.rank !== 1 || values.shape[0] !== images) {
    throw new RangeError(
      `${where}: the objective must give one value per image ([${images}]), ` +
        `got shape [${values.shape}]`,
    );
  }
  return values as tf.Tensor1D;
}

/**
 * Maximises `objective` (per example, summed over the batch) over `param`'s variables.
 *
 * @example
 * ```ts
 * const param = fourierImage({ height: 28, width: 28, seed: 0 });
 * const { images, history } = await render(onInputs(channel("conv2", 3), model), param, {
 *   steps: 256, transform: standardTransforms(0), seed: 0 });
 * param.dispose();
 * ```
 */
export async function render(
  objective: InputObjective,
  param: ImageParameterization,
  opts: RenderOptions,
): Promise<RenderResult> {
  const where = "render";
  if (!Number.isInteger(opts.steps) || opts.steps < 0) {
    throw new RangeError(`${where}: steps must be a non-negative integer, got ${opts.steps}`);
  }
  const learningRate = opts.learningRate ?? 0.05;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new RangeError(`${where}: learningRate must be positive, got ${learningRate}`);
  }
  if (!Number.isInteger(opts.seed)) {
    throw new RangeError(`${where}: seed must be an integer, got ${opts.seed}`);
  }
  const rng = new Rng(opts.seed);
  const optimizer = tf.train.adam(learningRate);
  const means: tf.Scalar[] = [];
  try {
    for (let t = 0; t < opts.steps; t++) {
      const loss = optimizer.minimize(
        () => {
          const images = param.images();
          const seen = opts.transform ? opts.transform(images, rng) : images;
          const values = checkValues(where, objective(seen), param.shape[0]);
          return tf.neg(tf.sum(values)) as tf.Scalar;
        },
        true,
        param.variables,
      );
      means.push(tf.tidy(() => tf.div(tf.neg(loss!), param.shape[0]) as tf.Scalar));
      loss!.dispose();
    }
    const images = param.images();
    const value = tf.tidy(() => objective(images));
    // One read; the 0 keeps the stack non-empty when steps is 0.
    const stacked = tf.tidy(() => tf.stack([...means, tf.scalar(0)]));
    const [history, final] = await Promise.all([stacked.data(), value.data()]);
    tf.dispose([value, stacked]);
    return {
      images,
      value: Float32Array.from(final),
      history: Array.from(history.subarray(0, means.length)),
    };
  } catch (err) {
    // An objective that throws (a bad channel index, a wrong shape) does so inside the
    // optimizer's gradient tape, which would keep the tensors it saved.
    freeAbandonedTape();
    throw err;
  } finally {
    tf.dispose(means);
    optimizer.dispose();
  }
}
