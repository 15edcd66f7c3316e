/**
 * Random image transforms for transformation robustness (Lucid's `optvis.transform`): before
 * each step the render loop shows the model a randomly jittered, scaled and rotated copy of the
 * images, so the visualisation must excite the unit from slightly different placements and
 * cannot rely on single-pixel patterns. A {@link Transform} is a value; {@link compose} chains
 * them; the render loop knows none of them.
 *
 * Unlike Lucid's (which pad and crop, changing the image size), every transform here keeps the
 * shape [B, h, w, c], so a model with a fixed input size takes the result: pixels moved in from
 * outside the image take the value `fill` (Lucid pads with 0.5; MNIST's background is 0). All
 * images of a batch get the same draw, and each is differentiable in the images.
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { Rng } from "../random/mod.ts";

/** A random, differentiable, shape-preserving map of images [B, h, w, c]; `rng` draws it. */
export type Transform = (images: tf.Tensor4D, rng: Rng) => tf.Tensor4D;

function checkFill(where: string, fill: number): void {
  if (!Number.isFinite(fill)) throw new RangeError(`${where}: fill must be finite, got ${fill}`);
}

function checkChoices(where: string, what: string, values: readonly number[]): void {
  if (values.length === 0 || !values.every(Number.isFinite)) {
    throw new RangeError(`${where}: give at least one finite ${what}, got [${values}]`);
  }
}

/**
 * Shifts the images by a random whole number of pixels in [−pixels, pixels] along each axis.
 *
 * @example
 * ```ts
 * const shifted = jitter(2)(images, new Rng(0));
 * ```
 */
export function jitter(pixels: number, fill = 0.5): Transform {
  const where = "jitter";
  if (!Number.isInteger(pixels) || pixels < 0) {
    throw new RangeError(`${where}: pixels must be a non-negative integer, got ${pixels}`);
  }
  checkFill(where, fill);
  return (images, rng) => {
    const [dy, dx] = [rng.int(2 * pixels + 1) - pixels, rng.int(2 * pixels + 1) - pixels];
    const [, h, w] = images.shape;
    return tf.tidy(() => {
      const padded = tf.pad(images, [[0, 0], [pixels, pixels], [pixels, pixels], [0, 0]], fill);
      return tf.slice(padded, [0, pixels - dy, pixels - dx, 0], [-1, h, w, -1]) as tf.Tensor4D;
    });
  };
}

/**
 * A linear resampling of flattened images: out[p] = Σ_j weight_j[p] · in[index_j[p]], where the
 * index hw (one past the last pixel) reads 0.
 */
interface Resampling {
  index: Int32Array[];
  weight: Float32Array[];
}

function applyResampling(r: Resampling, flat: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, hw, c] = flat.shape;
    const ext = tf.concat([flat, tf.zeros([b, 1, c])], 1);
    const terms = r.index.map((index, j) =>
      tf.mul(tf.gather(ext, tf.tensor1d(index, "int32"), 1), tf.tensor3d(r.weight[j], [1, hw, 1]))
    );
    return tf.addN(terms) as tf.Tensor3D;
  });
}

/** The transposed resampling (what the gradient of `r` applies). */
function transposeResampling(r: Resampling, hw: number): Resampling {
  const lists = Array.from({ length: hw }, () => [] as [number, number][]);
  r.index.forEach((index, j) =>
    index.forEach((q, p) => {
      if (q < hw && r.weight[j][p] !== 0) lists[q].push([p, r.weight[j][p]]);
    })
  );
  const width = Math.max(1, ...lists.map((l) => l.length));
  const index = Array.from({ length: width }, () => new Int32Array(hw).fill(hw));
  const weight = Array.from({ length: width }, () => new Float32Array(hw));
  lists.forEach((list, q) =>
    list.forEach(([p, w], j) => {
      index[j][q] = p;
      weight[j][q] = w;
    })
  );
  return { index, weight };
}

/** The gathers of one warp: forward, its transpose (for the gradient), and the fill's weight. */
interface WarpTables {
  forward: Resampling;
  backward: Resampling;
  fillWeight: Float32Array;
}

/**
 * Bilinear resampling tables with out[p] = in(A⁻¹ (p − centre) + centre), A = s·R(θ); pixels
 * read from outside an h×w image take the fill.
 */
function warpTables(h: number, w: number, scale: number, radians: number): WarpTables {
  const hw = h * w;
  const [cy, cx] = [(h - 1) / 2, (w - 1) / 2];
  const [cos, sin] = [Math.cos(radians) / scale, Math.sin(radians) / scale];
  const forward: Resampling = {
    index: Array.from({ length: 4 }, () => new Int32Array(hw)),
    weight: Array.from({ length: 4 }, () => new Float32Array(hw)),
  };
  const fillWeight = new Float32Array(hw);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const [y, x] = [i - cy, j - cx];
      // R(−θ)/s applied to the output position.
      const sy = cos * y - sin * x + cy;
      const sx = sin * y + cos * x + cx;
      const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
      const [fy, fx] = [sy - y0, sx - x0];
      const p = i * w + j;
      const corners = [
        [y0, x0, (1 - fy) * (1 - fx)],
        [y0, x0 + 1, (1 - fy) * fx],
        [y0 + 1, x0, fy * (1 - fx)],
        [y0 + 1, x0 + 1, fy * fx],
      ];
      corners.forEach(([yy, xx, weight], k) => {
        const inside = yy >= 0 && yy < h && xx >= 0 && xx < w;
        forward.index[k][p] = inside ? yy * w + xx : hw;
        forward.weight[k][p] = inside ? weight : 0;
        if (!inside) fillWeight[p] += weight;
      });
    }
  }
  return { forward, backward: transposeResampling(forward, hw), fillWeight };
}

/**
 * {@link warpTables} built once per image size and parameter: a render draws from the same few
 * scales and angles at every step, and the tables cost more than the warp itself.
 */
function cachedWarpTables(): (h: number, w: number, scale: number, radians: number) => WarpTables {
  const cache = new Map<string, WarpTables>();
  return (h, w, scale, radians) => {
    const key = `${h}x${w}/${scale}/${radians}`;
    let tables = cache.get(key);
    if (tables === undefined) cache.set(key, tables = warpTables(h, w, scale, radians));
    return tables;
  };
}

/**
 * Applies a warp's tables to the images. Written with gathers and a custom gradient (the
 * transposed gathers), because tfjs's gradient of a gather needs an UnsortedSegmentSum kernel
 * that the wasm backend lacks.
 */
function warp(images: tf.Tensor4D, tables: WarpTables, fill: number): tf.Tensor4D {
  const [b, h, w, c] = images.shape;
  const hw = h * w;
  const { forward, backward, fillWeight } = tables;
  const resample = tf.customGrad((...args) => {
    const flat = args[0] as tf.Tensor3D;
    return {
      value: applyResampling(forward, flat),
      gradFunc: (dy: tf.Tensor) => applyResampling(backward, dy as tf.Tensor3D),
    };
  }) as (flat: tf.Tensor3D) => tf.Tensor3D;
  return tf.tidy(() => {
    const moved = resample(tf.reshape(images, [b, hw, c]));
    const filled = tf.add(moved, tf.mul(tf.tensor3d(fillWeight, [1, hw, 1]), fill));
    return tf.reshape(filled, [b, h, w, c]) as tf.Tensor4D;
  });
}

/**
 * Scales the images about their centre by a factor drawn from `scales` (Lucid's `random_scale`).
 *
 * @example
 * ```ts
 * const t = randomScale([0.9, 0.95, 1, 1.05, 1.1]);
 * ```
 */
export function randomScale(scales: readonly number[], fill = 0.5): Transform {
  const where = "randomScale";
  checkChoices(where, "scale", scales);
  if (scales.some((s) => !(s > 0))) {
    throw new RangeError(`${where}: scales must be positive, got [${scales}]`);
  }
  checkFill(where, fill);
  const tables = cachedWarpTables();
  return (images, rng) => {
    const [, h, w] = images.shape;
    return warp(images, tables(h, w, scales[rng.int(scales.length)], 0), fill);
  };
}

/**
 * Rotates the images about their centre by an angle in degrees drawn from `degrees` (Lucid's
 * `random_rotate`); a positive angle turns the picture clockwise as displayed (rows down).
 *
 * @example
 * ```ts
 * const t = randomRotate([-10, -5, 0, 5, 10]);
 * ```
 */
export function randomRotate(degrees: readonly number[], fill = 0.5): Transform {
  const where = "randomRotate";
  checkChoices(where, "angle", degrees);
  checkFill(where, fill);
  const tables = cachedWarpTables();
  return (images, rng) => {
    const [, h, w] = images.shape;
    return warp(images, tables(h, w, 1, (degrees[rng.int(degrees.length)] * Math.PI) / 180), fill);
  };
}

/**
 * The transforms applied in order, each with its own draw from the same generator.
 *
 * @example
 * ```ts
 * const t = compose(jitter(2), randomScale([0.95, 1, 1.05]), randomRotate([-5, 0, 5]));
 * ```
 */
export function compose(...transforms: Transform[]): Transform {
  return (images, rng) =>
    tf.tidy(() => transforms.reduce((x, t) => t(x, rng), images as tf.Tensor4D));
}

/**
 * Lucid's standard transformation-robustness chain (jitter, scale, rotate, jitter), with the
 * pixel amounts cut down for 28–32 px images (Lucid's 8 and 4 px jitter are for 224 px).
 *
 * @example
 * ```ts
 * const t = standardTransforms(0); // MNIST: black fills
 * ```
 */
export function standardTransforms(fill = 0.5): Transform {
  return compose(
    jitter(2, fill),
    randomScale([0.9, 0.95, 1, 1.05, 1.1], fill),
    randomRotate([-10, -5, 0, 0, 0, 5, 10], fill),
    jitter(1, fill),
  );
}
