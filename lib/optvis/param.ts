/**
 * Image parameterisations for feature visualisation (Olah, Mordvintsev & Schubert 2017,
 * "Feature Visualization"; Lucid's `optvis.param`): what the optimiser actually changes, and how
 * it becomes images [B, h, w, c] in [0, 1]. The render loop (render.ts) knows only the
 * {@link ImageParameterization} interface.
 *
 * - {@link pixelImage}: one variable per pixel. Gradient ascent on it fills the image with
 *   high-frequency patterns the network happens to respond to.
 * - {@link fourierImage}: the image's 2-D Fourier spectrum, each frequency scaled by
 *   1/frequency^decayPower, so a gradient step moves low frequencies about as much as high ones
 *   (the spectrum of natural images falls off as 1/f): Lucid's decorrelated spatial basis.
 *
 * Both then share Lucid's `to_valid_rgb`: an optional colour decorrelation (a c × c square root
 * of the data's colour covariance, {@link colorCorrelationSqrt}) and a sigmoid into [0, 1].
 *
 * The inverse DFT is written as products with cosine and sine matrices rather than tfjs's
 * `spectral.irfft`, which has no gradient in tfjs 4; for the image sizes optvis works on
 * (≤ 64 px) the matrices are small.
 *
 * @module
 */

import { Matrix, SVD } from "ml-matrix";
import { tf } from "../tf.ts";
import { Rng } from "../random/rng.ts";

/** Trainable variables and the images they stand for. */
export interface ImageParameterization {
  /** [batch, height, width, channels] of the images. */
  readonly shape: readonly [number, number, number, number];
  /** What the optimiser changes. */
  readonly variables: tf.Variable[];
  /** The images [B, h, w, c] in [0, 1], differentiable in `variables`; the caller disposes. */
  images(): tf.Tensor4D;
  /** Frees the variables. */
  dispose(): void;
}

/** Options shared by the parameterisations. */
export interface ImageOptions {
  /** Number of images optimised side by side (default 1). */
  batch?: number;
  height: number;
  width: number;
  /** 1 (grey, default) or 3 (colour), or any count. */
  channels?: number;
  /** Seed of the random start. */
  seed: number;
  /** Standard deviation of the random start in the parameter space (default 0.01, Lucid's). */
  sd?: number;
  /**
   * Square root of the colour covariance, channels × channels ({@link colorCorrelationSqrt});
   * the parameters then live in decorrelated colour space. Default: none (identity).
   */
  colorSqrt?: number[][];
  /** Start from these images [B, h, w, c] in (0, 1) instead of noise (values clipped to 1e-4). */
  init?: tf.Tensor4D;
}

function shapeOf(where: string, opts: ImageOptions): [number, number, number, number] {
  const shape: [number, number, number, number] = [
    opts.batch ?? 1,
    opts.height,
    opts.width,
    opts.channels ?? 1,
  ];
  const names = ["batch", "height", "width", "channels"];
  shape.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${where}: ${names[i]} must be a positive integer, got ${v}`);
    }
  });
  if (!Number.isInteger(opts.seed)) {
    throw new RangeError(`${where}: seed must be an integer, got ${opts.seed}`);
  }
  if (opts.init && opts.init.shape.join() !== shape.join()) {
    throw new RangeError(
      `${where}: init has shape [${opts.init.shape}] but the images are [${shape}]`,
    );
  }
  return shape;
}

/** The colour map of `to_valid_rgb`: M / max column norm, or undefined for none. */
function colorMatrix(where: string, colorSqrt: number[][] | undefined, channels: number) {
  if (colorSqrt === undefined) return undefined;
  if (colorSqrt.length !== channels || colorSqrt.some((r) => r.length !== channels)) {
    throw new RangeError(
      `${where}: colorSqrt must be ${channels} × ${channels} (one row and column per channel)`,
    );
  }
  const m = new Matrix(colorSqrt);
  let largest = 0;
  for (let j = 0; j < channels; j++) largest = Math.max(largest, m.getColumnVector(j).norm());
  if (!(largest > 0) || !Number.isFinite(largest)) {
    throw new RangeError(`${where}: colorSqrt must be finite and not all zero`);
  }
  return m.div(largest);
}

/**
 * Unconstrained [B, h, w, c] → images in [0, 1]: decorrelated colours (if a colour matrix is
 * given) mixed back into channels, then a sigmoid.
 */
function toValid(t: tf.Tensor4D, color: Matrix | undefined): tf.Tensor4D {
  return tf.tidy(() => {
    if (!color) return tf.sigmoid(t);
    const c = t.shape[3];
    const mixed = tf.matMul(tf.reshape(t, [-1, c]), tf.tensor2d(color.to2DArray()), false, true);
    return tf.sigmoid(tf.reshape(mixed, t.shape)) as tf.Tensor4D;
  });
}

/** The inverse of {@link toValid} for starting images. */
function fromValid(images: tf.Tensor4D, color: Matrix | undefined): tf.Tensor4D {
  return tf.tidy(() => {
    const p = tf.clipByValue(images, 1e-4, 1 - 1e-4);
    const logits = tf.log(tf.div(p, tf.sub(1, p))) as tf.Tensor4D;
    if (!color) return logits;
    const c = images.shape[3];
    const inverse = new SVD(color).inverse().to2DArray();
    const unmixed = tf.matMul(tf.reshape(logits, [-1, c]), tf.tensor2d(inverse), false, true);
    return tf.reshape(unmixed, images.shape) as tf.Tensor4D;
  });
}

/**
 * One variable per pixel (through the colour map and sigmoid).
 *
 * @example
 * ```ts
 * const param = pixelImage({ height: 28, width: 28, seed: 0 });
 * const x = param.images(); // [1, 28, 28, 1] in [0, 1]
 * ```
 */
export function pixelImage(opts: ImageOptions): ImageParameterization {
  const where = "pixelImage";
  const shape = shapeOf(where, opts);
  const color = colorMatrix(where, opts.colorSqrt, shape[3]);
  const start = opts.init
    ? fromValid(opts.init, color)
    : tf.randomNormal(shape, 0, opts.sd ?? 0.01, "float32", new Rng(opts.seed).tfSeed());
  const raw = tf.variable(start);
  start.dispose();
  return {
    shape,
    variables: [raw],
    images: () => toValid(raw as tf.Tensor4D, color),
    dispose: () => raw.dispose(),
  };
}

/** Options of {@link fourierImage}. */
export interface FourierOptions extends ImageOptions {
  /** Spectrum scaling 1/f^decayPower (default 1, Lucid's). 0 makes it a plain unitary DFT. */
  decayPower?: number;
}

/**
 * The real-input DFT's basis for one axis. `half` gives the rfft's frequencies 0..⌊n/2⌋ with
 * the weight 2 of the ones that stand for a conjugate pair.
 */
function dftBasis(n: number, half: boolean): { cos: number[][]; sin: number[][] } {
  const count = half ? Math.floor(n / 2) + 1 : n;
  const weight = (k: number) => !half || k === 0 || 2 * k === n ? 1 : 2;
  const cos: number[][] = [];
  const sin: number[][] = [];
  for (let k = 0; k < count; k++) {
    cos.push([]);
    sin.push([]);
    for (let m = 0; m < n; m++) {
      cos[k].push(weight(k) * Math.cos((2 * Math.PI * k * m) / n));
      sin[k].push(weight(k) * Math.sin((2 * Math.PI * k * m) / n));
    }
  }
  return { cos, sin };
}

/** 1 / max(|f|, 1/max(h, w))^decay for the rfft2 frequencies [h, ⌊w/2⌋ + 1] (numpy's fftfreq). */
function spectrumScale(h: number, w: number, decay: number): number[][] {
  const fy = (k: number) => (k <= (h - 1) / 2 ? k : k - h) / h;
  const floor = 1 / Math.max(h, w);
  return Array.from(
    { length: h },
    (_, k) =>
      Array.from(
        { length: Math.floor(w / 2) + 1 },
        (_, l) => 1 / Math.max(Math.hypot(fy(k), l / w), floor) ** decay,
      ),
  );
}

/**
 * The image's 2-D Fourier spectrum as the parameters, scaled by 1/frequency^decayPower (Lucid's
 * `fft_image`). The transform is normalised as numpy's `norm="ortho"`, so with decayPower 0 the
 * parameters and the pixels have the same scale.
 *
 * @example
 * ```ts
 * const param = fourierImage({ height: 28, width: 28, seed: 0 });
 * const x = param.images(); // [1, 28, 28, 1] in [0, 1]
 * ```
 */
export function fourierImage(opts: FourierOptions): ImageParameterization {
  const where = "fourierImage";
  const shape = shapeOf(where, opts);
  const [b, h, w, c] = shape;
  const decay = opts.decayPower ?? 1;
  if (!(decay >= 0 && Number.isFinite(decay))) {
    throw new RangeError(`${where}: decayPower must be ≥ 0, got ${decay}`);
  }
  const color = colorMatrix(where, opts.colorSqrt, c);
  const wf = Math.floor(w / 2) + 1;
  // x[m, n] = Σ_k Σ_l weight_l (A cos(a + b) − B sin(a + b)) / sqrt(hw), a = 2πkm/h, b = 2πln/w:
  // one product with [[C_w, S_w], [−S_w, C_w]] along the width, one with [C_h | −S_h] along h.
  const bw = dftBasis(w, true);
  const bh = dftBasis(h, false);
  const widthBasis = tf.tensor2d([
    ...bw.cos.map((row, l) => [...row, ...bw.sin[l]]),
    ...bw.sin.map((row, l) => [...row.map((v) => -v), ...bw.cos[l]]),
  ]); // [2wf, 2w]
  const heightBasis = tf.tensor2d(
    Array.from({ length: h }, (_, m) => [
      ...bh.cos.map((row) => row[m]),
      ...bh.sin.map((row) => -row[m]),
    ]),
  ); // [h, 2h]: row m = [cos(2πkm/h) for k, −sin(2πkm/h) for k]
  const scale = tf.tidy(() => tf.div(tf.tensor2d(spectrumScale(h, w, decay)), Math.sqrt(h * w)));

  /** [B, c, h, wf] real and imaginary parts → unconstrained [B, h, w, c]. */
  const inverse = (re: tf.Tensor, im: tf.Tensor): tf.Tensor4D =>
    tf.tidy(() => {
      const spectrum = tf.concat([tf.mul(re, scale), tf.mul(im, scale)], 3); // [B, c, h, 2wf]
      const alongWidth = tf.matMul(tf.reshape(spectrum, [-1, 2 * wf]), widthBasis); // [Bch, 2w]
      // [B, c, h, (P1 | P2)] → [B, c, (P1 ; P2) stacked on h, w] → contract with heightBasis.
      const p = tf.reshape(alongWidth, [b * c, h, 2, w]);
      const stacked = tf.reshape(tf.transpose(p, [0, 2, 1, 3]), [b * c, 2 * h, w]);
      const byColumn = tf.reshape(tf.transpose(stacked, [0, 2, 1]), [-1, 2 * h]);
      const image = tf.matMul(byColumn, heightBasis, false, true); // [B·c·w, h]
      return tf.transpose(tf.reshape(image, [b, c, w, h]), [0, 3, 2, 1]) as tf.Tensor4D;
    });

  let start: [tf.Tensor, tf.Tensor];
  if (opts.init) {
    // The forward rfft2 (tfjs's own FFT; no gradient needed) of the starting images.
    start = tf.tidy(() => {
      const pre = tf.transpose(fromValid(opts.init!, color), [0, 3, 1, 2]); // [B, c, h, w]
      const alongW = tf.spectral.rfft(pre); // [B, c, h, wf]
      const both = tf.transpose(tf.spectral.fft(tf.transpose(alongW, [0, 1, 3, 2])), [0, 1, 3, 2]);
      // images() computes irfft2(hw · scale · p), so p = rfft2(pre) / (hw · scale).
      const toParams = tf.mul(scale, h * w);
      return [tf.div(tf.real(both), toParams), tf.div(tf.imag(both), toParams)];
    });
  } else {
    const sd = opts.sd ?? 0.01;
    // Seeds from an Rng, never the raw seed: tfjs takes seed 0 for "no seed" (Math.random).
    const rng = new Rng(opts.seed);
    start = [
      tf.randomNormal([b, c, h, wf], 0, sd, "float32", rng.tfSeed()),
      tf.randomNormal([b, c, h, wf], 0, sd, "float32", rng.tfSeed()),
    ];
  }
  const re = tf.variable(start[0]);
  const im = tf.variable(start[1]);
  tf.dispose(start);
  return {
    shape,
    variables: [re, im],
    images: () => tf.tidy(() => toValid(inverse(re, im), color)),
    dispose: () => tf.dispose([re, im, widthBasis, heightBasis, scale]),
  };
}

/**
 * Square root of the colour covariance of a set of images [N, h, w, c] (U·sqrt(S) of its SVD,
 * Lucid's `color_correlation_svd_sqrt`), for the `colorSqrt` option: the parameters then move in
 * decorrelated colour directions, which keeps visualisations from drifting into colours the data
 * never has.
 *
 * @example
 * ```ts
 * const colorSqrt = colorCorrelationSqrt(cifarImages); // 3 × 3
 * const param = fourierImage({ height: 32, width: 32, channels: 3, seed: 0, colorSqrt });
 * ```
 */
export function colorCorrelationSqrt(images: tf.Tensor4D): number[][] {
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    throw new RangeError("colorCorrelationSqrt: images must be a tf.Tensor4D [N, h, w, c]");
  }
  const c = images.shape[3];
  const cov = tf.tidy(() => {
    const flat = tf.reshape(images, [-1, c]);
    const centred = tf.sub(flat, tf.mean(flat, 0, true));
    return tf.div(tf.matMul(centred, centred, true, false), flat.shape[0]);
  });
  const values = cov.arraySync() as number[][];
  cov.dispose();
  if (!values.flat().every(Number.isFinite)) {
    throw new RangeError("colorCorrelationSqrt: images hold NaN or ±Infinity");
  }
  const svd = new SVD(new Matrix(values));
  const sqrt = svd.leftSingularVectors.mmul(Matrix.diag(svd.diagonal.map(Math.sqrt)));
  return sqrt.to2DArray();
}
