/**
 * The claims table every notebook ends with: claim, the paper's value, the criterion fixed
 * before the run, the value this run measured with its interval, and the verdict the interval
 * gives (holds / does not hold / inconclusive / not run; see `lib/stats`). Sanity checks —
 * identities that cannot fail — are shown but counted apart. The table is stored in the output
 * metadata under {@link CLAIMS_METADATA_KEY}, so `deno task report` gathers verdicts without
 * parsing HTML; records written before intervals existed (no criterion, no estimate) still read.
 *
 * @module
 */

import { currentScale, type Scale, scaleAtLeast } from "../notebook/scale.ts";
import {
  type Criterion,
  type Estimate,
  requireEstimate,
  type Verdict,
  verdictOf,
  VERDICTS,
} from "../stats/mod.ts";
import { describeInterval, formatCriterion, formatEstimate, type ValueFormat } from "./estimate.ts";
import { formatValue } from "./format.ts";
import { display, type MimeBundle, type Output } from "./output.ts";
import { tableBundle } from "./table.ts";

export { type Verdict, VERDICTS };

/** Output metadata key holding the list of {@link ClaimRecord}s. */
export const CLAIMS_METADATA_KEY = "lenses.claims";
/** Output metadata key holding the id of the notebook the claims belong to. */
export const NOTEBOOK_METADATA_KEY = "lenses.notebook";

/** One row of the claims table, as stored in the metadata. */
export interface ClaimRecord {
  /** Short stable id, e.g. "robust-features-transfer". */
  id: string;
  /** The claim in words. */
  claim: string;
  /** The paper's value and setting, e.g. "CIFAR-10, ε=0.5: 63%". */
  paper: string;
  /** What this run measured, as text: the value and its interval, e.g. "34.0% [31.1, 37.0]". */
  measured: string;
  /** Outcome in this run. */
  verdict: Verdict;
  /** The criterion fixed before the run, as text, e.g. "≥ 30%" (absent in old records). */
  criterion?: string;
  /** The estimate the verdict was computed from (absent in old records and legacy checks). */
  estimate?: Estimate;
  /** How the interval was computed, e.g. "95% Clopper–Pearson, n = 1000". */
  interval?: string;
  /** True for a sanity check: an identity shown in the table but counted apart from claims. */
  sanity?: boolean;
}

/** Fields every claim check shares. */
interface ClaimCheckBase {
  /** Short stable id. */
  id: string;
  /** The claim in words. */
  claim: string;
  /** The paper's value and setting. */
  paper: string;
  /**
   * The smallest scale whose sizes can judge this claim (default: the table's, "quick"). Below
   * it the value is still shown but the verdict is "not run": a smoke run proves the notebook
   * executes, not that a claim fails.
   */
  minScale?: Scale;
  /**
   * Marks an identity that cannot fail (e.g. "a ReLU network's second derivative is exactly
   * zero"): shown in the table, counted apart from the paper's claims.
   */
  sanity?: boolean;
}

/**
 * Input of {@link Claims.check}: a criterion fixed before the run and the estimate measured;
 * the verdict is computed from the estimate's interval.
 */
export interface EstimateClaimCheck extends ClaimCheckBase {
  /** What the claim needs, e.g. `atLeast(0.3)`; write it as a constant, never from the data. */
  criterion: Criterion;
  /** The measured estimate; `undefined` when the experiment did not run at this scale. */
  estimate: Estimate | undefined;
  /** How the value, interval and threshold are written (default "number"). */
  format?: ValueFormat;
  /** Not used in this form (the verdict comes from the interval). */
  holds?: never;
  /** Not used in this form (the text comes from the estimate). */
  measured?: never;
}

/**
 * Legacy input of {@link Claims.check}: the verdict is the boolean `holds`, with no interval.
 * Kept so notebooks written before intervals still run; new claims use
 * {@link EstimateClaimCheck}.
 */
export interface LegacyClaimCheck extends ClaimCheckBase {
  /** The measured value; `undefined` when the experiment did not run at this scale. */
  measured: number | string | undefined;
  /** Whether the measurement supports the claim; `undefined` = not run at this scale. */
  holds: boolean | undefined;
  /** Turns the measured value into text (default: 4 significant digits). */
  format?: (value: number | string) => string;
  /** Not used in this form. */
  criterion?: never;
  /** Not used in this form. */
  estimate?: never;
}

/** Input of {@link Claims.check}: with a criterion and an estimate, or the legacy boolean form. */
export type ClaimCheck = EstimateClaimCheck | LegacyClaimCheck;

/**
 * Inline CSS for each verdict, shared by the claims table and the reports index.
 *
 * @example
 * ```ts
 * `<td style="${VERDICT_STYLE["holds"]}">holds</td>`;
 * ```
 */
export const VERDICT_STYLE: Record<Verdict, string> = {
  "holds": "color:#1a7f37;font-weight:600",
  "does not hold": "color:#cf222e;font-weight:600",
  "inconclusive": "color:#9a6700;font-weight:600",
  "not run": "color:#6e7781",
};

const PLURAL: Record<Verdict, string> = {
  "holds": "hold",
  "does not hold": "do not hold",
  "inconclusive": "inconclusive",
  "not run": "not run",
};

/**
 * Number of the paper's claims per verdict (every verdict present, zero when absent); sanity
 * checks are not counted (see {@link countSanityChecks}).
 *
 * @example
 * ```ts
 * countVerdicts([]); // { holds: 0, "does not hold": 0, inconclusive: 0, "not run": 0 }
 * ```
 */
export function countVerdicts(
  records: readonly Pick<ClaimRecord, "verdict" | "sanity">[],
): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of records) if (r.sanity !== true) counts[r.verdict] += 1;
  return counts;
}

/**
 * Number of sanity checks per verdict (every verdict present, zero when absent).
 *
 * @example
 * ```ts
 * countSanityChecks([{ verdict: "holds", sanity: true }]).holds; // 1
 * ```
 */
export function countSanityChecks(
  records: readonly Pick<ClaimRecord, "verdict" | "sanity">[],
): Record<Verdict, number> {
  return countVerdicts(
    records.filter((r) => r.sanity === true).map((r) => ({ ...r, sanity: false })),
  );
}

/**
 * The sanity checks as text, "sanity checks: 1 of 1 hold", or "" when there are none.
 *
 * @example
 * ```ts
 * sanitySummary([{ verdict: "holds", sanity: true }]); // "sanity checks: 1 of 1 hold"
 * ```
 */
export function sanitySummary(
  records: readonly Pick<ClaimRecord, "verdict" | "sanity">[],
): string {
  const counts = countSanityChecks(records);
  const total = VERDICTS.reduce((sum, v) => sum + counts[v], 0);
  if (total === 0) return "";
  const others = VERDICTS.filter((v) => v !== "holds" && counts[v] > 0)
    .map((v) => `, ${counts[v]} ${v}`).join("");
  return `sanity checks: ${counts.holds} of ${total} hold${others}`;
}

/**
 * A record's value with its criterion, as the report index and summaries show it:
 * "34.0% [31.1, 37.0], needs ≥ 30%" (old records: the measured text alone).
 *
 * @example
 * ```ts
 * measuredWithCriterion({ measured: "34.0% [31.1, 37.0]", criterion: "≥ 30%" });
 * // "34.0% [31.1, 37.0], needs ≥ 30%"
 * ```
 */
export function measuredWithCriterion(record: Pick<ClaimRecord, "measured" | "criterion">): string {
  return record.criterion ? `${record.measured}, needs ${record.criterion}` : record.measured;
}

/**
 * A claim record read back from notebook metadata: the fields of {@link ClaimRecord} that are
 * there and well-formed, so tables written before intervals (no criterion or estimate) and
 * after both read. An unknown verdict reads as "not run" so nothing is silently lost.
 *
 * @param row one element of a {@link CLAIMS_METADATA_KEY} list
 * @param fallbackId id to use when the row has none
 * @example
 * ```ts
 * readClaimRecord({ id: "a", claim: "c", paper: "p", measured: "1", verdict: "holds" }, "1");
 * ```
 */
export function readClaimRecord(row: unknown, fallbackId: string): ClaimRecord | undefined {
  if (typeof row !== "object" || row === null) return undefined;
  const r = row as Record<string, unknown>;
  const record: ClaimRecord = {
    id: String(r.id ?? fallbackId),
    claim: String(r.claim ?? ""),
    paper: String(r.paper ?? ""),
    measured: String(r.measured ?? ""),
    verdict: VERDICTS.find((v) => v === r.verdict) ?? "not run",
  };
  if (typeof r.criterion === "string") record.criterion = r.criterion;
  if (typeof r.interval === "string") record.interval = r.interval;
  if (r.sanity === true) record.sanity = true;
  try {
    requireEstimate("readClaimRecord", r.estimate as Estimate);
    record.estimate = r.estimate as Estimate;
  } catch {
    // A missing or malformed estimate leaves the row as its text says.
  }
  return record;
}

/**
 * The counts as text, every verdict in {@link VERDICTS} order: "N hold, N do not hold, N
 * inconclusive, N not run". `wrap` decorates each part (e.g. an HTML span per verdict).
 *
 * @example
 * ```ts
 * verdictSummary({ holds: 2, "does not hold": 0, inconclusive: 1, "not run": 1 });
 * // "2 hold, 0 do not hold, 1 inconclusive, 1 not run"
 * ```
 */
export function verdictSummary(
  counts: Record<Verdict, number>,
  wrap: (verdict: Verdict, text: string) => string = (_, text) => text,
): string {
  return VERDICTS.map((v) => wrap(v, `${counts[v]} ${PLURAL[v]}`)).join(", ");
}

function requireText(field: string, value: unknown, id: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new Error(
      `Claims: claim "${id}" needs a non-empty string ${field} (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

function sameCriterion(a: Criterion, b: Criterion): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Collects a notebook's claims and renders them as a table.
 *
 * Recording a claim again under the same id replaces it, so re-running a notebook cell does
 * not duplicate rows.
 *
 * @example
 * ```ts
 * import { atLeast, proportion } from "../stats/mod.ts";
 *
 * const claims = new Claims("non-robust-features");
 * claims.check({
 *   id: "adv-transfer",
 *   claim: "A model trained on mislabelled adversarial examples generalises to the true labels",
 *   paper: "CIFAR-10: 63.3% test accuracy",
 *   criterion: atLeast(0.3),
 *   estimate: proportion(correct, total),
 *   format: "percent",
 * }); // measured "34.0% [31.1, 37.0]", criterion "≥ 30%", verdict "holds"
 * await claims.show();
 * ```
 */
export class Claims {
  readonly #records = new Map<string, ClaimRecord>();
  readonly #declared = new Map<string, Omit<EstimateClaimCheck, "estimate">>();

  /**
   * Starts an empty claims table.
   *
   * @param notebook id of the notebook the claims belong to (stored in the metadata).
   */
  constructor(
    /** Id of the notebook the claims belong to. */
    readonly notebook: string,
    /** Default smallest scale that can judge a claim (see {@link ClaimCheckBase.minScale}). */
    readonly options: { minScale?: Scale } = {},
  ) {
    if (typeof notebook !== "string" || notebook.trim() === "") {
      throw new Error(
        'Claims: pass the notebook id, e.g. new Claims("non-robust-features").',
      );
    }
  }

  /** The claims recorded so far, in the order first recorded. */
  get records(): ClaimRecord[] {
    return [...this.#records.values()];
  }

  /**
   * Records a claim with an explicit verdict.
   *
   * @example
   * ```ts
   * claims.record({ id: "x", claim: "...", paper: "91%", measured: "not measured", verdict: "not run" });
   * ```
   */
  record(entry: ClaimRecord): ClaimRecord {
    const id = requireText("id", entry?.id, String(entry?.id));
    if (!VERDICTS.includes(entry.verdict)) {
      throw new Error(
        `Claims: claim "${id}" has verdict ${JSON.stringify(entry.verdict)}; ` +
          `use one of ${VERDICTS.map((v) => `"${v}"`).join(", ")}.`,
      );
    }
    const record: ClaimRecord = {
      id,
      claim: requireText("claim", entry.claim, id),
      paper: requireText("paper", entry.paper, id),
      measured: requireText("measured", entry.measured, id),
      verdict: entry.verdict,
    };
    if (entry.criterion !== undefined) {
      record.criterion = requireText("criterion", entry.criterion, id);
    }
    if (entry.estimate !== undefined) {
      requireEstimate(`Claims: claim "${id}"`, entry.estimate);
      record.estimate = { ...entry.estimate };
    }
    if (entry.interval !== undefined) {
      record.interval = requireText("interval", entry.interval, id);
    }
    if (entry.sanity === true) record.sanity = true;
    this.#records.set(id, record);
    return record;
  }

  /**
   * Records a claim whose verdict follows from the run.
   *
   * With a `criterion` and an `estimate` the verdict comes from the estimate's interval:
   * "holds" when all of it meets the criterion, "does not hold" when none of it does,
   * "inconclusive" when it straddles, "not run" when the estimate is `undefined` or the run is
   * below `minScale`. The legacy form `{ measured, holds }` (no interval) still works: `holds`
   * true → "holds", false → "does not hold", undefined → "not run".
   *
   * @example
   * ```ts
   * claims.check({ id: "gap", claim: "Robust training costs accuracy", paper: "95% vs 87%",
   *   criterion: greaterThan(0), estimate: pairedBootstrap(standardCorrect, robustCorrect,
   *   { seed: 0 }), format: "percent" });
   * claims.check({ id: "relu-d2", claim: "A ReLU network's second derivative is zero",
   *   paper: "thesis §3", criterion: atMost(0), estimate: exact(maxAbsD2), sanity: true });
   * ```
   */
  check(entry: EstimateClaimCheck): ClaimRecord;
  check(entry: LegacyClaimCheck): ClaimRecord;
  check(entry: ClaimCheck): ClaimRecord;
  check(entry: ClaimCheck): ClaimRecord {
    const id = requireText("id", entry?.id, String(entry?.id));
    if (entry.sanity !== undefined && typeof entry.sanity !== "boolean") {
      throw new Error(`Claims: claim "${id}" needs sanity to be true or false.`);
    }
    const hasEstimate = "criterion" in entry || "estimate" in entry;
    if (hasEstimate && "holds" in entry) {
      throw new Error(
        `Claims: claim "${id}" passes both holds and a criterion/estimate; pass criterion and ` +
          `estimate (the verdict comes from the interval) and drop holds and measured.`,
      );
    }
    return hasEstimate
      ? this.#checkEstimate(id, entry as EstimateClaimCheck)
      : this.#checkLegacy(id, entry as LegacyClaimCheck);
  }

  /**
   * States a claim and its criterion before the experiment runs; the row shows "not run" until
   * {@link Claims.measure} supplies the estimate. A later `check` of the same id must pass the
   * same criterion, so a criterion cannot drift after the numbers are in.
   *
   * @example
   * ```ts
   * claims.declare({ id: "d-det", claim: "D_det generalises", paper: "CIFAR-10: 63.3%",
   *   criterion: atLeast(0.3), format: "percent" });
   * // ... the experiment ...
   * claims.measure("d-det", proportion(correct, total));
   * ```
   */
  declare(entry: Omit<EstimateClaimCheck, "estimate">): ClaimRecord {
    const id = requireText("id", entry?.id, String(entry?.id));
    // Declaring again (a re-run cell) restates the claim; only check() is held to it.
    this.#declared.delete(id);
    const record = this.#checkEstimate(id, { ...entry, estimate: undefined });
    this.#declared.set(id, { ...entry, id });
    return this.record({ ...record, measured: "not measured yet" });
  }

  /**
   * Records the estimate of a claim stated with {@link Claims.declare}; the verdict comes from
   * its interval and the declared criterion (`undefined` = not run at this scale).
   *
   * @example
   * ```ts
   * claims.measure("d-det", proportion(correct, total)); // "34.0% [31.1, 37.0]", "holds"
   * ```
   */
  measure(id: string, estimate: Estimate | undefined): ClaimRecord {
    const declared = this.#declared.get(id);
    if (declared === undefined) {
      throw new Error(
        `Claims: claim "${id}" was not declared; call claims.declare({ id: "${id}", claim, ` +
          `paper, criterion }) before the experiment, or claims.check({ ..., criterion, estimate }).`,
      );
    }
    return this.#checkEstimate(id, { ...declared, estimate });
  }

  #minScale(entry: ClaimCheckBase): Scale {
    // An identity holds at any size, so a sanity check is judged even at smoke scale.
    return entry.minScale ?? (entry.sanity ? "smoke" : this.options.minScale ?? "quick");
  }

  #checkEstimate(id: string, entry: EstimateClaimCheck): ClaimRecord {
    const { criterion, estimate } = entry;
    if (typeof criterion !== "object" || criterion === null) {
      throw new Error(
        `Claims: claim "${id}" needs a criterion fixed before the run, e.g. ` +
          `criterion: atLeast(0.3) (see lib/stats: atLeast, atMost, greaterThan, lessThan).`,
      );
    }
    const declared = this.#declared.get(id);
    if (declared !== undefined && !sameCriterion(declared.criterion, criterion)) {
      throw new Error(
        `Claims: claim "${id}" was declared with criterion ` +
          `${formatCriterion(declared.criterion, declared.format)} before the run, but check() ` +
          `passes ${formatCriterion(criterion, entry.format)}; a criterion is fixed before the ` +
          `numbers are in. Use claims.measure("${id}", estimate).`,
      );
    }
    const format = entry.format ?? "number";
    const base = {
      id,
      claim: entry.claim,
      paper: entry.paper,
      criterion: formatCriterion(criterion, format),
      ...(entry.sanity ? { sanity: true } : {}),
    };
    if (estimate === undefined) {
      return this.record({ ...base, measured: "not run at this scale", verdict: "not run" });
    }
    requireEstimate(`Claims: claim "${id}"`, estimate);
    const measured = formatEstimate(estimate, format);
    const interval = describeInterval(estimate);
    if (!scaleAtLeast(this.#minScale(entry))) {
      return this.record({
        ...base,
        measured: `${measured} (${currentScale()} scale: too small to judge)`,
        estimate,
        interval,
        verdict: "not run",
      });
    }
    return this.record({
      ...base,
      measured,
      estimate,
      interval,
      verdict: verdictOf(estimate, criterion),
    });
  }

  #checkLegacy(id: string, entry: LegacyClaimCheck): ClaimRecord {
    const base = {
      id,
      claim: entry.claim,
      paper: entry.paper,
      ...(entry.sanity ? { sanity: true } : {}),
    };
    if (entry.holds === undefined) {
      return this.record({
        ...base,
        measured: entry.measured === undefined ? "not run at this scale" : this.#format(entry),
        verdict: "not run",
      });
    }
    if (typeof entry.holds !== "boolean") {
      throw new Error(
        `Claims: claim "${id}" needs holds to be true, false or undefined (not run); got ${
          JSON.stringify(entry.holds)
        }.`,
      );
    }
    if (entry.measured === undefined) {
      throw new Error(
        `Claims: claim "${id}" has a verdict but no measured value; pass the value the verdict was computed from.`,
      );
    }
    if (!scaleAtLeast(this.#minScale(entry))) {
      return this.record({
        ...base,
        measured: `${this.#format(entry)} (${currentScale()} scale: too small to judge)`,
        verdict: "not run",
      });
    }
    return this.record({
      ...base,
      measured: this.#format(entry),
      verdict: entry.holds ? "holds" : "does not hold",
    });
  }

  #format(entry: LegacyClaimCheck): string {
    const value = entry.measured as number | string;
    return entry.format ? entry.format(value) : formatValue(value);
  }

  /** Counts of each verdict among the paper's claims (sanity checks apart). */
  summary(): Record<Verdict, number> {
    return countVerdicts(this.records);
  }

  /**
   * The claims table as an output: HTML and plain-text tables (the paper's claims, then the
   * sanity checks) plus the records under {@link CLAIMS_METADATA_KEY} in the metadata.
   *
   * @example
   * ```ts
   * const { metadata } = claims.output();
   * metadata["lenses.claims"]; // [{ id, claim, paper, measured, verdict, criterion, ... }, ...]
   * ```
   */
  output(): Output {
    const records = this.records;
    const counts = this.summary();
    const sanity = sanitySummary(records);
    const caption = `Claims (${this.notebook}): ` +
      VERDICTS.map((v) => `${counts[v]} ${counts[v] === 1 ? v : PLURAL[v]}`).join(", ") +
      (sanity ? `; ${sanity}` : "");
    const rows = [
      ...records.filter((r) => r.sanity !== true),
      ...records.filter((r) => r.sanity === true),
    ];
    const withCriteria = records.some((r) => r.criterion !== undefined);
    const table = tableBundle(rows, {
      caption,
      columns: [
        {
          key: "claim",
          format: (v, row) => row.sanity ? `sanity check: ${v}` : String(v),
        },
        { key: "paper", label: "paper" },
        ...(withCriteria ? [{ key: "criterion", label: "needs" }] : []),
        { key: "measured", label: "this run" },
        ...(withCriteria ? [{ key: "interval", label: "interval" }] : []),
        { key: "verdict", style: (v) => VERDICT_STYLE[v as Verdict] },
      ],
    });
    const data: MimeBundle = records.length === 0
      ? {
        "text/plain": `${caption}\n(no claims recorded)`,
        "text/html": table["text/html"],
      }
      : table;
    return {
      data,
      metadata: {
        [CLAIMS_METADATA_KEY]: records,
        [NOTEBOOK_METADATA_KEY]: this.notebook,
      },
    };
  }

  /**
   * Shows the claims table (its output is {@link output}); resolves to nothing, so a cell that
   * ends with it shows no empty result.
   *
   * @example
   * ```ts
   * await claims.show();
   * ```
   */
  async show(): Promise<void> {
    const { data, metadata } = this.output();
    // Resolving to nothing: a cell ending in `await claims.show()` would otherwise also get an
    // empty Out[N] (Deno's kernel publishes any other value as an execute_result).
    await display(data, { metadata });
  }
}
