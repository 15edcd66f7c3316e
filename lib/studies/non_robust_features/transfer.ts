/**
 * The paper's Figure 3 claim (Ilyas et al. 2019, §4): adversarial examples of a source model
 * transfer to an architecture about as well as that architecture learns from D_rand (the
 * source's non-robust features). One point per architecture; the correlation across them, with
 * a bootstrap interval over the test items the points were measured on.
 *
 * @module
 */

import { bootstrap, type BootstrapOptions } from "../../stats/bootstrap.ts";
import type { Estimate } from "../../stats/estimate.ts";
import { pearson } from "../../stats/descriptive.ts";

/** One architecture's point, as per-item flags over the same test items. */
export interface ArchitecturePoint {
  /** 1 where the architecture's standard model is right on the clean item. */
  clean: Uint8Array;
  /** 1 where it is right on the clean item and wrong on the source's adversarial example. */
  fooled: Uint8Array;
  /** 1 where the architecture's model trained on D_rand is right on the clean item. */
  learnsDRand: Uint8Array;
}

/** What {@link transferTracksDRand} measured. */
export interface TransferTracking {
  /** Per architecture: accuracy of its D_rand model on the items. */
  dRandAccuracy: number[];
  /** Per architecture: transfer rate (fooled among clean-correct items). */
  transferRate: number[];
  /** Pearson correlation of the two across architectures, with its bootstrap interval. */
  correlation: Estimate;
}

function rates(points: readonly ArchitecturePoint[], items: ArrayLike<number>) {
  const dRandAccuracy: number[] = [], transferRate: number[] = [];
  for (const p of points) {
    let learns = 0, clean = 0, fooled = 0;
    for (let k = 0; k < items.length; k++) {
      const i = items[k];
      learns += p.learnsDRand[i];
      clean += p.clean[i];
      fooled += p.fooled[i];
    }
    dRandAccuracy.push(learns / items.length);
    transferRate.push(clean === 0 ? 0 : fooled / clean);
  }
  return { dRandAccuracy, transferRate };
}

/**
 * The correlation across architectures between how well each learns from D_rand and how often
 * the source's adversarial examples fool it, with a seeded bootstrap interval from resampling
 * the test items (all architectures together). The interval covers the noise of the finite
 * test set, not the choice of architectures.
 *
 * @example
 * ```ts
 * const { correlation } = transferTracksDRand(points, { seed: 0 });
 * claims.check({ ..., criterion: atLeast(0.5), estimate: correlation });
 * ```
 */
export function transferTracksDRand(
  points: readonly ArchitecturePoint[],
  options: BootstrapOptions,
): TransferTracking {
  if (points.length < 3) {
    throw new RangeError(
      `transferTracksDRand: a correlation across architectures needs at least 3, got ${points.length}`,
    );
  }
  const n = points[0].clean.length;
  for (const p of points) {
    if (p.clean.length !== n || p.fooled.length !== n || p.learnsDRand.length !== n) {
      throw new RangeError(
        "transferTracksDRand: every architecture's flags must cover the same test items",
      );
    }
  }
  const items = Float64Array.from({ length: n }, (_, i) => i);
  const all = rates(points, items);
  const correlation = bootstrap(items, (sample) => {
    const r = rates(points, sample);
    const c = pearson(r.dRandAccuracy, r.transferRate);
    // A resample without spread in one of the rates says nothing about their relation.
    return Number.isNaN(c) ? 0 : c;
  }, options);
  return { ...all, correlation };
}
