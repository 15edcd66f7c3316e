/**
 * Aggregation of a sweep: per notebook and parameter combination, each claim across seeds —
 * verdict counts, the measured values' mean and spread, and a pooled 95% interval — and, across
 * parameter values, the claim's value against each parameter as a chart.
 *
 * Claim records are read as the notebooks stored them (output metadata `lenses.claims`), old
 * and new alike: a record may carry only text (`measured`) or also a number (`value`) and an
 * interval (`interval: [lo, hi]`, `lower`/`upper`, or an `estimate` object), a `criterion`, and
 * the verdict "inconclusive".
 *
 * Pooling: when every seed's value comes with an interval, the seeds are pooled as a
 * random-effects meta-analysis (DerSimonian & Laird 1986): each interval gives a standard error
 * (its half-width over the normal quantile of its level), the between-seed variance τ² is
 * estimated from Cochran's Q, and the pooled interval is the weighted mean ± z·SE. Without
 * intervals, it is the Student-t interval of the mean of the seeds' values. Both cover seed-to-seed
 * variation, which is what a sweep over seeds measures.
 *
 * @module
 */

import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { CLAIMS_METADATA_KEY } from "../../lib/display/claims.ts";
import { type Figure, lineChart } from "../../lib/display/chart.ts";
import type { Notebook } from "../nbformat.ts";
import type { Params } from "../params.ts";
import { displayMetadata } from "../run_info.ts";

/** A claim's outcome in one run; "inconclusive" when its interval straddles the criterion. */
export type SweepVerdict = "holds" | "inconclusive" | "does not hold" | "not run";

/**
 * The verdicts, in the order counts are listed.
 *
 * @example
 * ```ts
 * SWEEP_VERDICTS.map((v) => `${v}: ${claim.counts[v]}`);
 * ```
 */
export const SWEEP_VERDICTS: readonly SweepVerdict[] = [
  "holds",
  "inconclusive",
  "does not hold",
  "not run",
];

/**
 * Level of the pooled intervals.
 *
 * @example
 * ```ts
 * `pooled ${POOLED_LEVEL * 100}% interval`; // "pooled 95% interval"
 * ```
 */
export const POOLED_LEVEL = 0.95;

/** One claim as one run recorded it. */
export interface ClaimObservation {
  id: string;
  claim: string;
  paper: string;
  /** The criterion fixed before the run, when the record states it. */
  criterion?: string;
  /** What the run measured, as text. */
  measured: string;
  verdict: SweepVerdict;
  /** The measured number, when the record has one (or its text is one number). */
  value?: number;
  /** The record's interval around `value`. */
  interval?: [number, number];
  /** The interval's confidence level. */
  level?: number;
}

/** A pooled interval over seeds. */
export interface PooledInterval {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  /** "random-effects": from the seeds' own intervals; "t": from the spread of their values. */
  method: "random-effects" | "t";
}

/** A claim across the seeds of one parameter combination. */
export interface ClaimAcrossSeeds {
  id: string;
  claim: string;
  paper: string;
  criterion?: string;
  /** Per seed, in the sweep's seed order: */
  seeds: number[];
  /** the point's id (its files), */
  points: string[];
  /** its verdict ("failed" when the point did not complete), */
  verdicts: (SweepVerdict | "failed")[];
  /** what it measured (text), */
  measured: (string | null)[];
  /** and its value, if a number. */
  values: (number | null)[];
  counts: Record<SweepVerdict | "failed", number>;
  /** Mean and spread of the numeric values (sd: sample standard deviation, null for one). */
  value: { n: number; mean: number; sd: number | null; min: number; max: number } | null;
  pooled: PooledInterval | null;
}

/** How one point ended and what its notebook claimed. */
export interface PointResult {
  id: string;
  /** Notebook name. */
  notebook: string;
  seed: number;
  params: Params;
  /** The runner's outcome, or "missing" when the point left no notebook (killed, never ran). */
  status: string;
  duration_s: number | null;
  /** Files relative to the sweep folder (null when not written). */
  html: string | null;
  ipynb: string | null;
  error: string | null;
  claims: ClaimObservation[];
}

/** The claims of one notebook at one parameter combination, across seeds. */
export interface GroupSummary {
  notebook: string;
  params: Params;
  /** "width=8, lr=0.1", or "" without parameters. */
  label: string;
  claims: ClaimAcrossSeeds[];
}

/** One claim's value against one parameter. */
export interface ParamChart {
  notebook: string;
  claim: string;
  param: string;
  figure: Figure;
}

const NUMBER_TEXT = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*%?\s*$/;

function finite(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

function intervalOf(r: Record<string, unknown>): [number, number] | undefined {
  const from = (lo: unknown, hi: unknown) =>
    finite(lo) && finite(hi) && lo <= hi ? [lo, hi] as [number, number] : undefined;
  const i = r.interval;
  if (Array.isArray(i)) return from(i[0], i[1]);
  for (const o of [i, r.estimate, r]) {
    if (typeof o !== "object" || o === null) continue;
    const v = o as Record<string, unknown>;
    const found = from(v.lower, v.upper) ?? from(v.lo, v.hi);
    if (found) return found;
  }
  return undefined;
}

/**
 * One claim record as stored in a notebook, read tolerantly (old records with text only, new
 * ones with value, interval, criterion and "inconclusive"); null when it is not a record.
 *
 * @example
 * ```ts
 * readClaim({ id: "a", claim: "…", paper: "…", measured: "0.93", verdict: "holds" })?.value; // 0.93
 * readClaim({ id: "b", claim: "…", paper: "…", measured: "93% [90, 95]", verdict: "inconclusive",
 *   value: 0.93, interval: [0.9, 0.95] })?.interval; // [0.9, 0.95]
 * ```
 */
export function readClaim(raw: unknown): ClaimObservation | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== "string" || r.id === "") return null;
  const measured = typeof r.measured === "string" ? r.measured : String(r.measured ?? "");
  const estimate = typeof r.estimate === "object" && r.estimate !== null
    ? r.estimate as Record<string, unknown>
    : {};
  const interval = intervalOf(r);
  const parsed = NUMBER_TEXT.exec(measured);
  const value = finite(r.value)
    ? r.value
    : finite(estimate.value)
    ? estimate.value
    : finite(r.measured)
    ? r.measured
    : parsed
    ? Number(parsed[1])
    : interval
    ? (interval[0] + interval[1]) / 2
    : undefined;
  const level = [r.level, estimate.level, (r.interval as Record<string, unknown>)?.level]
    .find((l) => finite(l) && l > 0 && l < 1) as number | undefined;
  const observation: ClaimObservation = {
    id: r.id,
    claim: String(r.claim ?? ""),
    paper: String(r.paper ?? ""),
    measured,
    verdict: SWEEP_VERDICTS.find((v) => v === r.verdict) ?? "not run",
  };
  if (typeof r.criterion === "string" && r.criterion !== "") observation.criterion = r.criterion;
  if (value !== undefined) observation.value = value;
  if (interval) {
    observation.interval = interval;
    observation.level = level ?? POOLED_LEVEL;
  }
  return observation;
}

/**
 * Every claim an executed notebook recorded (a later record with the same id replaces an
 * earlier one, as in the notebook's own table).
 *
 * @example
 * ```ts
 * claimObservations(executed).map((c) => c.verdict);
 * ```
 */
export function claimObservations(nb: Notebook): ClaimObservation[] {
  const byId = new Map<string, ClaimObservation>();
  for (const table of displayMetadata(nb, CLAIMS_METADATA_KEY)) {
    if (!Array.isArray(table)) continue;
    for (const row of table) {
      const claim = readClaim(row);
      if (claim) byId.set(claim.id, claim);
    }
  }
  return [...byId.values()];
}

/**
 * The pooled interval of per-seed values, from their intervals when every value has one of
 * positive width (random effects), else from their spread (Student t); null for fewer than two
 * values without intervals.
 *
 * @example
 * ```ts
 * pooledInterval([1, 2, 3, 4]); // { estimate: 2.5, lo: 0.4457, hi: 4.5543, level: 0.95, method: "t" }
 * ```
 */
export function pooledInterval(
  values: readonly number[],
  intervals?: readonly { interval: [number, number]; level: number }[],
): PooledInterval | null {
  const k = values.length;
  const z = normalQuantile((1 + POOLED_LEVEL) / 2, 0, 1);
  if (
    intervals && intervals.length === k && k > 0 &&
    intervals.every((i) => i.interval[1] > i.interval[0])
  ) {
    const variances = intervals.map(({ interval: [lo, hi], level }) =>
      ((hi - lo) / (2 * normalQuantile((1 + level) / 2, 0, 1))) ** 2
    );
    const w = variances.map((v) => 1 / v);
    const sw = sum(w);
    const fixed = sum(values.map((x, i) => w[i] * x)) / sw;
    const q = sum(values.map((x, i) => w[i] * (x - fixed) ** 2));
    const tau2 = k > 1 ? Math.max(0, (q - (k - 1)) / (sw - sum(w.map((x) => x * x)) / sw)) : 0;
    const wr = variances.map((v) => 1 / (v + tau2));
    const estimate = sum(values.map((x, i) => wr[i] * x)) / sum(wr);
    const half = z / Math.sqrt(sum(wr));
    return {
      estimate,
      lo: estimate - half,
      hi: estimate + half,
      level: POOLED_LEVEL,
      method: "random-effects",
    };
  }
  if (k < 2) return null;
  const { mean, sd } = spread(values);
  const half = tQuantile((1 + POOLED_LEVEL) / 2, k - 1) * (sd as number) / Math.sqrt(k);
  return { estimate: mean, lo: mean - half, hi: mean + half, level: POOLED_LEVEL, method: "t" };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function spread(values: readonly number[]): { mean: number; sd: number | null } {
  const n = values.length;
  const mean = sum(values) / n;
  const sd = n > 1 ? Math.sqrt(sum(values.map((x) => (x - mean) ** 2)) / (n - 1)) : null;
  return { mean, sd };
}

/**
 * Parameters as a label, e.g. "width=8, lr=0.1".
 *
 * @example
 * ```ts
 * paramsLabel({ width: 8, norm: "l2" }); // "width=8, norm=l2"
 * ```
 */
export function paramsLabel(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
}

/** One claim across the points of a group (points in seed order). */
function acrossSeeds(id: string, points: readonly PointResult[]): ClaimAcrossSeeds {
  const records = points.map((p) => p.claims.find((c) => c.id === id));
  const first = records.find((r) => r !== undefined) as ClaimObservation;
  const verdicts = points.map((p, i) =>
    p.status === "ok" ? records[i]?.verdict ?? "not run" : "failed" as const
  );
  const counts = Object.fromEntries([...SWEEP_VERDICTS, "failed"].map((v) => [v, 0])) as Record<
    SweepVerdict | "failed",
    number
  >;
  for (const v of verdicts) counts[v] += 1;
  const judged = records.filter((r, i): r is ClaimObservation =>
    r !== undefined && points[i].status === "ok" && r.value !== undefined
  );
  const values = judged.map((r) => r.value as number);
  const withIntervals = judged.every((r) => r.interval !== undefined)
    ? judged.map((r) => ({ interval: r.interval!, level: r.level ?? POOLED_LEVEL }))
    : undefined;
  const { mean, sd } = values.length > 0 ? spread(values) : { mean: NaN, sd: null };
  return {
    id,
    claim: first.claim,
    paper: first.paper,
    ...(first.criterion ? { criterion: first.criterion } : {}),
    seeds: points.map((p) => p.seed),
    points: points.map((p) => p.id),
    verdicts,
    measured: records.map((r, i) => points[i].status === "ok" ? r?.measured ?? null : null),
    values: records.map((r, i) => points[i].status === "ok" ? r?.value ?? null : null),
    counts,
    value: values.length === 0
      ? null
      : { n: values.length, mean, sd, min: Math.min(...values), max: Math.max(...values) },
    pooled: values.length === 0 ? null : pooledInterval(values, withIntervals),
  };
}

/**
 * Groups points by notebook and parameter combination and summarises every claim across the
 * seeds of each group.
 *
 * @example
 * ```ts
 * const groups = aggregate(points);
 * groups[0].claims[0].counts; // { holds: 4, inconclusive: 1, "does not hold": 0, "not run": 0, failed: 0 }
 * ```
 */
export function aggregate(points: readonly PointResult[]): GroupSummary[] {
  const groups = new Map<string, PointResult[]>();
  for (const p of points) {
    const key = JSON.stringify([p.notebook, p.params]);
    groups.set(key, [...groups.get(key) ?? [], p]);
  }
  return [...groups.values()].map((members) => {
    const ids = [...new Set(members.flatMap((p) => p.claims.map((c) => c.id)))];
    return {
      notebook: members[0].notebook,
      params: members[0].params,
      label: paramsLabel(members[0].params),
      claims: ids.map((id) => acrossSeeds(id, members)),
    };
  });
}

/**
 * Verdict counts as text: "holds 4 / inconclusive 1 / does not hold 0 of 5", with the points
 * that did not run ("not run") or failed added when there are any.
 *
 * @example
 * ```ts
 * countsText(claim.counts); // "holds 2 / inconclusive 0 / does not hold 1 of 3"
 * ```
 */
export function countsText(counts: Record<SweepVerdict | "failed", number>): string {
  const total = sum(Object.values(counts));
  const extra = (["not run", "failed"] as const).filter((v) => counts[v] > 0)
    .map((v) => `, ${v} ${counts[v]}`).join("");
  return `holds ${counts.holds} / inconclusive ${counts.inconclusive} / does not hold ${
    counts["does not hold"]
  } of ${total}${extra}`;
}

/**
 * For every claim with numeric values and every parameter with two or more values: the claim's
 * mean over seeds against the parameter, one line per combination of the other parameters, with
 * the pooled interval as error bars.
 *
 * @example
 * ```ts
 * const charts = paramCharts(aggregate(points));
 * charts.map((c) => `${c.claim} vs ${c.param}`);
 * ```
 */
export function paramCharts(groups: readonly GroupSummary[]): ParamChart[] {
  const charts: ParamChart[] = [];
  for (const notebook of [...new Set(groups.map((g) => g.notebook))]) {
    const mine = groups.filter((g) => g.notebook === notebook);
    const keys = Object.keys(mine[0].params);
    const claimIds = [...new Set(mine.flatMap((g) => g.claims.map((c) => c.id)))];
    for (const param of keys) {
      const xs = [...new Map(mine.map((g) => [JSON.stringify(g.params[param]), g.params[param]]))
        .values()];
      if (xs.length < 2) continue;
      const numeric = xs.every(finite);
      for (const id of claimIds) {
        const lines = new Map<string, { x: unknown[]; y: number[]; lo: number[]; hi: number[] }>();
        for (const g of mine) {
          const c = g.claims.find((c) => c.id === id);
          if (!c?.value) continue;
          const rest = { ...g.params };
          delete rest[param];
          const name = paramsLabel(rest) || c.id;
          const line = lines.get(name) ?? { x: [], y: [], lo: [], hi: [] };
          line.x.push(g.params[param]);
          line.y.push(c.value.mean);
          line.lo.push(c.pooled ? c.value.mean - c.pooled.lo : 0);
          line.hi.push(c.pooled ? c.pooled.hi - c.value.mean : 0);
          lines.set(name, line);
        }
        if (lines.size === 0) continue;
        const entries = [...lines.entries()];
        const claim = mine.flatMap((g) => g.claims).find((c) => c.id === id) as ClaimAcrossSeeds;
        const figure = lineChart(
          entries.map(([name, l]) => ({
            name,
            x: numeric
              ? l.x as number[]
              : l.x.map((v) => typeof v === "string" ? v : JSON.stringify(v)),
            y: l.y,
          })),
          { title: claim.claim, xLabel: param, yLabel: `${id} (mean over seeds)`, markers: true },
        );
        figure.data.forEach((trace, i) => {
          const l = entries[i][1];
          Object.assign(trace, {
            error_y: { type: "data", symmetric: false, array: l.hi, arrayminus: l.lo },
          });
        });
        charts.push({ notebook, claim: id, param, figure });
      }
    }
  }
  return charts;
}
