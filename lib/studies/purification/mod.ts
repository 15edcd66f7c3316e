/**
 * Code that serves notebook 02 (feature purification, Allen-Zhu & Li 2020) only: the paper's
 * network on the sparse linear task, clean-then-adversarial training through the model cache,
 * the anatomy of attack perturbations in the dictionary basis, and the staircase picture of a
 * layer. lib/mod.ts does not re-export it; the notebook imports it from here.
 *
 * @example
 * ```ts
 * import { cleanThenAdversarial, purificationNet } from "../lib/studies/purification/mod.ts";
 * ```
 *
 * @module
 */

export {
  type AdversarialSettings,
  cleanThenAdversarial,
  type NetSettings,
  type PurificationModels,
  purificationNet,
} from "./training.ts";
export { type PerturbationAnatomy, perturbationAnatomy } from "./directions.ts";
export { staircase } from "./maps.ts";
export { type RegimePoint, regimePoint, type RegimeResult } from "./regime.ts";
export { onlineRobustness, type OnlineRow } from "./online.ts";
