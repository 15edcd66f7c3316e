/**
 * Options and reporting shared by the commands of lenses' CLI (kernel/cli.ts and the sweep's
 * kernel/sweep/cli.ts): the usage error, the log, --quiet, --timeout and --scale.
 *
 * @module
 */

import { currentScale, parseScale, type Scale } from "../lib/notebook/scale.ts";

/** A usage or input problem: reported as one line, exit status 2. */
export class UsageError extends Error {}

/** Per-cell time limit when --timeout is not given. */
const DEFAULT_TIMEOUT_S = 3600;

/** Writes one line to stderr. */
export function log(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
}

/** Whether progress stays off: --quiet, or LENSES_PROGRESS=quiet. */
export function quiet(flag: boolean | undefined): boolean {
  return flag === true || Deno.env.get("LENSES_PROGRESS") === "quiet";
}

/** The --timeout value in seconds; a bad one is a usage error. */
export function timeoutOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S;
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0) {
    throw new UsageError(
      `--timeout ${value}: expected a positive number of seconds`,
    );
  }
  return s;
}

/** The --scale value, else LENSES_SCALE, else the default; a bad one is a usage error. */
export function scaleOf(value: string | undefined): Scale {
  try {
    return value === undefined ? currentScale() : parseScale(value);
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(
      value === undefined ? message : `--scale ${message}`,
    );
  }
}
