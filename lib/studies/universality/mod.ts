/**
 * Code that serves notebook 04 (circuits universality) only: the zoo of models it compares and
 * what it reads from them (layer activations, unit responses, first-layer filters, feature
 * visualisations of single units). The
 * similarity measures themselves are generic and live in lib/representations.
 *
 * @example
 * ```ts
 * import { buildMember, comparedLayers, trainMember } from "../lib/studies/universality/mod.ts";
 * ```
 *
 * @module
 */

export {
  type AdversarialTraining,
  type Arch,
  buildMember,
  comparedLayers,
  memberName,
  type MemberSpec,
  trainMember,
  type ZooTraining,
} from "./zoo.ts";
export {
  firstLayerFilters,
  layerActivations,
  matchedFilterCosines,
  unitResponses,
  visualiseUnits,
} from "./units.ts";
