import assert from "node:assert/strict";
import { join } from "node:path";
import { runNotebookFile } from "../../kernel/runner.ts";
import { code, md, runCli, waitFor, writeNotebook } from "./helpers.ts";

const kernelTs = new URL("../../kernel/kernel.ts", import.meta.url).href;

/** Whether process `pid` exists (Linux: /proc; elsewhere `kill -0`). */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has exited
  } catch {
    return false;
  }
}

Deno.test({
  name: "kernel: a kernel does not outlive its runner killed with SIGKILL",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "lenses-lifecycle-" });
    try {
      const script = join(dir, "runner.ts");
      await Deno.writeTextFile(
        script,
        `import { startKernel } from ${JSON.stringify(kernelTs)};\n` +
          `const k = await startKernel();\n` +
          `console.log(k.process.pid);\n` +
          `await new Promise(() => {});\n`,
      );
      const runner = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = runner.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      const kernelPid = Number(out.trim());
      assert.ok(kernelPid > 0, `the runner printed its kernel's pid: ${out}`);
      assert.ok(await alive(kernelPid));
      runner.kill("SIGKILL");
      await runner.status;
      reader.releaseLock();
      await runner.stdout.cancel().catch(() => {});
      const gone = await waitFor(async () => await alive(kernelPid) ? undefined : true);
      assert.ok(gone, `timed out waiting until kernel ${kernelPid} is gone`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** The id of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("runner: a killed run's temp files in the output folder are removed by the next run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-stale-run-" });
  try {
    const path = await writeNotebook(dir, "prose", [md("# x")]);
    const stale = join(dir, "out", `prose.ipynb.tmp-${await deadPid()}-1`);
    await Deno.mkdir(join(dir, "out"));
    await Deno.writeTextFile(stale, "half a notebook");
    const old = new Date(Date.now() - 3600_000);
    await Deno.utime(stale, old, old);
    await runNotebookFile(path, { output: join(dir, "out", "prose.ipynb") });
    await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kernel connection directories of dead processes are removed by the next run", async () => {
  // A fresh module instance: the sweep runs once per process, on the first connection file.
  const { kernelsDir, newConnectionInfo, writeConnectionFile } = await import(
    `../../kernel/connection.ts?sweep=${crypto.randomUUID()}`
  );
  const base = kernelsDir();
  await Deno.mkdir(base, { recursive: true });
  const dead = join(base, `kernel-test.tmp-${await deadPid()}-0`);
  const live = join(base, `kernel-test.tmp-${Deno.pid}-0`);
  const old = new Date(Date.now() - 3600_000);
  for (const dir of [dead, live]) {
    await Deno.mkdir(dir);
    await Deno.writeTextFile(join(dir, "connection.json"), "{}");
    await Deno.utime(dir, old, old);
  }
  const path = await writeConnectionFile(newConnectionInfo());
  try {
    assert.match(path, new RegExp(`/kernel-[^/]+\\.tmp-${Deno.pid}-0/connection\\.json$`));
    await assert.rejects(Deno.stat(dead), Deno.errors.NotFound, "a dead run's directory is gone");
    assert.ok((await Deno.stat(live)).isDirectory, "a live process's directory stays");
  } finally {
    await Deno.remove(join(path, ".."), { recursive: true });
    await Deno.remove(live, { recursive: true });
  }
});

Deno.test("runner: an output path that cannot be written is refused before anything runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-dest-" });
  try {
    const ran = join(dir, "ran");
    const path = await writeNotebook(dir, "n", [
      code(`Deno.writeTextFileSync(${JSON.stringify(ran)}, "")`),
    ]);
    await Deno.mkdir(join(dir, "adir"));
    await Deno.writeTextFile(join(dir, "afile"), "");
    for (
      const [output, why] of [
        [join(dir, "adir"), /it is a directory/],
        [join(dir, "afile", "n.ipynb"), /Not a directory|folder cannot be made/],
      ] as const
    ) {
      const summary = await runNotebookFile(path, { output });
      assert.equal(summary.status, "invalid");
      assert.equal(summary.error?.evalue.split("\n").length, 1);
      assert.ok(summary.error?.evalue.includes(`cannot write ${output}`), summary.error?.evalue);
      assert.match(summary.error?.evalue ?? "", why);
    }
    await assert.rejects(Deno.stat(ran), Deno.errors.NotFound, "no cell ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI: a final write that fails names the path and where the results went, in one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-dest-" });
  try {
    const out = join(dir, "out");
    // The folder disappears during the run (a full or unmounted disk looks the same to the writer).
    const path = await writeNotebook(dir, "n", [
      code(
        `Deno.removeSync(${JSON.stringify(out)}, { recursive: true });\n` +
          `Deno.writeTextFileSync(${JSON.stringify(out)}, "");\n"computed"`,
      ),
    ]);
    await Deno.mkdir(out);
    const output = join(out, "n.ipynb");
    const { code: status, stderr } = await runCli("run", path, "-o", output, "-q");
    assert.equal(status, 1, stderr);
    const errors = stderr.split("\n").filter((l) => l.startsWith("error: "));
    assert.equal(errors.length, 1, stderr);
    assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
    const m = /^error: could not write (.+?): .+; the results are kept in (\S+)$/.exec(errors[0]);
    assert.ok(m, errors[0]);
    assert.equal(m[1], output);
    const kept = await Deno.readTextFile(m[2]);
    assert.match(kept, /computed/, "the executed notebook, outputs and all");
    await Deno.remove(join(m[2], ".."), { recursive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
