import assert from "node:assert/strict";
import { main } from "../../../kernel/cli.ts";

/** Runs the CLI with stderr captured. */
async function cli(args: string[]): Promise<{ status: number; err: string }> {
  const lines: string[] = [];
  const write = Deno.stderr.writeSync;
  Deno.stderr.writeSync = (bytes: Uint8Array) => {
    lines.push(new TextDecoder().decode(bytes));
    return bytes.length;
  };
  try {
    return { status: await main(args), err: lines.join("") };
  } finally {
    Deno.stderr.writeSync = write;
  }
}

Deno.test("sweep CLI: bad usage is one line and exit status 2, before anything runs", async () => {
  const cases: [string[], RegExp][] = [
    [["sweep"], /sweep: name a notebook/],
    [["sweep", "a.ipynb", "--executor", "cloud"], /--executor cloud: use local or slurm/],
    [["sweep", "a.ipynb", "--seeds", "a-b"], /"a-b" is not an integer or a range/],
    [["sweep", "a.ipynb", "--param", "w=1,,2"], /an empty value/],
    [["sweep", "a.ipynb", "--jobs", "0"], /--jobs 0: expected a positive integer/],
    [["sweep", "a.ipynb", "--scale", "huge"], /--scale/],
    [["sweep", "a.ipynb", "--only", "a/seed-9", "--seeds", "0"], /--only a\/seed-9: no such point/],
    [["sweep", "no/such.ipynb", "--seeds", "0"], /no\/such\.ipynb: no such notebook/],
  ];
  for (const [args, message] of cases) {
    const { status, err } = await cli(args);
    assert.equal(status, 2, `${args.join(" ")}: ${err}`);
    assert.match(err, message);
  }
});
