import assert from "node:assert/strict";
import {
  type ClaimCheck,
  Claims,
  CLAIMS_METADATA_KEY,
  countSanityChecks,
  measuredWithCriterion,
  NOTEBOOK_METADATA_KEY,
  readClaimRecord,
  sanitySummary,
} from "../../lib/display/mod.ts";
import {
  atLeast,
  atMost,
  compareVariants,
  exact,
  greaterThan,
  pairedBootstrap,
  proportion,
} from "../../lib/stats/mod.ts";
import { captureLog, withFakeKernel } from "./helpers.ts";

/** Three claims judged at quick scale, whatever LENSES_SCALE the suite runs with. */
function sample(): Claims {
  return withScale("quick", judgedSample);
}

function judgedSample(): Claims {
  const claims = new Claims("non-robust-features");
  claims.check({
    id: "transfer",
    claim: "Mislabelled adversarial examples teach the true labels",
    paper: "CIFAR-10: 63.3%",
    measured: 0.4216,
    holds: 0.4216 > 0.5,
    format: (v) => `${(Number(v) * 100).toFixed(1)}%`,
  });
  claims.check({
    id: "gap",
    claim: "Robust training costs accuracy",
    paper: "95.3% vs 87.0%",
    measured: 0.081,
    holds: true,
  });
  claims.check({
    id: "full-only",
    claim: "Holds on ImageNet",
    paper: "ImageNet",
    measured: undefined,
    holds: undefined,
  });
  return claims;
}

Deno.test("Claims.check computes verdicts and stores them under lenses.claims", () => {
  const { metadata } = sample().output();
  assert.deepEqual(metadata[CLAIMS_METADATA_KEY], [
    {
      id: "transfer",
      claim: "Mislabelled adversarial examples teach the true labels",
      paper: "CIFAR-10: 63.3%",
      measured: "42.2%",
      verdict: "does not hold",
    },
    {
      id: "gap",
      claim: "Robust training costs accuracy",
      paper: "95.3% vs 87.0%",
      measured: "0.08100",
      verdict: "holds",
    },
    {
      id: "full-only",
      claim: "Holds on ImageNet",
      paper: "ImageNet",
      measured: "not run at this scale",
      verdict: "not run",
    },
  ]);
  assert.equal(metadata[NOTEBOOK_METADATA_KEY], "non-robust-features");
  // The metadata must survive the JSON a notebook file stores it as.
  assert.deepEqual(JSON.parse(JSON.stringify(metadata)), metadata);
});

Deno.test("Claims renders a summary, a text table and coloured verdicts in HTML", () => {
  const claims = sample();
  assert.deepEqual(claims.summary(), {
    "holds": 1,
    "does not hold": 1,
    "inconclusive": 0,
    "not run": 1,
  });
  const { data } = claims.output();
  const text = data["text/plain"] as string;
  assert.equal(
    text.split("\n")[0],
    "Claims (non-robust-features): 1 holds, 1 does not hold, 0 inconclusive, 1 not run",
  );
  assert.match(
    text,
    /Robust training costs accuracy\s+95\.3% vs 87\.0%\s+0\.08100\s+holds/,
  );
  const html = data["text/html"] as string;
  assert.match(html, /color:#cf222e;font-weight:600">does not hold<\/td>/);
  assert.match(html, /color:#1a7f37;font-weight:600">holds<\/td>/);
});

Deno.test("Claims escapes claim text in HTML", () => {
  const claims = new Claims("nb");
  claims.record({
    id: "x",
    claim: "a <b> & c",
    paper: "p",
    measured: "m",
    verdict: "holds",
  });
  const html = claims.output().data["text/html"] as string;
  assert.match(html, /a &lt;b&gt; &amp; c/);
  assert.ok(!html.includes("<b>"));
});

Deno.test("recording an id again replaces the claim in place", () => {
  const claims = sample();
  withScale("quick", () =>
    claims.check({
      id: "transfer",
      claim: "again",
      paper: "p",
      measured: 0.7,
      holds: true,
    }));
  assert.deepEqual(claims.records.map((r) => [r.id, r.verdict]), [
    ["transfer", "holds"],
    ["gap", "holds"],
    ["full-only", "not run"],
  ]);
});

Deno.test("Claims rejects bad input with errors naming the fix", () => {
  assert.throws(() => new Claims(""), /pass the notebook id/);
  const claims = new Claims("nb");
  assert.throws(
    () =>
      claims.record({
        id: "x",
        claim: "c",
        paper: "p",
        measured: "m",
        verdict: "maybe" as "holds",
      }),
    /verdict "maybe"; use one of "holds", "does not hold", "inconclusive", "not run"/,
  );
  assert.throws(
    () =>
      claims.check({
        id: "x",
        claim: "",
        paper: "p",
        measured: 1,
        holds: true,
      }),
    /claim "x" needs a non-empty string claim/,
  );
  assert.throws(
    () =>
      claims.check({
        id: "x",
        claim: "c",
        paper: "p",
        measured: undefined,
        holds: false,
      }),
    /has a verdict but no measured value/,
  );
  assert.throws(
    () =>
      claims.check({
        id: "x",
        claim: "c",
        paper: "p",
        measured: 1,
        holds: 1 as unknown as boolean,
      }),
    /holds to be true, false or undefined/,
  );
});

Deno.test("an empty claims table says no claims were recorded", () => {
  const out = new Claims("nb").output();
  assert.match(out.data["text/plain"] as string, /\(no claims recorded\)/);
  assert.deepEqual(out.metadata[CLAIMS_METADATA_KEY], []);
});

Deno.test("Claims.show sends the table with its metadata to the kernel", async () => {
  const claims = sample();
  const sent = await withFakeKernel(async (sent) => {
    await claims.show();
    return sent;
  });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].type, "display_data");
  assert.deepEqual(sent[0].content.metadata, claims.output().metadata);
  assert.deepEqual(sent[0].content.data, claims.output().data);
});

Deno.test("Claims.show outside a kernel prints the text table", async () => {
  const claims = sample();
  const printed = await captureLog(() => claims.show());
  assert.deepEqual(printed, [claims.output().data["text/plain"]]);
});

Deno.test("Claims: below a claim's smallest scale the value shows but the verdict is not run", () => {
  const old = Deno.env.get("LENSES_SCALE");
  Deno.env.set("LENSES_SCALE", "smoke");
  try {
    const claims = new Claims("scales");
    const smoke = claims.check({
      id: "a",
      claim: "c",
      paper: "p",
      measured: 0.5,
      holds: false,
    });
    assert.equal(smoke.verdict, "not run");
    assert.match(
      smoke.measured,
      /^0\.5000 \(smoke scale: too small to judge\)$/,
    );
    const judged = claims.check({
      id: "b",
      claim: "c",
      paper: "p",
      measured: 1,
      holds: true,
      minScale: "smoke",
    });
    assert.equal(judged.verdict, "holds");
    Deno.env.set("LENSES_SCALE", "quick");
    assert.equal(
      claims.check({
        id: "a",
        claim: "c",
        paper: "p",
        measured: 0.5,
        holds: false,
      }).verdict,
      "does not hold",
    );
    const strict = new Claims("full-only", { minScale: "full" });
    assert.equal(
      strict.check({
        id: "a",
        claim: "c",
        paper: "p",
        measured: 1,
        holds: true,
      }).verdict,
      "not run",
    );
  } finally {
    if (old === undefined) Deno.env.delete("LENSES_SCALE");
    else Deno.env.set("LENSES_SCALE", old);
  }
});

function withScale<T>(scale: string | undefined, fn: () => T): T {
  const old = Deno.env.get("LENSES_SCALE");
  if (scale === undefined) Deno.env.delete("LENSES_SCALE");
  else Deno.env.set("LENSES_SCALE", scale);
  try {
    return fn();
  } finally {
    if (old === undefined) Deno.env.delete("LENSES_SCALE");
    else Deno.env.set("LENSES_SCALE", old);
  }
}

const TEXT = { claim: "D_det generalises", paper: "CIFAR-10: 63.3%" };

Deno.test("Claims.check with a criterion: the verdict comes from the interval", () => {
  withScale("quick", () => {
    const claims = new Claims("nb");
    const holds = claims.check({
      id: "holds",
      ...TEXT,
      criterion: atLeast(0.3),
      estimate: proportion(340, 1000),
      format: "percent",
    });
    assert.deepEqual(holds, {
      id: "holds",
      ...TEXT,
      criterion: "≥ 30%",
      measured: "34.0% [31.1, 37.0]",
      estimate: proportion(340, 1000),
      interval: "95% Clopper–Pearson, n = 1000",
      verdict: "holds",
    });
    assert.equal(measuredWithCriterion(holds), "34.0% [31.1, 37.0], needs ≥ 30%");
    const no = claims.check({
      id: "no",
      ...TEXT,
      criterion: atLeast(0.3),
      estimate: proportion(234, 1000),
      format: "percent",
    });
    assert.equal(no.verdict, "does not hold");
    const straddles = claims.check({
      id: "straddles",
      ...TEXT,
      criterion: atLeast(0.3),
      estimate: proportion(34, 100),
      format: "percent",
    });
    assert.equal(straddles.verdict, "inconclusive");
    assert.equal(straddles.measured, "34.0% [24.8, 44.2]");
    const missing = claims.check({
      id: "missing",
      ...TEXT,
      criterion: atLeast(0.3),
      estimate: undefined,
    });
    assert.deepEqual(missing, {
      id: "missing",
      ...TEXT,
      criterion: "≥ 0.3",
      measured: "not run at this scale",
      verdict: "not run",
    });
    assert.deepEqual(claims.summary(), {
      "holds": 1,
      "does not hold": 1,
      "inconclusive": 1,
      "not run": 1,
    });
    const { data, metadata } = claims.output();
    const text = data["text/plain"] as string;
    assert.equal(
      text.split("\n")[0],
      "Claims (nb): 1 holds, 1 does not hold, 1 inconclusive, 1 not run",
    );
    assert.match(text, /claim\s+paper\s+needs\s+this run\s+interval\s+verdict/);
    assert.match(
      text,
      /≥ 30%\s+34\.0% \[24\.8, 44\.2\]\s+95% Clopper–Pearson, n = 100\s+inconclusive/,
    );
    assert.match(data["text/html"] as string, /color:#9a6700;font-weight:600">inconclusive<\/td>/);
    assert.deepEqual(JSON.parse(JSON.stringify(metadata)), metadata);
  });
});

Deno.test("Claims.check with a criterion: below the claim's scale the interval shows, not run", () => {
  withScale("smoke", () => {
    const claims = new Claims("nb");
    const r = claims.check({
      id: "a",
      ...TEXT,
      criterion: greaterThan(0),
      estimate: pairedBootstrap([3, 4, 5, 6], [1, 2, 3, 4], { seed: 0 }),
    });
    assert.equal(r.verdict, "not run");
    assert.equal(r.measured, "2 (smoke scale: too small to judge)");
    assert.equal(
      claims.check({
        id: "b",
        ...TEXT,
        criterion: greaterThan(0),
        estimate: pairedBootstrap([3, 4, 5, 7], [1, 2, 3, 4], { seed: 0 }),
        minScale: "smoke",
      }).verdict,
      "holds",
    );
  });
});

Deno.test("sanity checks are shown after the claims and counted apart", () => {
  withScale("smoke", () => {
    const claims = new Claims("subitization");
    claims.check({
      id: "relu-d2",
      claim: "A ReLU network's second derivative is exactly zero",
      paper: "thesis §3",
      criterion: atMost(0),
      estimate: exact(0, 784),
      sanity: true,
    });
    claims.check({
      id: "count",
      claim: "Counts are learned",
      paper: "99%",
      measured: 0.9,
      holds: true,
      minScale: "smoke",
    });
    assert.deepEqual(claims.summary(), {
      "holds": 1,
      "does not hold": 0,
      "inconclusive": 0,
      "not run": 0,
    });
    const records = claims.records;
    assert.deepEqual(countSanityChecks(records).holds, 1);
    assert.equal(sanitySummary(records), "sanity checks: 1 of 1 hold");
    const text = claims.output().data["text/plain"] as string;
    const lines = text.split("\n");
    assert.equal(
      lines[0],
      "Claims (subitization): 1 holds, 0 do not hold, 0 inconclusive, 0 not run; " +
        "sanity checks: 1 of 1 hold",
    );
    assert.match(
      lines.at(-1)!,
      /^sanity check: A ReLU network's second derivative.*≤ 0\s+0\s+exact, n = 784\s+holds$/,
    );
    assert.equal(records[0].sanity, true);
    assert.equal(records[1].sanity, undefined);
  });
});

Deno.test("a best-of-several estimate says so in the interval column", () => {
  withScale("quick", () => {
    const base = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const cmp = compareVariants(base, {
      a: base.map((v) => v + 0.01),
      b: base.map((v, i) => v + 0.1 + 0.01 * (i % 2)),
    }, { seed: 0 });
    const r = new Claims("nb").check({
      id: "fixes",
      claim: "The best fix improves box IoU",
      paper: "thesis",
      criterion: greaterThan(0),
      estimate: cmp.best.estimate,
    });
    assert.equal(r.verdict, "holds");
    assert.equal(
      r.interval,
      '97.5% paired bootstrap (2000 resamples, seed 0), n = 6; best of 2 variants ("b"), ' +
        "Holm-corrected",
    );
    assert.deepEqual(r.estimate?.correction, { method: "holm", family: 2, picked: "b" });
  });
});

Deno.test("Claims.check with a criterion rejects bad input naming the fix", () => {
  const claims = new Claims("nb");
  assert.throws(
    () =>
      claims.check({
        id: "x",
        ...TEXT,
        criterion: undefined as unknown as ReturnType<typeof atLeast>,
        estimate: proportion(1, 2),
      }),
    /needs a criterion fixed before the run, e\.g\. criterion: atLeast\(0\.3\)/,
  );
  assert.throws(
    () =>
      claims.check({
        id: "x",
        ...TEXT,
        criterion: atLeast(0.3),
        estimate: proportion(1, 2),
        holds: true,
      } as unknown as ClaimCheck),
    /passes both holds and a criterion\/estimate/,
  );
  assert.throws(
    () =>
      claims.check({
        id: "x",
        ...TEXT,
        criterion: atLeast(0.3),
        estimate: { value: 0.5, lower: 0.6, upper: 0.7, level: 0.95, method: "m", n: 2 },
      }),
    /claim "x": estimate must satisfy lower ≤ value ≤ upper/,
  );
  assert.throws(
    () =>
      claims.check({
        id: "x",
        ...TEXT,
        criterion: atLeast(0.3),
        estimate: proportion(1, 2),
        format: "permille" as "percent",
      }),
    /format must be "percent", "number" or a function/,
  );
});

Deno.test("readClaimRecord reads old records, new records, and drops malformed parts", () => {
  const old = { id: "a", claim: "c", paper: "p", measured: "42.2%", verdict: "does not hold" };
  assert.deepEqual(readClaimRecord(old, "1"), old);
  const fresh = {
    ...old,
    verdict: "inconclusive",
    criterion: "≥ 30%",
    estimate: proportion(34, 100),
    interval: "95% Clopper–Pearson, n = 100",
    sanity: true,
  };
  assert.deepEqual(readClaimRecord(JSON.parse(JSON.stringify(fresh)), "1"), fresh);
  assert.deepEqual(readClaimRecord({ ...old, estimate: { value: "x" }, verdict: "maybe" }, "1"), {
    ...old,
    verdict: "not run",
  });
  assert.deepEqual(readClaimRecord({ claim: "c" }, "7"), {
    id: "7",
    claim: "c",
    paper: "",
    measured: "",
    verdict: "not run",
  });
  assert.equal(readClaimRecord(null, "1"), undefined);
});

Deno.test("the legacy form keeps its table: no needs or interval columns", () => {
  const text = sample().output().data["text/plain"] as string;
  assert.doesNotMatch(text, /needs|interval/);
  assert.match(text, /claim\s+paper\s+this run\s+verdict/);
});

Deno.test("declare states the criterion before the run; measure fills the estimate", () => {
  withScale("quick", () => {
    const claims = new Claims("nb");
    const before = claims.declare({
      id: "d",
      ...TEXT,
      criterion: atLeast(0.3),
      format: "percent",
    });
    assert.deepEqual(before, {
      id: "d",
      ...TEXT,
      criterion: "≥ 30%",
      measured: "not measured yet",
      verdict: "not run",
    });
    const after = claims.measure("d", proportion(340, 1000));
    assert.equal(after.measured, "34.0% [31.1, 37.0]");
    assert.equal(after.verdict, "holds");
    assert.equal(claims.records.length, 1);
    assert.equal(claims.measure("d", undefined).verdict, "not run");
    // check() of a declared id must keep the declared criterion.
    assert.throws(
      () =>
        claims.check({
          id: "d",
          ...TEXT,
          criterion: atLeast(0.25),
          estimate: proportion(280, 1000),
          format: "percent",
        }),
      /declared with criterion ≥ 30% before the run, but check\(\) passes ≥ 25%/,
    );
    assert.equal(
      claims.check({
        id: "d",
        ...TEXT,
        criterion: atLeast(0.3),
        estimate: proportion(250, 1000),
        format: "percent",
      }).verdict,
      "does not hold",
    );
    // Declaring again restates the claim (a re-run cell).
    claims.declare({ id: "d", ...TEXT, criterion: atLeast(0.25), format: "percent" });
    assert.equal(claims.measure("d", proportion(280, 1000)).verdict, "holds");
    assert.throws(() => claims.measure("nope", proportion(1, 2)), /claim "nope" was not declared/);
  });
});

Deno.test("a format function gets numbers in the estimate form and values in the legacy form", () => {
  withScale("quick", () => {
    const claims = new Claims("nb");
    // Both calls type-check without annotations: check() is overloaded per form.
    const r = claims.check({
      id: "a",
      ...TEXT,
      criterion: atLeast(0.3),
      estimate: proportion(340, 1000),
      format: (v) => v.toFixed(2),
    });
    assert.equal(r.measured, "0.34 [0.31, 0.37]");
    assert.equal(r.criterion, "≥ 0.30");
    const legacy = claims.check({
      id: "b",
      ...TEXT,
      measured: "n/a",
      holds: true,
      format: (v) => `<${v}>`,
    });
    assert.equal(legacy.measured, "<n/a>");
  });
});
