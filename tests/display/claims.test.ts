import assert from "node:assert/strict";
import { Claims, CLAIMS_METADATA_KEY, NOTEBOOK_METADATA_KEY } from "../../lib/display/mod.ts";
import { captureLog, withFakeKernel, withScale } from "./helpers.ts";

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
    "not run": 1,
  });
  const { data } = claims.output();
  const text = data["text/plain"] as string;
  assert.equal(
    text.split("\n")[0],
    "Claims (non-robust-features): 1 holds, 1 does not hold, 1 not run",
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
    })
  );
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
    /verdict "maybe"; use one of "holds", "does not hold", "not run"/,
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
  withScale("smoke", () => {
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
    assert.equal(
      withScale("quick", () =>
        claims.check({
          id: "a",
          claim: "c",
          paper: "p",
          measured: 0.5,
          holds: false,
        }).verdict),
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
  });
});
