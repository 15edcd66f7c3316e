import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseNotebook } from "../../../kernel/nbformat.ts";
import { runnerOf } from "../../../kernel/run_info.ts";
import { refreshReportsIndex, runSweep, type SweepSummary } from "../../../kernel/sweep/sweep.ts";
import { code, waitFor, writeNotebook } from "../helpers.ts";

/** The claims cell of the test notebooks: value = seed × width, and two claims on it. */
const CLAIMS_CELL = `const seed = Number(Deno.env.get("LENSES_SEED"));
const value = seed * width;
await Deno.jupyter.broadcast("display_data", { data: { "text/plain": "claims" }, metadata: {
  "lenses.claims": [
    { id: "grows", claim: "value exceeds 1", paper: "-", measured: String(value),
      verdict: value > 1 ? "holds" : "does not hold" },
    { id: "interval", claim: "value near 1", paper: "-", measured: value + " ± 1",
      verdict: "inconclusive", criterion: "straddles 1",
      estimate: { value, lower: value - 1, upper: value + 1, level: 0.95, method: "test", n: 10 } },
  ] } });`;

async function startedOf(dir: string, id: string): Promise<string | undefined> {
  const text = await Deno.readTextFile(join(dir, `${id}.ipynb`));
  return runnerOf(parseNotebook(text))?.started;
}

Deno.test("sweep, local: a notebook over three seeds and one parameter; page, sweep.json, reports index; a rerun runs nothing", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lenses-sweep-local-" });
  try {
    const nb = await writeNotebook(tmp, "tiny", [
      code("let width = 1;", { tags: ["parameters"] }),
      code(CLAIMS_CELL),
    ]);
    const dir = join(tmp, "reports", "sweeps", "tiny");
    const lines: string[] = [];
    const options = {
      notebooks: [nb],
      seeds: [0, 1, 2],
      grid: { width: [1, 2] },
      scale: "smoke",
      timeoutS: 120,
      outDir: dir,
      executor: "local" as const,
      jobs: 2,
      write: (line: string) => lines.push(line),
    };
    const summary = await runSweep(options);
    assert.ok(summary.ok, JSON.stringify(summary.points.map((p) => [p.id, p.status, p.error])));
    assert.deepEqual(summary.counts, { points: 6, complete: 6, failed: 0, ran: 6 });
    assert.ok(lines.some((l) => l.includes("6/6 points done")), lines.join("\n"));
    for (const p of summary.points) {
      await Deno.stat(join(dir, `${p.id}.ipynb`));
      await Deno.stat(join(dir, `${p.id}.html`));
    }
    const [w1, w2] = summary.groups;
    assert.equal(w2.label, "width=2");
    const grows = w2.claims.find((c) => c.id === "grows");
    assert.deepEqual(grows?.values, [0, 2, 4]);
    assert.deepEqual(grows?.verdicts, ["does not hold", "holds", "holds"]);
    assert.equal(grows?.value?.mean, 2);
    assert.match(w1.claims.find((c) => c.id === "interval")?.pooled?.method ?? "", /DerSimonian/);
    assert.equal(summary.charts.length, 2, "one chart per claim against width");

    const written: SweepSummary = JSON.parse(await Deno.readTextFile(join(dir, "sweep.json")));
    assert.deepEqual(written, JSON.parse(JSON.stringify(summary)));
    const page = await Deno.readTextFile(join(dir, "index.html"));
    assert.match(page, /holds 2 \/ inconclusive 0 \/ does not hold 1 of 3/);
    assert.match(page, /criterion: straddles 1/);
    assert.match(page, /href="tiny\/width-2_seed-1\.html"/);
    assert.match(page, /data-plotly-for="sweep-figure-1"/);

    await refreshReportsIndex(join(tmp, "reports"));
    const index = await Deno.readTextFile(join(tmp, "reports", "index.html"));
    assert.match(index, /<a href="sweeps\/tiny\/index\.html">tiny<\/a>/);
    assert.match(index, /6 \/ 6/);

    const before = await startedOf(dir, "tiny/width-1_seed-0");
    lines.length = 0;
    const again = await runSweep(options);
    assert.ok(again.ok);
    assert.equal(again.counts.ran, 0);
    assert.match(lines[0], /6 points, 6 already complete, 0 to run/);
    assert.equal(await startedOf(dir, "tiny/width-1_seed-0"), before);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("sweep, local: a point killed mid-run is reported, leaves no result, and the rerun runs only it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lenses-sweep-kill-" });
  try {
    const pidFile = join(tmp, "worker.pid");
    const go = join(tmp, "go");
    const nb = await writeNotebook(tmp, "hang", [
      code("let width = 1;", { tags: ["parameters"] }),
      // Seed 1 hangs until "go" exists, after telling the test its worker's pid (the kernel's
      // parent process).
      code(
        `if (Deno.env.get("LENSES_SEED") === "1" && !(await Deno.stat(${
          JSON.stringify(go)
        }).catch(() => null))) {
  await Deno.writeTextFile(${JSON.stringify(pidFile)}, String(Deno.ppid));
  await new Promise((resolve) => setTimeout(resolve, 300_000));
}`,
      ),
      code(CLAIMS_CELL),
    ]);
    const dir = join(tmp, "sweep");
    const lines: string[] = [];
    const options = {
      notebooks: [nb],
      seeds: [0, 1, 2],
      scale: "smoke",
      timeoutS: 600,
      outDir: dir,
      executor: "local" as const,
      jobs: 3,
      write: (line: string) => lines.push(line),
    };
    const running = runSweep(options);
    const pid = await waitFor(
      () => Deno.readTextFile(pidFile).then(Number).catch(() => undefined),
      60_000,
    );
    assert.ok(pid, "seed 1 never started");
    Deno.kill(pid, "SIGTERM");
    const first = await running;
    assert.equal(first.ok, false);
    const killed = first.points.find((p) => p.seed === 1);
    assert.equal(killed?.status, "missing");
    assert.match(killed?.error ?? "", /worker exit status 143/);
    assert.deepEqual(first.points.map((p) => p.status), ["ok", "missing", "ok"]);
    assert.deepEqual(first.groups[0].claims[0].verdicts, ["does not hold", "failed", "holds"]);
    // Nothing half-written: no notebook, page or temporary file for the killed point.
    const files = (await Array.fromAsync(Deno.readDir(join(dir, "hang")))).map((e) => e.name);
    assert.deepEqual(files.filter((f) => f.includes("seed-1")), []);
    assert.deepEqual(files.filter((f) => f.includes(".tmp-")), []);

    const started = await Promise.all(
      ["hang/seed-0", "hang/seed-2"].map((id) => startedOf(dir, id)),
    );
    await Deno.writeTextFile(go, "");
    lines.length = 0;
    const second = await runSweep(options);
    assert.ok(second.ok, JSON.stringify(second.points.map((p) => [p.id, p.status, p.error])));
    assert.match(lines[0], /3 points, 2 already complete, 1 to run/);
    assert.equal(second.counts.ran, 1);
    assert.deepEqual(
      await Promise.all(["hang/seed-0", "hang/seed-2"].map((id) => startedOf(dir, id))),
      started,
    );
    assert.deepEqual(second.groups[0].claims[0].verdicts, [
      "does not hold",
      "does not hold",
      "holds",
    ]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("sweep, local: two points training the same configuration at once both finish", async () => {
  // Inside the checkout (in the git-ignored .lenses/), so the kernel finds deno.json's imports.
  const scratch = join(import.meta.dirname!, "../../../.lenses");
  await Deno.mkdir(scratch, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: scratch, prefix: "sweep-cache-test-" });
  const cache = join(tmp, "cache");
  const previous = Deno.env.get("LENSES_CACHE");
  Deno.env.set("LENSES_CACHE", cache);
  try {
    const lib = pathToFileURL(join(import.meta.dirname!, "../../../lib/mod.ts")).href;
    // Both seeds train the same configuration (the seed is not part of it); training waits long
    // enough that both are inside it before either saves.
    const nb = await writeNotebook(tmp, "race", [
      code(`import { mlp, startNotebook, trainOrLoad } from ${JSON.stringify(lib)};
const run = await startNotebook({ id: "race" });
const trained = await trainOrLoad({
  name: "sweep-race",
  config: { widths: [3] },
  build: () => mlp({ seed: 0, inputShape: [4], widths: [3], numClasses: 2 }),
  train: async () => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return { steps: 1 };
  },
});
await Deno.jupyter.broadcast("display_data", { data: { "text/plain": "claims" }, metadata: {
  "lenses.claims": [{ id: "trained", claim: "model available", paper: "-",
    measured: String(trained.metrics.steps), verdict: "holds" }] } });`),
    ]);
    const summary = await runSweep({
      notebooks: [nb],
      seeds: [0, 1],
      scale: "smoke",
      timeoutS: 300,
      outDir: join(tmp, "sweep"),
      executor: "local",
      jobs: 2,
    });
    assert.ok(summary.ok, JSON.stringify(summary.points.map((p) => [p.id, p.status, p.error])));
    assert.equal(summary.groups[0].claims[0].value?.mean, 1);
    const models = (await Array.fromAsync(Deno.readDir(join(cache, "models"))))
      .filter((e) => e.name.startsWith("sweep-race-"));
    assert.equal(models.length, 1, models.map((e) => e.name).join(", "));
    await Deno.stat(join(cache, "models", models[0].name, "model.json"));
  } finally {
    if (previous === undefined) Deno.env.delete("LENSES_CACHE");
    else Deno.env.set("LENSES_CACHE", previous);
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("sweep, local: Ctrl-C on the sweep stops its workers and leaves no result for the point it stopped", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lenses-sweep-sigint-" });
  try {
    const pidFile = join(tmp, "worker.pid");
    const nb = await writeNotebook(tmp, "stuck", [
      code(`await Deno.writeTextFile(${JSON.stringify(pidFile)}, Deno.ppid + " " + Deno.pid);
await new Promise((resolve) => setTimeout(resolve, 300_000));`),
    ]);
    const repo = join(import.meta.dirname!, "../../..");
    const dir = join(tmp, "sweep");
    const sweep = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        join(repo, "deno.json"),
        join(repo, "kernel", "cli.ts"),
        "sweep",
        nb,
        "--seeds",
        "0",
        "-o",
        dir,
        "--quiet",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const pids = await waitFor(
      () => Deno.readTextFile(pidFile).then((t) => t.split(" ").map(Number)).catch(() => undefined),
      60_000,
    );
    assert.ok(pids, "the point never started");
    sweep.kill("SIGINT");
    assert.equal((await sweep.status).code, 130);
    const alive = (pid: number) => {
      try {
        Deno.kill(pid, "SIGCONT");
        return true;
      } catch {
        return false;
      }
    };
    // The worker (the kernel's parent) and the kernel itself are both gone.
    await waitFor(() => Promise.resolve(pids.some(alive) ? undefined : true), 10_000);
    assert.deepEqual(pids.filter(alive), [], "a worker or kernel outlived the sweep");
    const files = await Array.fromAsync(Deno.readDir(join(dir, "stuck"))).catch(() => []);
    assert.deepEqual(files.map((e) => e.name), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("sweep, local: a parameter converted to its default's type still completes; a rerun runs nothing", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lenses-sweep-convert-" });
  try {
    // `tag` defaults to a string, so --param tag=1 reaches the notebook as "1".
    const nb = await writeNotebook(tmp, "typed", [
      code('let tag = "a";', { tags: ["parameters"] }),
      code("console.log(typeof tag, tag);"),
    ]);
    const options = {
      notebooks: [nb],
      seeds: [0],
      grid: { tag: [1] },
      scale: "smoke",
      timeoutS: 120,
      outDir: join(tmp, "sweep"),
      executor: "local" as const,
      jobs: 1,
    };
    const first = await runSweep(options);
    assert.deepEqual(first.counts, { points: 1, complete: 1, failed: 0, ran: 1 });
    assert.deepEqual(first.points[0].params, { tag: "1" });
    const again = await runSweep(options);
    assert.deepEqual(again.counts, { points: 1, complete: 1, failed: 0, ran: 0 });
    await assert.rejects(
      runSweep({ ...options, grid: { tagg: [1] } }),
      /--param tagg: the notebook has no parameter "tagg"/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
