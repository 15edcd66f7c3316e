import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import { Rng } from "../../lib/random/rng.ts";
import { l2, linf, threatModel, unconstrained } from "../../lib/optimize/mod.ts";
import { assertNoLeak, diffNorms, uniformImages, useCpu } from "../attacks/helpers.ts";

await useCpu();

const SHAPE: [number, number, number, number] = [4, 3, 3, 2];
const TOL = 1e-5;

function assertInBox(x: tf.Tensor): void {
  const v = x.dataSync();
  for (const value of v) {
    assert.ok(value >= 0 && value <= 1, `value ${value} outside [0, 1]`);
  }
}

for (const norm of ["linf", "l2", "none"] as const) {
  Deno.test(`${norm} projection lands in the ball and the box and is idempotent (50 seeds)`, async () => {
    await assertNoLeak(() => {
      for (let seed = 0; seed < 50; seed++) {
        const rng = new Rng(seed);
        const eps = norm === "linf" ? 0.3 * rng.uniform() : 2 * rng.uniform();
        const threat = threatModel(norm, eps);
        tf.tidy(() => {
          const x0 = uniformImages(SHAPE, seed);
          // Far outside both the ball and the box.
          const x = tf.add(
            x0,
            uniformImages(SHAPE, seed + 1000, -2, 2),
          ) as tf.Tensor4D;
          const p = threat.project(x, x0);
          assertInBox(p);
          const d = diffNorms(p, x0);
          for (let i = 0; i < SHAPE[0]; i++) {
            if (norm === "linf") {
              assert.ok(d.linf[i] <= eps + TOL, `linf ${d.linf[i]} > ${eps}`);
            }
            if (norm === "l2") {
              assert.ok(d.l2[i] <= eps + TOL, `l2 ${d.l2[i]} > ${eps}`);
            }
          }
          const again = threat.project(p, x0);
          assert.ok(
            diffNorms(again, p).linf.every((v) => v < TOL),
            "projection not idempotent",
          );
        });
      }
    });
  });

  Deno.test(`${norm} random start lands in the ball and the box, and is seeded`, () => {
    const threat = threatModel(norm, 0.2);
    tf.tidy(() => {
      const x0 = uniformImages(SHAPE, 3);
      const a = threat.randomStart(x0, new Rng(1));
      const b = threat.randomStart(x0, new Rng(1));
      const c = threat.randomStart(x0, new Rng(2));
      assertInBox(a);
      const d = diffNorms(a, x0);
      for (let i = 0; i < SHAPE[0]; i++) {
        if (norm === "linf") assert.ok(d.linf[i] <= 0.2 + TOL);
        if (norm === "l2") assert.ok(d.l2[i] <= 0.2 + TOL);
        // It moves: a random start is not x0.
        assert.ok(d.l2[i] > 0);
      }
      assert.deepEqual(a.dataSync(), b.dataSync());
      assert.notDeepEqual(a.dataSync(), c.dataSync());
    });
  });
}

Deno.test("linf projection matches the exact coordinate-wise projection onto box ∩ ball", () => {
  tf.tidy(() => {
    const x0 = uniformImages(SHAPE, 5);
    const x = tf.add(x0, uniformImages(SHAPE, 6, -0.5, 0.5)) as tf.Tensor4D;
    const got = linf(0.1).project(x, x0).dataSync();
    const xs = x.dataSync();
    const x0s = x0.dataSync();
    xs.forEach((v, i) => {
      const lo = Math.max(x0s[i] - 0.1, 0);
      const hi = Math.min(x0s[i] + 0.1, 1);
      assert.ok(Math.abs(got[i] - Math.min(Math.max(v, lo), hi)) < 1e-6);
    });
  });
});

Deno.test("l2 projection scales an outside point back to the sphere along its direction", () => {
  tf.tidy(() => {
    const x0 = tf.fill([1, 2, 2, 1], 0.5) as tf.Tensor4D;
    const x = tf.tensor4d([0.8, 0.5, 0.5, 0.1], [1, 2, 2, 1]); // δ = (0.3, 0, 0, -0.4), ‖δ‖ = 0.5
    const p = l2(0.25).project(x, x0).dataSync();
    const expected = [0.5 + 0.15, 0.5, 0.5, 0.5 - 0.2];
    p.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${v} vs ${expected[i]}`));
    // Inside points stay where they are.
    const inside = tf.tensor4d([0.6, 0.5, 0.5, 0.5], [1, 2, 2, 1]);
    assert.deepEqual(
      l2(0.25).project(inside, x0).dataSync(),
      inside.dataSync(),
    );
  });
});

Deno.test("l2 and unconstrained steps move by stepSize along the normalised gradient", async () => {
  await assertNoLeak(() => {
    for (let seed = 0; seed < 20; seed++) {
      tf.tidy(() => {
        const x = uniformImages(SHAPE, seed);
        const g = uniformImages(SHAPE, seed + 50, -1, 1);
        for (const threat of [l2(1), unconstrained()]) {
          const moved = threat.step(x, g, 0.3);
          const step = tf.reshape(tf.sub(moved, x), [SHAPE[0], -1])
            .arraySync() as number[][];
          const grad = tf.reshape(g, [SHAPE[0], -1]).arraySync() as number[][];
          step.forEach((s, i) => {
            const gNorm = Math.hypot(...grad[i]);
            assert.ok(Math.abs(Math.hypot(...s) - 0.3) < 1e-5, "step length");
            s.forEach((v, j) => assert.ok(Math.abs(v - 0.3 * grad[i][j] / gNorm) < 1e-5));
          });
        }
      });
    }
  });
});

Deno.test("linf step is stepSize · sign(grad); a zero gradient gives no step and no NaN", () => {
  tf.tidy(() => {
    const x = tf.fill([2, 1, 2, 1], 0.5) as tf.Tensor4D;
    const g = tf.tensor4d([3, -0.01, 0, 0], [2, 1, 2, 1]);
    assert.deepEqual(Array.from(linf(0.1).step(x, g, 0.1).dataSync()), [
      0.6000000238418579,
      0.4000000059604645,
      0.5,
      0.5,
    ]);
    assert.deepEqual(Array.from(l2(0.1).step(x, g, 0.1).dataSync()).slice(2), [
      0.5,
      0.5,
    ]);
  });
});

Deno.test("bad radii and unknown norms are rejected with a clear message", () => {
  assert.throws(
    () => linf(-0.1),
    /linf threat model: eps must be a finite number >= 0, got -0.1/,
  );
  assert.throws(
    () => l2(NaN),
    /l2 threat model: eps must be a finite number >= 0/,
  );
  assert.throws(() => l2(Infinity), /eps must be a finite number/);
  // An unknown norm, as a caller without types could pass.
  assert.throws(
    () => threatModel("l3" as "l2", 1),
    /unknown norm "l3"; use one of linf, l2, none/,
  );
  assert.equal(unconstrained().eps, Infinity);
});
