/**
 * Aggregation of a sweep: per notebook and parameter combination, each claim across seeds —
 * verdict counts, the measured values' mean and spread, and a pooled interval — and, across
 * parameter values, the claim's value against each parameter as a chart.
 *
 * Claims are read as the notebooks stored them ({@link claimsOf}), old records and new alike:
 * an old record has text only (`measured`, whose value counts when it is one number, "93.4%"
 * → 93.4); a new one carries its `estimate` (value and interval), `criterion`, the verdict
 * "inconclusive", and `sanity` for identities counted apart. The pooled interval is a
 * random-effects meta-analysis of the seeds' estimates when every seed has one with an
 * interval ({@link poolRandomEffects}), else the Student-t interval of the mean of the seeds'
 * values ({@link meanOverRuns}).
 *
 * @module
 */

import { type Figure, lineChart } from "../../lib/display/chart.ts";
import { type ClaimRecord, type Verdict, VERDICTS } from "../../lib/display/claims.ts";
import {
  type Estimate,
  mean,
  meanOverRuns,
  poolRandomEffects,
  sampleSd,
  sum,
} from "../../lib/stats/mod.ts";
import type { Notebook } from "../nbformat.ts";
import type { Params } from "../params.ts";
import { claimsOf } from "../run_info.ts";

/** One claim as one run recorded it, with its value as a number when it has one. */
export interface ClaimObservation extends ClaimRecord {
  /** The estimate's value, else the measured text when it is one number. */
  value?: number;
}

/** A claim across the seeds of one parameter combination. */
export interface ClaimAcrossSeeds {
  id: string;
  claim: string;
  paper: string;
  criterion?: string;
  /** An identity shown for completeness, counted apart from the paper's claims. */
  sanity?: true;
  /** Per seed, in the sweep's seed order: */
  seeds: number[];
  /** the point's id (its files), */
  points: string[];
  /** its verdict ("failed" when the point did not complete), */
  verdicts: (Verdict | "failed")[];
  /** what it measured (text), */
  measured: (string | null)[];
  /** and its value, if a number. */
  values: (number | null)[];
  counts: Record<Verdict | "failed", number>;
  /** Mean and spread of the numeric values (sd: sample standard deviation, null for one). */
  value: { n: number; mean: number; sd: number | null; min: number; max: number } | null;
  /** The seeds pooled into one estimate (null with fewer than two values and no intervals). */
  pooled: Estimate | null;
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

/**
 * A claim record with its value as a number: the estimate's, else the measured text's when the
 * text is one number (an old record).
 *
 * @example
 * ```ts
 * observe({ id: "a", claim: "…", paper: "…", measured: "93.4%", verdict: "holds" }).value; // 93.4
 * ```
 */
export function observe(record: ClaimRecord): ClaimObservation {
  const parsed = NUMBER_TEXT.exec(record.measured);
  const value = record.estimate?.value ?? (parsed ? Number(parsed[1]) : undefined);
  return value === undefined ? { ...record } : { ...record, value };
}

/**
 * Every claim an executed notebook recorded, with values.
 *
 * @example
 * ```ts
 * claimObservations(executed).map((c) => c.verdict);
 * ```
 */
export function claimObservations(nb: Notebook): ClaimObservation[] {
  return claimsOf(nb).map(observe);
}

/** Whether an estimate has an interval a random-effects pool can weight. */
function poolable(e: Estimate | undefined): e is Estimate {
  return e !== undefined && e.upper > e.lower && e.level < 1;
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
  const records = points.map((p) =>
    p.status === "ok" ? p.claims.find((c) => c.id === id) : undefined
  );
  const first = points.flatMap((p) => p.claims).find((c) => c.id === id) as ClaimObservation;
  const verdicts = points.map((p, i) =>
    p.status === "ok" ? records[i]?.verdict ?? "not run" : "failed" as const
  );
  const counts = Object.fromEntries([...VERDICTS, "failed"].map((v) => [v, 0])) as Record<
    Verdict | "failed",
    number
  >;
  for (const v of verdicts) counts[v] += 1;
  const judged = records.filter((r): r is ClaimObservation => r?.value !== undefined);
  const values = judged.map((r) => r.value as number);
  const estimates = judged.map((r) => r.estimate);
  let value: ClaimAcrossSeeds["value"] = null;
  if (values.length > 0) {
    const m = mean(values);
    const sd = values.length > 1 ? sampleSd(values) : null;
    value = { n: values.length, mean: m, sd, min: Math.min(...values), max: Math.max(...values) };
  }
  return {
    id,
    claim: first.claim,
    paper: first.paper,
    ...(first.criterion ? { criterion: first.criterion } : {}),
    ...(first.sanity ? { sanity: true as const } : {}),
    seeds: points.map((p) => p.seed),
    points: points.map((p) => p.id),
    verdicts,
    measured: records.map((r) => r?.measured ?? null),
    values: records.map((r) => r?.value ?? null),
    counts,
    value,
    pooled: estimates.length > 0 && estimates.every(poolable)
      ? poolRandomEffects(estimates)
      : values.length > 1
      ? meanOverRuns(values)
      : null,
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
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
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
export function countsText(counts: Record<Verdict | "failed", number>): string {
  const total = sum(Object.values(counts));
  const extra = (["not run", "failed"] as const).filter((v) => counts[v] > 0)
    .map((v) => `, ${v} ${counts[v]}`).join("");
  return `holds ${counts.holds} / inconclusive ${counts.inconclusive} / does not hold ${
    counts["does not hold"]
  } of ${total}${extra}`;
}

/**
 * For every claim with numeric values and every parameter with two or more values: the claim's
 * pooled value over seeds (else their mean) against the parameter, one line per combination of the other parameters, with
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
      const numeric = xs.every((x) => typeof x === "number" && Number.isFinite(x));
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
          const y = c.pooled?.value ?? c.value.mean;
          line.y.push(y);
          line.lo.push(c.pooled ? y - c.pooled.lower : 0);
          line.hi.push(c.pooled ? c.pooled.upper - y : 0);
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
          { title: claim.claim, xLabel: param, yLabel: `${id} (pooled over seeds)`, markers: true },
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
