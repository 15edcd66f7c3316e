/**
 * Which networks have second derivatives in tfjs. ReLU networks have exactly zero ones;
 * softplus, gelu, sigmoid, tanh and ELU networks have real ones (lib/tf.ts makes the last three
 * differentiable twice). SELU's gradient is built from `greater`, which has no gradient, so SELU
 * networks have none; {@link checkSecondOrderActivations} says so before a silent zero or a deep
 * tfjs error misleads anyone.
 *
 * @module
 */

import { tf } from "../tf.ts";

/** Activations whose second derivative tfjs cannot compute even after the fix above. */
const NO_SECOND_ORDER = ["selu"];

/**
 * Throws a clear error when `model` uses an activation without a second derivative in tfjs.
 *
 * @example
 * ```ts
 * checkSecondOrderActivations(model); // fine for relu, softplus, sigmoid, tanh, gelu, elu
 * ```
 */
export function checkSecondOrderActivations(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    const activation = (layer.getConfig() as { activation?: unknown })
      .activation;
    if (
      typeof activation === "string" && NO_SECOND_ORDER.includes(activation)
    ) {
      throw new Error(
        `second derivatives: layer "${layer.name}" uses ${activation}, whose gradient tfjs ` +
          `cannot differentiate again; use softplus, sigmoid, tanh, gelu or elu`,
      );
    }
  }
}
