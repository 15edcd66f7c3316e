/**
 * CERTIFY over a test set, as notebook 03's certified-accuracy tables need it: one certificate
 * per image (each image its own noise stream), and per image whether it is certified correct at
 * a radius, so two smoothed classifiers can be compared on the same images.
 *
 * @module
 */

import { tf } from "../../tf.ts";
import { Rng } from "../../random/mod.ts";
import { asImageFn, type Classifier } from "../../models/types.ts";
import { type Dataset, forEachBatch, size } from "../../data/dataset.ts";
import { createProgress } from "../../display/progress.ts";
import {
  ABSTAIN,
  type Certificate,
  certify,
  type CertifyOptions,
  gaussianNoise,
  predict,
  type PredictOptions,
} from "../../smoothing/mod.ts";

/**
 * CERTIFY (Cohen et al. 2019) for every image of `images`; image i draws its noise from the
 * stream i of `opts.seed`, so adding images never changes the earlier certificates.
 *
 * @example
 * ```ts
 * const certs = await certifyAll(model, take(test, 100), {
 *   sigma: 0.25, n0: 100, n: 1000, alpha: 0.001, seed: 0,
 * }, "σ = 0.25");
 * ```
 */
export async function certifyAll(
  model: Classifier,
  images: Dataset,
  opts: CertifyOptions,
  label: string,
): Promise<Certificate[]> {
  const count = size(images);
  const pixels = images.shape[0] * images.shape[1] * images.shape[2];
  const root = new Rng(opts.seed);
  const progress = createProgress({ total: count, label: `CERTIFY ${label}` });
  const out: Certificate[] = [];
  for (let i = 0; i < count; i++) {
    const x = tf.tensor3d(images.x.subarray(i * pixels, (i + 1) * pixels), [...images.shape]);
    try {
      out.push(await certify(model, x, { ...opts, seed: root.fork(i).seed }));
    } finally {
      x.dispose();
    }
    progress.update(i + 1);
  }
  progress.finish();
  return out;
}

/**
 * PREDICT (Cohen et al. 2019) for every image of `images`, each image its own noise stream of
 * `opts.seed`: the smoothed classifier's class, or `ABSTAIN`.
 *
 * @example
 * ```ts
 * const said = await predictAll(model, take(test, 50), {
 *   sigma: 0.5, n: 1000, alpha: 0.001, seed: 0,
 * }, "σ = 0.5");
 * ```
 */
export async function predictAll(
  model: Classifier,
  images: Dataset,
  opts: PredictOptions,
  label: string,
): Promise<Int32Array> {
  const count = size(images);
  const pixels = images.shape[0] * images.shape[1] * images.shape[2];
  const root = new Rng(opts.seed);
  const progress = createProgress({ total: count, label: `PREDICT ${label}` });
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const x = tf.tensor3d(images.x.subarray(i * pixels, (i + 1) * pixels), [...images.shape]);
    try {
      out[i] = await predict(model, x, { ...opts, seed: root.fork(i).seed });
    } finally {
      x.dispose();
    }
    progress.update(i + 1);
  }
  progress.finish();
  return out;
}

/**
 * Per image, 1 when its certificate names the true label with a radius of at least `radius`
 * (the items behind one point of a certified-accuracy curve), else 0.
 *
 * @example
 * ```ts
 * const correct = certifiedCorrect(certs, test.labels, 0.5); // Uint8Array of 0/1
 * ```
 */
export function certifiedCorrect(
  certificates: readonly Certificate[],
  labels: ArrayLike<number>,
  radius: number,
): Uint8Array {
  if (certificates.length !== labels.length) {
    throw new RangeError(
      `certifiedCorrect: ${certificates.length} certificates for ${labels.length} labels`,
    );
  }
  return Uint8Array.from(
    certificates,
    (c, i) => c.prediction === labels[i] && c.radius >= radius ? 1 : 0,
  );
}

/**
 * How many certificates abstain.
 *
 * @example
 * ```ts
 * abstentions(certs) / certs.length; // the abstain rate
 * ```
 */
export function abstentions(certificates: readonly Certificate[]): number {
  return certificates.filter((c) => c.prediction === ABSTAIN).length;
}

/**
 * How many images of `ds` the base classifier gets right under one draw of N(0, σ²I) noise
 * each: the accuracy of f(x + δ), which bounds what smoothing f at that σ can certify.
 *
 * @example
 * ```ts
 * const { correct, n } = await accuracyUnderNoise(model, test, 0.5, 0);
 * ```
 */
export async function accuracyUnderNoise(
  model: Classifier,
  ds: Dataset,
  sigma: number,
  seed: number,
  batchSize = 500,
): Promise<{ correct: number; n: number }> {
  const f = asImageFn(model);
  const rng = new Rng(seed);
  let correct = 0;
  await forEachBatch(ds, { batchSize }, async ({ x, y }) => {
    const hits = tf.tidy(() => {
      const noisy = tf.add(x, gaussianNoise(x.shape, sigma, rng.tfSeed())) as tf.Tensor4D;
      return tf.sum(tf.cast(tf.equal(tf.argMax(f(noisy), 1), y), "int32"));
    });
    correct += (await hits.data())[0];
    hits.dispose();
  });
  return { correct, n: size(ds) };
}
