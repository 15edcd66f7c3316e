import { type Dataset, makeDataset } from "../../lib/data/dataset.ts";
import { Rng } from "../../lib/random/rng.ts";

/**
 * A linearly separable 2-class problem on 4×4 images: class 1 is brighter in the left half.
 * A small model learns it to ~100% in a few epochs.
 */
export function toyDataset(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    labels[i] = y;
    for (let p = 0; p < 16; p++) {
      const left = p % 4 < 2;
      const base = left === (y === 1) ? 0.7 : 0.3;
      x[i * 16 + p] = Math.min(1, Math.max(0, base + 0.15 * rng.normal()));
    }
  }
  return makeDataset({
    name: "toy",
    shape: [4, 4, 1],
    x,
    labels,
    numClasses: 2,
  });
}
