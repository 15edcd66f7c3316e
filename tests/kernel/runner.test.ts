import assert from "node:assert/strict";
import { join } from "node:path";
import { executeNotebook } from "../../kernel/executor.ts";
import { startKernel } from "../../kernel/kernel.ts";
import { type CodeCell, makeNotebook, readNotebook } from "../../kernel/nbformat.ts";
import { runNotebookFile } from "../../kernel/runner.ts";
import { validateNotebook } from "../../kernel/validate.ts";
import { code, md, runCli, writeNotebook } from "./helpers.ts";

const dir = await Deno.makeTempDir({ prefix: "lenses-runner-test-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(dir, { recursive: true }),
);
const codeCells = (cells: { cell_type: string }[]) =>
  cells.filter((c): c is CodeCell => c.cell_type === "code");

Deno.test({
  name:
    "runner: streams, displays, results, display updates and parameters, as Jupyter records them",
  async fn() {
    const path = await writeNotebook(dir, "ok", [
      md("# Title"),
      code('let scale = "quick";\nlet n = 1;', { tags: ["parameters"] }),
      code(
        'console.log(scale, n, Deno.env.get("LENSES_SCALE"));\nconsole.error("warn");\nn * 2',
      ),
      code(
        'Deno.jupyter.display({ "text/html": "<b>bold</b>", "text/plain": "bold" }, { raw: true });',
      ),
      code(
        'await Deno.jupyter.broadcast("display_data", { data: { "text/plain": "step 0" }, metadata: {}, transient: { display_id: "bar" } });\n' +
          'for (let i = 1; i <= 3; i++) await Deno.jupyter.broadcast("update_display_data", { data: { "text/plain": `step ${i}` }, metadata: {}, transient: { display_id: "bar" } });',
      ),
    ]);
    const before = await Deno.readTextFile(path);
    const output = join(dir, "out", "ok.ipynb");
    const summary = await runNotebookFile(path, {
      output,
      params: { n: 21 },
      env: { LENSES_SCALE: "smoke" },
      timeoutS: 60,
    });
    assert.equal(summary.status, "ok", JSON.stringify(summary.error));
    assert.deepEqual(summary.schemaProblems, []);
    assert.equal(
      await Deno.readTextFile(path),
      before,
      "the source is not modified",
    );
    const nb = await readNotebook(output);
    assert.deepEqual(validateNotebook(nb), []);
    assert.equal(nb.cells.length, 6, "one injected cell");
    const cells = codeCells(nb.cells);
    assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3, 4, 5]);
    assert.deepEqual(cells[1].metadata.tags, ["injected-parameters"]);
    assert.deepEqual(cells[2].outputs, [
      { output_type: "stream", name: "stdout", text: ["quick 21 smoke\n"] },
      { output_type: "stream", name: "stderr", text: ["warn\n"] },
      {
        output_type: "execute_result",
        execution_count: 3,
        data: { "text/plain": ["42"] },
        metadata: {},
      },
    ]);
    const html = cells[3].outputs[0];
    assert.ok(html.output_type === "display_data");
    assert.deepEqual(html.data["text/html"], ["<b>bold</b>"]);
    assert.deepEqual(cells[4].outputs, [
      {
        output_type: "display_data",
        data: { "text/plain": ["step 3"] },
        metadata: {},
      },
    ]);
    const timing = cells[2].metadata.execution as Record<string, string>;
    for (
      const key of [
        "iopub.status.busy",
        "iopub.execute_input",
        "shell.execute_reply",
        "iopub.status.idle",
      ]
    ) {
      assert.ok(!Number.isNaN(Date.parse(timing[key])), key);
    }
    const runner = (nb.metadata.lenses as { runner: Record<string, unknown> }).runner;
    assert.equal(runner.status, "ok");
    assert.deepEqual(runner.params, { n: 21 });
    assert.equal(Object.keys(runner.cell_durations_s as object).length, 5);
  },
});

Deno.test("runner: an exception stops the run, the notebook keeps every output so far", async () => {
  const path = await writeNotebook(dir, "err", [
    code('console.log("before")'),
    code('throw new TypeError("bad <input>")'),
    code('"after"'),
  ]);
  const output = join(dir, "err.out.ipynb");
  const stopped = await runNotebookFile(path, { output, timeoutS: 60 });
  assert.equal(stopped.status, "error");
  assert.deepEqual(stopped.error, {
    cellIndex: 1,
    ename: "TypeError",
    evalue: "bad <input>",
  });
  const nb = await readNotebook(output);
  const cells = codeCells(nb.cells);
  assert.equal(cells[0].outputs.length, 1);
  assert.equal(cells[1].outputs[0].output_type, "error");
  assert.equal(cells[2].execution_count, null);
  assert.deepEqual(cells[2].outputs, []);
  assert.deepEqual(validateNotebook(nb), []);

  const goOn = await runNotebookFile(path, {
    output,
    timeoutS: 60,
    allowErrors: true,
  });
  assert.equal(goOn.status, "error", "a run with errors still fails");
  const after = codeCells((await readNotebook(output)).cells)[2];
  assert.deepEqual(after.outputs, [
    {
      output_type: "execute_result",
      execution_count: 3,
      data: { "text/plain": ['"after"'] },
      metadata: {},
    },
  ]);
});

Deno.test("runner: a cell past --timeout is interrupted and the run stops", async () => {
  const path = await writeNotebook(dir, "slow", [
    code("while (true) {}"),
    code('"never"'),
  ]);
  const output = join(dir, "slow.out.ipynb");
  const summary = await runNotebookFile(path, { output, timeoutS: 1 });
  assert.equal(summary.status, "timeout");
  assert.equal(summary.error?.ename, "CellTimeoutError");
  assert.match(summary.error?.evalue ?? "", /within 1 s; it was interrupted/);
  const cells = codeCells((await readNotebook(output)).cells);
  assert.equal(cells[1].execution_count, null);
});

Deno.test("executor: a cell that ignores the interrupt gets its kernel killed", async () => {
  const nb = makeNotebook([
    {
      cell_type: "code",
      source: 'new Deno.Command("sleep", { args: ["2"] }).outputSync()',
    },
  ]);
  const kernel = await startKernel();
  try {
    const result = await executeNotebook(nb, kernel, {
      timeoutMs: 300,
      interruptGraceMs: 300,
    });
    assert.equal(result.status, "timeout");
    assert.match(
      result.error?.evalue ?? "",
      /ignored the interrupt, so the kernel was killed/,
    );
    assert.notEqual(
      kernel.process.exitStatus,
      null,
      "the kernel process is gone",
    );
  } finally {
    await kernel.shutdown();
  }
});

Deno.test("runner: a kernel that exits is reported with the cell that killed it", async () => {
  const path = await writeNotebook(dir, "exit", [
    code("1"),
    code("Deno.exit(3)"),
    code("2"),
  ]);
  const output = join(dir, "exit.out.ipynb");
  const summary = await runNotebookFile(path, { output, timeoutS: 60 });
  assert.equal(summary.status, "dead");
  assert.equal(summary.error?.cellIndex, 1);
  assert.equal(summary.error?.ename, "DeadKernelError");
  assert.match(summary.error?.evalue ?? "", /exit code 3/);
  assert.deepEqual(validateNotebook(await readNotebook(output)), []);
});

Deno.test("executor: a kernel that stops answering heartbeats is declared dead", async () => {
  const nb = makeNotebook([{
    cell_type: "code",
    source: 'Deno.kill(Deno.pid, "SIGSTOP")',
  }]);
  const kernel = await startKernel();
  try {
    const result = await executeNotebook(nb, kernel, { heartbeatMs: 300 });
    assert.equal(result.status, "dead");
    assert.match(result.error?.evalue ?? "", /stopped answering heartbeats/);
  } finally {
    await kernel.shutdown();
  }
});

Deno.test("runner: empty and markdown-only notebooks succeed without a kernel", async () => {
  for (
    const [name, cells] of [["empty", []], ["prose", [
      md("# Only prose\n\n$x$"),
    ]]] as const
  ) {
    const path = await writeNotebook(dir, name, [...cells]);
    const output = join(dir, `${name}.out.ipynb`);
    const summary = await runNotebookFile(path, { output });
    assert.equal(summary.status, "ok");
    assert.ok(summary.durationMs < 1000);
    const nb = await readNotebook(output);
    assert.equal(nb.cells.length, cells.length);
    assert.deepEqual(validateNotebook(nb), []);
  }
});

Deno.test("runner and CLI: invalid JSON is one clear error line, nothing written", async () => {
  const path = join(dir, "broken.ipynb");
  await Deno.writeTextFile(path, "{ not json");
  const output = join(dir, "broken.out.ipynb");
  const summary = await runNotebookFile(path, { output });
  assert.equal(summary.status, "invalid");
  assert.match(summary.error?.evalue ?? "", /broken\.ipynb is not valid JSON/);
  await assert.rejects(Deno.stat(output), Deno.errors.NotFound);

  const cli = await runCli("run", path);
  assert.equal(cli.code, 2);
  const lines = cli.stderr.trim().split("\n");
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /^error: .*broken\.ipynb is not valid JSON/);
});

Deno.test("runner: a cell that prints a lot keeps its own output (cut visibly, tail kept); none lands in the next cell", async () => {
  const lines = 20_000;
  const path = await writeNotebook(dir, "loud", [
    code(`for (let i = 0; i < ${lines}; i++) console.log("line " + i);`),
    code('console.log("next")'),
  ]);
  const output = join(dir, "loud.out.ipynb");
  const summary = await runNotebookFile(path, {
    output,
    timeoutS: 120,
    maxStreamChars: 50_000,
  });
  assert.equal(summary.status, "ok");
  const [loud, next] = codeCells((await readNotebook(output)).cells);
  assert.deepEqual(next.outputs, [
    { output_type: "stream", name: "stdout", text: ["next\n"] },
  ], "nothing of the first cell under the second");
  assert.equal(loud.outputs.length, 1);
  const text = (loud.outputs[0] as { text: string[] }).text.join("");
  const kept = text.split("\n").filter((l) => l.startsWith("line "));
  assert.equal(kept.at(-1), `line ${lines - 1}`, "the tail is kept");
  const first = Number(kept[0].slice(5));
  assert.deepEqual(kept, Array.from({ length: lines - first }, (_, i) => `line ${first + i}`));
  assert.match(text, new RegExp(`^\\[lenses: the first ${first.toLocaleString("en")} lines \\(`));
  assert.ok(text.length < 50_000 + 300, `cut to the limit: ${text.length}`);
});

Deno.test("runner: a cell whose late output does not settle by the fence deadline says so, and the run goes on", async () => {
  // A flood left running: the fence's marker queues behind it. With a deadline of 1 ms the
  // runner cannot wait for the backlog, so the cell must carry the note and the run finish.
  const nb = makeNotebook([
    code('const flood = setInterval(() => console.log("x".repeat(20_000)), 0);'),
    code('clearInterval(flood); "stopped"'),
  ]);
  const kernel = await startKernel();
  try {
    const result = await executeNotebook(nb, kernel, { fenceDeadlineMs: 1 });
    assert.equal(result.status, "ok");
    const [flooding, stopped] = codeCells(result.notebook.cells);
    const notes = flooding.outputs.filter((o) =>
      o.output_type === "stream" && o.name === "stderr" &&
      /^\[lenses: the kernel had not sent all of this cell's output 0\.001 s after it ended/
        .test(Array.isArray(o.text) ? o.text.join("") : o.text)
    );
    assert.equal(notes.length, 1, JSON.stringify(flooding.outputs).slice(0, 500));
    assert.equal(stopped.execution_count, 2);
  } finally {
    await kernel.shutdown();
  }
});
