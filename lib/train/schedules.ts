/**
 * Learning-rate schedules as data, evaluated per step: `lrAt(schedule, base, step, total)`.
 *
 * @module
 */

/** A learning-rate schedule. `warmup` (steps) ramps linearly from 0 for any of them. */
export type Schedule =
  | { kind: "constant"; warmup?: number }
  | { kind: "step"; every: number; gamma: number; warmup?: number }
  | { kind: "cosine"; minFactor?: number; warmup?: number }
  | {
    kind: "piecewise";
    points: readonly (readonly [number, number])[];
    warmup?: number;
  };

/**
 * The learning rate at `step` (0-based) of `total` steps.
 *
 * - constant: `base`;
 * - step: `base · gamma^floor(step / every)`;
 * - cosine: from `base` down to `base · minFactor` (default 0) over the run;
 * - piecewise: linear interpolation of `[fraction of run, factor]` points, e.g. the triangular
 *   schedule of fast adversarial training `[[0, 0], [0.4, 1], [1, 0]]`.
 *
 * @example
 * ```ts
 * lrAt({ kind: "cosine" }, 0.1, 50, 100); // 0.05
 * ```
 */
export function lrAt(
  schedule: Schedule,
  base: number,
  step: number,
  total: number,
): number {
  const warmup = schedule.warmup ?? 0;
  const ramp = warmup > 0 && step < warmup ? (step + 1) / warmup : 1;
  const t = total > 1 ? Math.min(1, step / (total - 1)) : 0;
  switch (schedule.kind) {
    case "constant":
      return base * ramp;
    case "step":
      if (!(schedule.every > 0)) {
        throw new Error("step schedule: `every` must be positive");
      }
      return base * ramp * schedule.gamma ** Math.floor(step / schedule.every);
    case "cosine": {
      const min = schedule.minFactor ?? 0;
      return base * ramp *
        (min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * t)));
    }
    case "piecewise":
      return base * ramp * interpolate(schedule.points, t);
  }
}

function interpolate(
  points: readonly (readonly [number, number])[],
  t: number,
): number {
  if (points.length === 0) {
    throw new Error("piecewise schedule: give at least one point");
  }
  for (let i = 1; i < points.length; i++) {
    if (points[i][0] < points[i - 1][0]) {
      throw new Error(
        "piecewise schedule: points must be sorted by their first value",
      );
    }
  }
  if (t <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    if (t <= x1) return x1 === x0 ? y1 : y0 + (y1 - y0) * (t - x0) / (x1 - x0);
  }
  return points[points.length - 1][1];
}
