import assert from "node:assert/strict";
import { tf } from "../../lib/tf.ts";
import {
  identifyLayers,
  linearCka,
  linearCkaMatrix,
  similarityMatrix,
} from "../../lib/representations/mod.ts";
import { orthogonal, randomMatrix } from "./helpers.ts";

Deno.test("similarityMatrix: rows are A's layers, columns B's, measure applied to each pair", () => {
  const a = [randomMatrix(50, 4, 1), randomMatrix(50, 6, 2)];
  const b = [randomMatrix(50, 3, 3), randomMatrix(50, 5, 4), randomMatrix(50, 2, 5)];
  const calls: string[] = [];
  const s = similarityMatrix(a, b, (x, y) => {
    const [dx, dy] = [x.shape[1]!, y.shape[1]!];
    calls.push(`${dx}×${dy}`);
    return dx * 10 + dy;
  });
  assert.deepEqual(s, [[43, 45, 42], [63, 65, 62]]);
  assert.deepEqual(calls, ["4×3", "4×5", "4×2", "6×3", "6×5", "6×2"]);
  tf.dispose([...a, ...b]);
});

Deno.test("similarityMatrix refuses empty lists and non-finite similarities", () => {
  const x = randomMatrix(10, 2, 1);
  assert.throws(() => similarityMatrix([], [x], () => 1), /at least one layer/);
  assert.throws(() => similarityMatrix([x], [x], () => NaN), /layer 0 of A and layer 0 of B/);
  x.dispose();
});

Deno.test("identification: a network against a rotated copy of itself finds every layer by CKA", () => {
  // Three "layers": successive nonlinear functions of one input. B's layers are A's under an
  // orthogonal map and a scale, which CKA ignores, so every layer must identify itself.
  const before = tf.memory().numTensors;
  const input = randomMatrix(200, 8, 7);
  const layersA = tf.tidy(() => {
    const l1 = tf.relu(tf.matMul(input, randomMatrix(8, 8, 8)));
    const l2 = tf.relu(tf.matMul(l1, randomMatrix(8, 8, 9)));
    const l3 = tf.relu(tf.matMul(l2, randomMatrix(8, 8, 10)));
    return [l1, l2, l3];
  });
  const layersB = layersA.map((l, i) => tf.tidy(() => tf.matMul(l, orthogonal(8, 20 + i)).mul(3)));
  const s = similarityMatrix(layersA, layersB, (x, y) => linearCka(x, y));
  s.forEach((row, i) => assert.ok(Math.abs(row[i] - 1) < 1e-4, `diagonal ${row[i]}`));
  const id = identifyLayers(s);
  assert.deepEqual(id.picks, [0, 1, 2]);
  assert.equal(id.hits, 3);
  assert.equal(id.tests, 3);
  tf.dispose([input, ...layersA, ...layersB]);
  assert.equal(tf.memory().numTensors, before, "no tensors leak");
});

Deno.test("identifyLayers: wrong picks and ties earn no credit; non-square matrices are refused", () => {
  const id = identifyLayers([[0.9, 0.2, 0.1], [0.7, 0.5, 0.1], [0.3, 0.3, 0.3]]);
  assert.deepEqual(id.picks, [0, 0, 0]);
  assert.deepEqual(id.correct, [true, false, false]);
  assert.equal(id.hits, 1);
  // A tie that includes the right layer is still not an identification.
  assert.deepEqual(identifyLayers([[0.5, 0.5], [0.1, 0.9]]).correct, [false, true]);
  assert.throws(() => identifyLayers([[1, 0]]), /must be square/);
  assert.throws(() => identifyLayers([]), /must be square/);
  assert.throws(() => identifyLayers([[NaN, 0], [0, 1]]), /row 0 holds a non-finite/);
});

Deno.test("linearCkaMatrix agrees with linearCka on flattened and pooled conv activations", () => {
  const before = tf.memory().numTensors;
  const a = [tf.randomNormal([40, 5, 5, 3], 0, 1, "float32", 1), randomMatrix(40, 7, 2)];
  const b = [
    tf.tidy(() => tf.relu(a[0]).add(tf.randomNormal([40, 5, 5, 3], 0, 0.5, "float32", 3))),
    randomMatrix(40, 4, 4),
    tf.tidy(() => a[1].mul(-2)),
  ];
  for (const spatial of ["flatten", "pool"] as const) {
    const fast = linearCkaMatrix(a, b, { spatial });
    const slow = similarityMatrix(a, b, (x, y) => linearCka(x, y, { spatial }));
    fast.forEach((row, i) =>
      row.forEach((v, j) => assert.ok(Math.abs(v - slow[i][j]) < 1e-5, `${spatial} ${i},${j}`))
    );
    assert.ok(Math.abs(fast[1][2] - 1) < 1e-5, "a scaled copy has CKA 1");
  }
  assert.equal(tf.memory().numTensors, before + 5, "only the inputs remain");
  const constant = tf.ones([40, 3]);
  assert.throws(() => linearCkaMatrix([constant], b, { spatial: "pool" }), /a\[0\] does not vary/);
  const few = randomMatrix(10, 2, 9);
  const kept = tf.memory().numTensors;
  assert.throws(() => linearCkaMatrix(a, [few], { spatial: "pool" }), /same 40 examples/);
  assert.throws(() => linearCkaMatrix(a, [constant], { spatial: "pool" }), /b\[0\] does not vary/);
  assert.equal(tf.memory().numTensors, kept, "no Gram matrix leaks on an error");
  few.dispose();
  assert.throws(() => linearCkaMatrix(a, b), /spatial/);
  tf.dispose([...a, ...b, constant]);
});
