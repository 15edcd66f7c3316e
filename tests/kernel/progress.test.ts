import assert from "node:assert/strict";
import { seconds, terminalProgress } from "../../kernel/progress.ts";

Deno.test("seconds shows tenths under a minute and whole seconds above", () => {
  assert.equal(seconds(1_234), "1.2 s");
  assert.equal(seconds(59_940), "59.9 s");
  assert.equal(seconds(83_000), "1 min 23 s");
  assert.equal(seconds(119_400), "1 min 59 s");
});

Deno.test("seconds rounds before splitting into minutes (119.6 s is 2 min 0 s)", () => {
  assert.equal(seconds(119_600), "2 min 0 s");
  assert.equal(seconds(3_599_700), "60 min 0 s");
});

Deno.test("terminalProgress writes one line per event with cell n/N and times", () => {
  const lines: string[] = [];
  const onProgress = terminalProgress("demo", (line) => lines.push(line));
  onProgress({ phase: "start", n: 1, total: 2, cellIndex: 0, elapsedMs: 0 });
  onProgress({
    phase: "end",
    n: 1,
    total: 2,
    cellIndex: 0,
    elapsedMs: 119_600,
    durationMs: 1_200,
    status: "ok",
  });
  assert.deepEqual(lines, [
    "[demo] cell 1/2 running… (elapsed 0.0 s)",
    "[demo] cell 1/2 ok 1.2 s (elapsed 2 min 0 s)",
  ]);
});
