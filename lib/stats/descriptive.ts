/**
 * Small numeric helpers several notebooks need: means, a correlation, an Otsu threshold of a set of values, and
 * a 1-D k-means.
 *
 * @module
 */

/**
 * The arithmetic mean of `values` (NaN for none: an empty group has no mean, and a table shows
 * it as such rather than failing).
 *
 * @example
 * ```ts
 * mean([1, 2, 6]); // 3
 * ```
 */
export function mean(values: ArrayLike<number>): number {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

/**
 * The sum of values (0 for none).
 *
 * @example
 * ```ts
 * sum([1, 2, 6]); // 9
 * ```
 */
export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/**
 * The sample standard deviation (n − 1 in the denominator); NaN for fewer than two values.
 *
 * @example
 * ```ts
 * sampleSd([1, 2, 3]); // 1
 * ```
 */
export function sampleSd(values: ArrayLike<number>): number {
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Pearson's correlation coefficient of paired values `x[i]`, `y[i]`; NaN when either has no
 * spread.
 *
 * @example
 * ```ts
 * pearson([1, 2, 3], [2, 4, 7]); // ≈ 0.99
 * ```
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length || x.length < 2) {
    throw new Error(
      `pearson: needs two samples of the same length ≥ 2, got ${x.length} and ${y.length}`,
    );
  }
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/**
 * Otsu's threshold of `values` (maximises the between-group variance of a two-way split of a
 * `bins`-bin histogram); returns a value in the data's range.
 *
 * @example
 * ```ts
 * otsuThreshold(new Float32Array([0, 0.1, 0.9, 1])); // ≈ 0.5
 * ```
 */
export function otsuThreshold(values: ArrayLike<number>, bins = 64): number {
  if (values.length === 0) {
    throw new Error("otsuThreshold: no values to threshold");
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (!(hi > lo)) return hi;
  const width = (hi - lo) / bins;
  const hist = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    hist[Math.min(bins - 1, Math.floor((values[i] - lo) / width))] += 1;
  }
  const total = values.length;
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * hist[b];
  let best = -1, bestCut = 1;
  let w0 = 0, sum0 = 0;
  for (let cut = 1; cut < bins; cut++) {
    w0 += hist[cut - 1];
    sum0 += (cut - 1) * hist[cut - 1];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0, m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) ** 2;
    if (between > best) {
      best = between;
      bestCut = cut;
    }
  }
  return lo + bestCut * width;
}

/**
 * One-dimensional k-means (Lloyd's algorithm, centres started evenly spaced over the range).
 * Returns each value's group, groups ordered by increasing centre.
 *
 * @example
 * ```ts
 * kmeans1d(new Float32Array([0, 0.1, 5, 5.2, 9, 9.1]), 3); // [0, 0, 1, 1, 2, 2]
 * ```
 */
export function kmeans1d(
  values: ArrayLike<number>,
  k: number,
  iterations = 50,
): Uint8Array {
  if (!Number.isInteger(k) || k < 1 || k > 255) {
    throw new Error(`kmeans1d: k must be an integer in [1, 255], got ${k}`);
  }
  if (values.length < k) {
    throw new Error(
      `kmeans1d: ${values.length} values cannot form ${k} groups`,
    );
  }
  // Evenly spaced starts: quantile starts collapse when most values are alike (a saliency map
  // is mostly near-zero background).
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const centres = Array.from(
    { length: k },
    (_, j) => k === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * j) / (k - 1),
  );
  const group = new Uint8Array(values.length);
  for (let it = 0; it < iterations; it++) {
    const sum = new Float64Array(k), count = new Float64Array(k);
    for (let i = 0; i < values.length; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) {
        if (
          Math.abs(values[i] - centres[j]) < Math.abs(values[i] - centres[best])
        ) best = j;
      }
      group[i] = best;
      sum[best] += values[i];
      count[best] += 1;
    }
    let moved = false;
    for (let j = 0; j < k; j++) {
      if (count[j] === 0) continue;
      const c = sum[j] / count[j];
      if (c !== centres[j]) moved = true;
      centres[j] = c;
    }
    if (!moved) break;
  }
  // Centres stay ordered (they start ordered and each is the mean of a contiguous range).
  return group;
}

/** Ranks 1..n of `values`, ties given the mean of the ranks they span. */
function ranks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + end + 1) / 2; // mean of the 1-based ranks start+1..end
    for (let k = start; k < end; k++) out[order[k]] = rank;
    start = end;
  }
  return out;
}

/**
 * Spearman's rank correlation of paired values: Pearson's correlation of their ranks (ties get
 * mean ranks, as scipy's `spearmanr`). NaN when either side has a single distinct value — a
 * constant sample has no order to correlate — so a bootstrap resample of tied values is marked
 * rather than silently counted as 0. Pass it as the `statistic` of `pairedBootstrap` for an
 * interval.
 *
 * @example
 * ```ts
 * spearman([1, 2, 3, 4], [10, 20, 30, 25]); // 0.8
 * pairedBootstrap(transfer, similarity, { seed: 0, statistic: spearman });
 * ```
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) {
    throw new RangeError(
      `spearman: x and y must be paired (same length), got ${x.length} and ${y.length}`,
    );
  }
  if (x.length < 2) {
    throw new RangeError(`spearman: needs at least 2 pairs, got ${x.length}`);
  }
  for (const [name, v] of [["x", x], ["y", y]] as const) {
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) {
        throw new RangeError(`spearman: ${name}[${i}] is ${v[i]}; every value must be finite`);
      }
    }
  }
  return pearson(ranks(Float64Array.from(x)), ranks(Float64Array.from(y)));
}
