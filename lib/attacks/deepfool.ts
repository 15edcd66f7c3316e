/**
 * DeepFool (Moosavi-Dezfooli, Fawzi & Frossard 2016): an estimate of the minimal L2
 * perturbation that changes a classifier's decision, i.e. each example's distance to the
 * decision boundary (its margin in input space).
 *
 * Each iteration linearises the classifier at the current point and jumps onto the nearest
 * linearised boundary {z_k = z_label}; the accumulated perturbation is scaled by
 * (1 + overshoot) so the point lands just across. For an affine classifier the first jump is
 * exact: ‖r‖ = min_k |z_k − z_label| / ‖∇z_k − ∇z_label‖.
 *
 * @module
 */

import { tf } from "../tf.ts";
import type { ImageFn } from "../models/types.ts";
import { exampleNorms } from "../optimize/mod.ts";
import { checkedLogits, checkImages, checkInteger, labelTensor } from "../checks/mod.ts";

/** Settings of {@link deepFool}. */
export interface DeepFoolOptions {
  /** Relative overshoot past the boundary (default 0.02, as in the paper). */
  overshoot?: number;
  /** Iteration cap per example (default 50). */
  maxIterations?: number;
}

/** What {@link deepFool} found for a batch. */
export interface DeepFoolResult {
  /** Images just across the nearest boundary, clipped to [0, 1]; the caller disposes them. */
  adversarial: tf.Tensor4D;
  /** ‖adversarial − x‖₂ per example (0 for examples the model already misclassifies). */
  norms: Float32Array;
  /** 1 where the model's prediction at `adversarial` differs from the label. */
  success: Uint8Array;
  /** Iterations each example took (0 when already misclassified). */
  iterations: Int32Array;
  config: {
    attack: "deepfool";
    norm: "l2";
    overshoot: number;
    maxIterations: number;
  };
}

/** Added to each jump so it reaches the boundary rather than stopping a rounding error short. */
const JUMP_SLACK = 1e-4;

/**
 * DeepFool on `logitsFn` at images `x` with labels `labels` (usually the model's own
 * predictions or the true labels of correctly classified examples).
 *
 * @example
 * ```ts
 * const { norms, adversarial } = await deepFool(model, x, y, { overshoot: 0.02, maxIterations: 50 });
 * adversarial.dispose();
 * console.log("median margin", norms.slice().sort()[norms.length >> 1]);
 * ```
 */
export async function deepFool(
  logitsFn: ImageFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D | ArrayLike<number>,
  opts: DeepFoolOptions = {},
): Promise<DeepFoolResult> {
  const where = "deepFool";
  const overshoot = opts.overshoot ?? 0.02;
  const maxIterations = opts.maxIterations ?? 50;
  if (!(Number.isFinite(overshoot) && overshoot >= 0)) {
    throw new RangeError(
      `${where}: overshoot must be a finite number >= 0, got ${overshoot}`,
    );
  }
  checkInteger(where, "maxIterations", maxIterations, 1);
  await checkImages(where, x);
  const batch = x.shape[0];
  const probe = checkedLogits(where, logitsFn, x);
  const classes = probe.shape[1];
  probe.dispose();
  if (classes < 2) {
    throw new RangeError(
      `${where}: the model has ${classes} logit; DeepFool needs >= 2 classes`,
    );
  }
  const y = await labelTensor(where, "labels", labels, batch, classes);
  const labelMask = tf.oneHot(y, classes);
  // One gradient function per class: ∇_x Σ_b z_k(x_b) gives every example's ∇z_k at once.
  // The class is picked by a one-hot product, not tf.gather, whose gradient kernel
  // (UnsortedSegmentSum) the wasm backend lacks.
  const classGrads = Array.from(
    { length: classes },
    (_, k) =>
      tf.grad((xs) =>
        tf.sum(
          tf.mul(
            logitsFn(xs as tf.Tensor4D),
            tf.oneHot(tf.tensor1d([k], "int32"), classes),
          ),
        )
      ),
  );
  const perturbed = (total: tf.Tensor4D) =>
    tf.tidy(() =>
      tf.clipByValue(
        tf.add(x, tf.mul(total, 1 + overshoot)),
        0,
        1,
      ) as tf.Tensor4D
    );

  let total: tf.Tensor4D = tf.zerosLike(x);
  const iterations = new Int32Array(batch);
  for (let it = 0; it < maxIterations; it++) {
    const xAdv = perturbed(total);
    const logits = tf.tidy(() => logitsFn(xAdv));
    const active = tf.tidy(() => tf.equal(tf.argMax(logits, 1), y));
    const activeFlags = Uint8Array.from(await active.data());
    if (!activeFlags.some((a) => a)) {
      tf.dispose([xAdv, logits, active]);
      break;
    }
    activeFlags.forEach((a, i) => (iterations[i] += a));
    const next = tf.tidy(() => {
      const grads = tf.stack(classGrads.map((g) => g(xAdv)), 1); // [B, C, h, w, c]
      const ownGrad = tf.sum(
        tf.mul(grads, tf.reshape(labelMask, [batch, classes, 1, 1, 1])),
        1,
        true,
      );
      const w = tf.reshape(tf.sub(grads, ownGrad), [batch, classes, -1]); // ∇z_k − ∇z_label
      const f = tf.sub(logits, tf.sum(tf.mul(logits, labelMask), 1, true)); // z_k − z_label
      const wNorm = tf.norm(w, "euclidean", 2);
      // The label's own "boundary" is excluded by giving it infinite distance.
      const distance = tf.where(
        tf.cast(labelMask, "bool"),
        tf.fill([batch, classes], Infinity),
        tf.div(tf.abs(f), wNorm),
      );
      const nearest = tf.oneHot(tf.argMin(distance, 1), classes); // [B, C]
      const pick = (t: tf.Tensor) => tf.sum(tf.mul(t, nearest), 1);
      const wNearest = tf.sum(tf.mul(w, tf.expandDims(nearest, 2)), 1); // [B, D]
      const scale = tf.divNoNan(
        tf.add(tf.abs(pick(f)), JUMP_SLACK),
        tf.square(pick(wNorm)),
      );
      const jump = tf.mul(
        wNearest,
        tf.mul(
          tf.expandDims(scale, 1),
          tf.expandDims(tf.cast(active, "float32"), 1),
        ),
      );
      return tf.add(total, tf.reshape(jump, x.shape)) as tf.Tensor4D;
    });
    tf.dispose([xAdv, logits, active, total]);
    total = next;
  }
  const adversarial = perturbed(total);
  const [norms, success] = tf.tidy(() => [
    tf.reshape(exampleNorms(tf.sub(adversarial, x) as tf.Tensor4D), [batch]),
    tf.notEqual(tf.argMax(logitsFn(adversarial), 1), y),
  ]);
  const result: DeepFoolResult = {
    adversarial,
    norms: Float32Array.from(await norms.data()),
    success: Uint8Array.from(await success.data()),
    iterations,
    config: { attack: "deepfool", norm: "l2", overshoot, maxIterations },
  };
  tf.dispose([total, norms, success, y, labelMask]);
  return result;
}
