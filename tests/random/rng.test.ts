import assert from "node:assert/strict";
import { Rng } from "../../lib/random/rng.ts";

Deno.test("Rng: the same seed gives the same stream, another seed another", () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const xs = Array.from({ length: 20 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 20 }, () => b.nextUint32()), xs);
  assert.notDeepEqual(Array.from({ length: 20 }, () => c.nextUint32()), xs);
});

Deno.test("Rng: seeds beyond 32 bits still differ", () => {
  assert.notEqual(new Rng(1).uniform(), new Rng(2 ** 32 + 1).uniform());
});

Deno.test("Rng: uniform, int and normal have the right ranges and moments", () => {
  const rng = new Rng(123);
  const n = 20000;
  let sum = 0;
  let sumN = 0;
  let sumN2 = 0;
  const counts = new Array(7).fill(0);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    counts[rng.int(7)]++;
    const z = rng.normal();
    sumN += z;
    sumN2 += z * z;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01, `uniform mean ${sum / n}`);
  for (const c of counts) {
    assert.ok(Math.abs(c / n - 1 / 7) < 0.01, `int bucket ${c / n}`);
  }
  assert.ok(Math.abs(sumN / n) < 0.03, `normal mean ${sumN / n}`);
  assert.ok(Math.abs(sumN2 / n - 1) < 0.04, `normal variance ${sumN2 / n}`);
});

Deno.test("Rng: permutation holds every index once", () => {
  const p = new Rng(5).permutation(100);
  assert.deepEqual(
    Array.from(p).sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.notDeepEqual(Array.from(p), Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("Rng: fork is deterministic, independent of the parent's position", () => {
  const a = new Rng(3);
  const before = a.fork("weights").uniform();
  a.uniform();
  a.uniform();
  assert.equal(a.fork("weights").uniform(), before);
  assert.notEqual(a.fork("noise").uniform(), before);
});

Deno.test("Rng: bad arguments get clear errors", () => {
  assert.throws(() => new Rng(NaN), /seed must be a finite number/);
  assert.throws(() => new Rng(1).int(0), /positive integer bound/);
  assert.throws(() => new Rng(1).int(2.5), /positive integer bound/);
});
