/**
 * Terminal progress for notebook runs: one line per cell on stderr (cell n/N, its duration,
 * time since the notebook started), so a long run shows where it is.
 *
 * @module
 */

import type { ProgressEvent } from "./executor.ts";

/**
 * A progress callback that writes to `write` (stderr by default).
 *
 * @example
 * ```ts
 * const onProgress = terminalProgress("ilyas");
 * onProgress({ phase: "end", n: 1, total: 3, cellIndex: 0, elapsedMs: 1200, durationMs: 1200, status: "ok" });
 * // [ilyas] cell 1/3 ok 1.2 s (elapsed 1.2 s)
 * ```
 */
export function terminalProgress(
  name: string,
  write: (line: string) => void = (line) =>
    Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
): (event: ProgressEvent) => void {
  return (e) => {
    if (e.phase === "start") {
      write(
        `[${name}] cell ${e.n}/${e.total} running… (elapsed ${seconds(e.elapsedMs)})`,
      );
    } else {
      write(
        `[${name}] cell ${e.n}/${e.total} ${e.status} ${seconds(e.durationMs ?? 0)} (elapsed ${
          seconds(e.elapsedMs)
        })`,
      );
    }
  };
}

/**
 * Milliseconds as a short human duration.
 *
 * @example
 * ```ts
 * seconds(83_000); // "1 min 23 s"
 * ```
 */
export function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  // Round first: 119.6 s is "2 min 0 s", not "1 min 60 s".
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
