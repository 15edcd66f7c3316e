import assert from "node:assert/strict";
import { join } from "node:path";
import { countVerdicts } from "../../lib/display/claims.ts";
import { buildReport, type ReportSummary } from "../../kernel/report.ts";
import { code, md, writeNotebook } from "./helpers.ts";

const CLAIMS = [
  {
    id: "c1",
    claim: "robust features transfer",
    paper: "≥ 60 %",
    measured: "71 %",
    verdict: "holds",
  },
  {
    id: "c2",
    claim: "gap closes",
    paper: "< 5 %",
    measured: "12 %",
    verdict: "does not hold",
  },
  {
    id: "c3",
    claim: "full scale only",
    paper: "94 %",
    measured: "—",
    verdict: "not run",
  },
  {
    id: "c4",
    claim: "D_det generalises",
    paper: "63.3%",
    measured: "34.0% [24.8, 44.2]",
    verdict: "inconclusive",
    criterion: "≥ 30%",
    estimate: {
      value: 0.34,
      lower: 0.24822350154484418,
      upper: 0.4415332677509589,
      level: 0.95,
      method: "Clopper–Pearson",
      n: 100,
    },
    interval: "95% Clopper–Pearson, n = 100",
  },
  {
    id: "c5",
    claim: "ReLU second derivative is zero",
    paper: "thesis",
    measured: "0",
    verdict: "holds",
    criterion: "≤ 0",
    sanity: true,
  },
];

Deno.test("report: index and summary.json gather status, duration, claims and errors; a failed notebook still gets its page", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-report-test-" });
  try {
    const good = await writeNotebook(dir, "good", [
      md("# Good notebook"),
      code(
        `await Deno.jupyter.broadcast("display_data", { data: { "text/html": "<table><tr><td>claims</td></tr></table>", "text/plain": "claims" }, metadata: { "lenses.claims": ${
          JSON.stringify(CLAIMS)
        }, "lenses.run": { backend: "cpu", scale: Deno.env.get("LENSES_SCALE") } } });`,
      ),
      code(
        'Deno.jupyter.display({ "text/html": "<script>window.ranByReport = 1</script>", "text/plain": "s" }, { raw: true });',
      ),
    ]);
    const bad = await writeNotebook(dir, "bad", [
      md("# Bad"),
      code('throw new RangeError("out of <range>")'),
    ]);
    const broken = join(dir, "broken.ipynb");
    await Deno.writeTextFile(broken, "not json");
    const out = join(dir, "reports");
    const summary = await buildReport({
      notebooks: [good, bad, broken],
      scale: "smoke",
      outDir: out,
      timeoutS: 60,
    });

    const written: ReportSummary = JSON.parse(
      await Deno.readTextFile(join(out, "summary.json")),
    );
    assert.deepEqual(written, summary);
    assert.equal(written.ok, false);
    assert.equal(written.scale, "smoke");
    const [g, b, x] = written.notebooks;
    assert.equal(g.status, "ok");
    assert.deepEqual(g.claims.counts, {
      holds: 1,
      "does not hold": 1,
      inconclusive: 1,
      "not run": 1,
    });
    assert.deepEqual(g.claims.sanity, {
      holds: 1,
      "does not hold": 0,
      inconclusive: 0,
      "not run": 0,
    });
    assert.deepEqual(g.claims.list, CLAIMS);
    assert.equal(g.error, null);
    assert.ok(g.duration_s > 0);
    assert.equal(b.status, "error");
    assert.deepEqual(b.error, {
      cell: 2,
      ename: "RangeError",
      evalue: "out of <range>",
    });
    assert.equal(x.status, "invalid");
    assert.equal(x.notebook, null);
    assert.match(x.error?.evalue ?? "", /broken\.ipynb is not valid JSON/);

    for (const name of ["good", "bad", "broken"]) {
      const html = await Deno.readTextFile(join(out, `${name}.html`));
      assert.ok(html.startsWith("<!DOCTYPE html>"), name);
    }
    const badHtml = await Deno.readTextFile(join(out, "bad.html"));
    assert.ok(badHtml.includes("This run failed (error)"));
    assert.ok(badHtml.includes("RangeError: out of &lt;range&gt;"));
    const goodHtml = await Deno.readTextFile(join(out, "good.html"));
    assert.ok(
      goodHtml.includes("<th>scale</th><td>smoke</td>"),
      "lenses.run reaches the footer",
    );
    assert.ok(
      goodHtml.includes("<script>window.ranByReport = 1</script>"),
      "the report ran its notebooks: their HTML outputs are trusted",
    );

    const index = await Deno.readTextFile(join(out, "index.html"));
    assert.ok(index.includes('<a href="good.html">good</a>'));
    assert.ok(index.includes('<span class="status failed">error</span>'));
    assert.ok(index.includes("cell 2: RangeError: out of &lt;range&gt;"));
    assert.ok(index.includes("<strong>2 failed</strong>"));
    assert.ok(
      index.includes('<td class="verdict-does-not-hold">does not hold</td>'),
    );
    assert.ok(index.includes('<span class="verdict-inconclusive">1 inconclusive</span>'));
    assert.ok(index.includes('<span class="sanity">sanity checks: 1 of 1 hold</span>'));
    assert.ok(
      index.includes(
        '<td title="95% Clopper–Pearson, n = 100">34.0% [24.8, 44.2], needs ≥ 30%</td>' +
          '<td class="verdict-inconclusive">inconclusive</td>',
      ),
    );
    assert.ok(index.includes('<span class="sanity">sanity check:</span> ReLU second'));
    assert.ok(
      index.includes("<td>71 %</td>"),
      "an old record without a criterion renders as it was",
    );
    assert.ok(!index.includes("<range>"), "error text is escaped");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report: zero notebooks writes an index that says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-report-test-" });
  try {
    const summary = await buildReport({
      notebooks: [],
      scale: "quick",
      outDir: dir,
    });
    assert.deepEqual(summary.notebooks, []);
    assert.equal(summary.ok, true);
    const index = await Deno.readTextFile(join(dir, "index.html"));
    assert.ok(index.includes("No notebooks were found"));
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(join(dir, "summary.json"))).notebooks,
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report: verdict counts include every verdict, zero when absent, sanity apart", () => {
  const holds = {
    id: "a",
    claim: "",
    paper: "",
    measured: "",
    verdict: "holds" as const,
  };
  assert.deepEqual(countVerdicts([holds, { ...holds, id: "b" }, { ...holds, sanity: true }]), {
    holds: 2,
    "does not hold": 0,
    inconclusive: 0,
    "not run": 0,
  });
});
