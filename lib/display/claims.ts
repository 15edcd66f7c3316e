/**
 * The claims table every notebook ends with: claim, the paper's value, the value this run
 * measured, and a verdict computed from the run. The table is stored in the output metadata
 * under {@link CLAIMS_METADATA_KEY}, so `deno task report` gathers verdicts without parsing HTML.
 *
 * @module
 */

import { currentScale, type Scale, scaleAtLeast } from "../notebook/scale.ts";
import { formatValue } from "./format.ts";
import { display, type MimeBundle, type Output } from "./output.ts";
import { tableBundle } from "./table.ts";

/** Output metadata key holding the list of {@link ClaimRecord}s. */
export const CLAIMS_METADATA_KEY = "lenses.claims";
/** Output metadata key holding the id of the notebook the claims belong to. */
export const NOTEBOOK_METADATA_KEY = "lenses.notebook";

/** Outcome of a claim in this run. */
export type Verdict = "holds" | "does not hold" | "not run";

/** The verdicts, in the order the summary lists them. */
export const VERDICTS: readonly Verdict[] = [
  "holds",
  "does not hold",
  "not run",
];

/** One row of the claims table, as stored in the metadata. */
export interface ClaimRecord {
  /** Short stable id, e.g. "robust-features-transfer". */
  id: string;
  /** The claim in words. */
  claim: string;
  /** The paper's value and setting, e.g. "CIFAR-10, ε=0.5: 63%". */
  paper: string;
  /** What this run measured, as text. */
  measured: string;
  /** Outcome in this run. */
  verdict: Verdict;
}

/** Input of {@link Claims.check}: the verdict is computed from `holds`. */
export interface ClaimCheck {
  /** Short stable id. */
  id: string;
  /** The claim in words. */
  claim: string;
  /** The paper's value and setting. */
  paper: string;
  /** The measured value; `undefined` when the experiment did not run at this scale. */
  measured: number | string | undefined;
  /** Whether the measurement supports the claim; `undefined` = not run at this scale. */
  holds: boolean | undefined;
  /** Turns the measured value into text (default: 4 significant digits). */
  format?: (value: number | string) => string;
  /**
   * The smallest scale whose sizes can judge this claim (default: the table's, "quick"). Below
   * it the value is still shown but the verdict is "not run": a smoke run proves the notebook
   * executes, not that a claim fails.
   */
  minScale?: Scale;
}

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
  "not run": "color:#6e7781",
};

const PLURAL: Record<Verdict, string> = {
  "holds": "hold",
  "does not hold": "do not hold",
  "not run": "not run",
};

/**
 * Number of claims per verdict (every verdict present, zero when absent).
 *
 * @example
 * ```ts
 * countVerdicts([]); // { holds: 0, "does not hold": 0, "not run": 0 }
 * ```
 */
export function countVerdicts(
  records: readonly Pick<ClaimRecord, "verdict">[],
): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<
    Verdict,
    number
  >;
  for (const r of records) counts[r.verdict] += 1;
  return counts;
}

/**
 * The counts as text, every verdict in {@link VERDICTS} order: "N hold, N do not hold, N not
 * run". `wrap` decorates each part (e.g. an HTML span per verdict).
 *
 * @example
 * ```ts
 * verdictSummary({ holds: 2, "does not hold": 0, "not run": 1 });
 * // "2 hold, 0 do not hold, 1 not run"
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

/**
 * Collects a notebook's claims and renders them as a table.
 *
 * Recording a claim again under the same id replaces it, so re-running a notebook cell does
 * not duplicate rows.
 *
 * @example
 * ```ts
 * const claims = new Claims("non-robust-features");
 * claims.check({
 *   id: "adv-transfer",
 *   claim: "A model trained on mislabelled adversarial examples generalises to the true labels",
 *   paper: "CIFAR-10: 63.3% test accuracy",
 *   measured: accuracy,
 *   holds: accuracy > 0.5,
 *   format: (v) => `${(Number(v) * 100).toFixed(1)}%`,
 * });
 * await claims.show();
 * ```
 */
export class Claims {
  readonly #records = new Map<string, ClaimRecord>();

  /**
   * Starts an empty claims table.
   *
   * @param notebook id of the notebook the claims belong to (stored in the metadata).
   */
  constructor(
    /** Id of the notebook the claims belong to. */
    readonly notebook: string,
    /** Default smallest scale that can judge a claim (see {@link ClaimCheck.minScale}). */
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
    this.#records.set(id, record);
    return record;
  }

  /**
   * Records a claim whose verdict follows from the run: `holds` true → "holds", false →
   * "does not hold", undefined → "not run".
   *
   * @example
   * ```ts
   * claims.check({ id: "gap", claim: "Robust model is less accurate", paper: "95% vs 87%",
   *   measured: gap, holds: gap > 0 });
   * ```
   */
  check(entry: ClaimCheck): ClaimRecord {
    const id = requireText("id", entry?.id, String(entry?.id));
    if (entry.holds === undefined) {
      return this.record({
        id,
        claim: entry.claim,
        paper: entry.paper,
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
    const minScale = entry.minScale ?? this.options.minScale ?? "quick";
    if (!scaleAtLeast(minScale)) {
      return this.record({
        id,
        claim: entry.claim,
        paper: entry.paper,
        measured: `${this.#format(entry)} (${currentScale()} scale: too small to judge)`,
        verdict: "not run",
      });
    }
    return this.record({
      id,
      claim: entry.claim,
      paper: entry.paper,
      measured: this.#format(entry),
      verdict: entry.holds ? "holds" : "does not hold",
    });
  }

  #format(entry: ClaimCheck): string {
    const value = entry.measured as number | string;
    return entry.format ? entry.format(value) : formatValue(value);
  }

  /** Counts of each verdict. */
  summary(): Record<Verdict, number> {
    return countVerdicts(this.records);
  }

  /**
   * The claims table as an output: HTML and plain-text tables plus the records under
   * {@link CLAIMS_METADATA_KEY} in the metadata.
   *
   * @example
   * ```ts
   * const { metadata } = claims.output();
   * metadata["lenses.claims"]; // [{ id, claim, paper, measured, verdict }, ...]
   * ```
   */
  output(): Output {
    const records = this.records;
    const counts = this.summary();
    const caption = `Claims (${this.notebook}): ` +
      VERDICTS.map((v) => `${counts[v]} ${counts[v] === 1 ? v : PLURAL[v]}`)
        .join(", ");
    const table = tableBundle(records, {
      caption,
      columns: [
        "claim",
        { key: "paper", label: "paper" },
        { key: "measured", label: "this run" },
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
   * Shows the claims table and returns the output.
   *
   * @example
   * ```ts
   * await claims.show();
   * ```
   */
  show(): Promise<Output> {
    const { data, metadata } = this.output();
    return display(data, { metadata });
  }
}
