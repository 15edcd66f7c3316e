/**
 * Pictures of a layer in a basis: the |coefficient| map of neurons × atoms with the neurons
 * ordered by their top atom, so a layer of pure neurons reads as a staircase and a dense
 * mixture as a haze around it.
 *
 * @module
 */

import type { NeuronMatrix } from "../../weights/neurons.ts";
import { basisConcentration } from "../../weights/analysis.ts";

/**
 * Rows |c_i| of `coefficients` ([neurons, atoms]), neurons sorted by top atom (then by share),
 * each row scaled to a maximum of 1, with the order used.
 *
 * @example
 * ```ts
 * const { rows } = staircase(basisCoefficients(w, M));
 * await showFigure(heatmap(rows, { xLabel: "atom j", yLabel: "neuron" }));
 * ```
 */
export function staircase(coefficients: NeuronMatrix): { rows: number[][]; order: number[] } {
  const { topAtom, topShare } = basisConcentration(coefficients);
  const order = Array.from({ length: coefficients.rows }, (_, i) => i).sort((a, b) =>
    topAtom[a] - topAtom[b] || topShare[b] - topShare[a]
  );
  const rows = order.map((i) => {
    const c = Array.from(
      coefficients.data.subarray(i * coefficients.cols, (i + 1) * coefficients.cols),
      Math.abs,
    );
    const top = Math.max(...c);
    return top > 0 ? c.map((v) => v / top) : c;
  });
  return { rows, order };
}
