import assert from "node:assert/strict";
import {
  clearOutputs,
  makeNotebook,
  NotebookFormatError,
  parseNotebook,
  serializeNotebook,
  splitLines,
  withLensesMetadata,
} from "../../kernel/nbformat.ts";
import { normalizeNotebookFile } from "../../kernel/normalize.ts";
import { validateNotebook } from "../../kernel/validate.ts";

Deno.test("invalid JSON gives one clear line naming the file", () => {
  assert.throws(
    () => parseNotebook("{oops", "x.ipynb"),
    (e: unknown) =>
      e instanceof NotebookFormatError &&
      /^x\.ipynb is not valid JSON/.test(e.message) &&
      !e.message.includes("\n"),
  );
});

Deno.test("JSON that is not a notebook, or nbformat 3, is refused with the fix", () => {
  assert.throws(
    () => parseNotebook('{"a": 1}', "a.json"),
    /not a Jupyter notebook/,
  );
  assert.throws(() => parseNotebook("[1]", "a.json"), /not a Jupyter notebook/);
  assert.throws(
    () => parseNotebook('{"nbformat": 3, "cells": []}', "old.ipynb"),
    /nbformat 3; only nbformat 4 .*nbconvert/,
  );
  assert.throws(
    () => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "weird"}]}', "w"),
    /cell 1 has unknown cell_type "weird"/,
  );
});

Deno.test("nbformat 4.4 is upgraded: ids added, duplicates replaced, result validates", () => {
  const text = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 4,
    metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: ["# T"] },
      {
        cell_type: "code",
        id: "same",
        metadata: {},
        source: "1",
        outputs: [],
        execution_count: null,
      },
      {
        cell_type: "code",
        id: "same",
        metadata: {},
        source: "2",
        outputs: [],
        execution_count: null,
      },
    ],
  });
  const nb = parseNotebook(text);
  assert.equal(nb.nbformat_minor, 5);
  const ids = nb.cells.map((c) => c.id);
  assert.equal(new Set(ids).size, 3);
  assert.equal(ids[1], "same");
  assert.deepEqual(validateNotebook(nb), []);
});

Deno.test("serialise then parse round-trips; sources are stored as lines", () => {
  const nb = makeNotebook([
    { cell_type: "markdown", source: "# Title\n\ntext" },
    { cell_type: "code", source: "const a = 1;\na" },
  ]);
  const text = serializeNotebook(nb);
  assert.ok(text.endsWith("\n"));
  const raw = JSON.parse(text);
  assert.deepEqual(raw.cells[1].source, ["const a = 1;\n", "a"]);
  const back = parseNotebook(text);
  assert.deepEqual(back.cells.map((c) => c.id), nb.cells.map((c) => c.id));
  assert.equal(serializeNotebook(back), text);
});

Deno.test("lenses metadata names the kernelspec; clearOutputs strips run state", () => {
  const nb = withLensesMetadata({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { title: "kept", lenses: { runner: {} } },
    cells: [{
      cell_type: "code",
      id: "c1",
      source: "1",
      metadata: { execution: {}, tags: ["t"] },
      execution_count: 3,
      outputs: [{ output_type: "stream", name: "stdout", text: "x" }],
    }],
  });
  assert.deepEqual(nb.metadata.kernelspec, {
    name: "lenses",
    display_name: "Deno (lenses)",
    language: "typescript",
  });
  assert.equal(nb.metadata.title, "kept");
  const clean = clearOutputs(nb);
  assert.equal(clean.metadata.lenses, undefined);
  const cell = clean.cells[0];
  assert.ok(cell.cell_type === "code");
  assert.deepEqual(cell.outputs, []);
  assert.equal(cell.execution_count, null);
  assert.deepEqual(cell.metadata, { tags: ["t"] });
  assert.deepEqual(validateNotebook(clean), []);
});

Deno.test("the schema validator catches a malformed output", () => {
  const nb = makeNotebook([{ cell_type: "code", source: "1" }]);
  const bad = structuredClone(nb) as unknown as {
    cells: { outputs: unknown[] }[];
  };
  bad.cells[0].outputs = [{ output_type: "stream", text: "no name" }];
  const problems = validateNotebook(bad);
  assert.ok(problems.length > 0);
  assert.ok(
    problems.some((p) => p.includes("/cells/0/outputs/0")),
    problems.join("\n"),
  );
});

Deno.test("splitLines keeps newlines and drops nothing", () => {
  assert.deepEqual(splitLines("a\nb\n"), ["a\n", "b\n"]);
  assert.deepEqual(splitLines("a\n\nb"), ["a\n", "\n", "b"]);
  assert.deepEqual(splitLines(""), []);
});

Deno.test("normalizeNotebookFile writes the committed form once, then leaves it alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/n.ipynb`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 4,
        metadata: {
          kernelspec: {
            name: "deno",
            display_name: "Deno",
            language: "typescript",
          },
        },
        cells: [{
          cell_type: "code",
          metadata: {},
          source: "1",
          execution_count: 4,
          outputs: [{ output_type: "stream", name: "stdout", text: "x" }],
        }],
      }),
    );
    assert.equal(await normalizeNotebookFile(path), true);
    const nb = parseNotebook(await Deno.readTextFile(path));
    assert.equal((nb.metadata.kernelspec as { name: string }).name, "lenses");
    const cell = nb.cells[0];
    assert.ok(cell.cell_type === "code");
    assert.deepEqual(cell.outputs, []);
    assert.equal(cell.execution_count, null);
    assert.deepEqual(validateNotebook(nb), []);
    assert.equal(await normalizeNotebookFile(path), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
