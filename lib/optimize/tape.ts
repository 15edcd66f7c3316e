/**
 * Cleaning up after a gradient whose forward pass threw: the optimisation loops over inputs
 * (projected gradient, feature visualisation) call it when an objective fails mid-tape.
 *
 * @module
 */

import { tf } from "../tf.ts";

/**
 * Frees the copies tfjs saved for the backward pass of a gradient whose forward pass threw
 * (e.g. a model output failing a check): tfjs frees them only in a backward pass.
 *
 * @example
 * ```ts
 * try { optimizer.minimize(f); } catch (err) { freeAbandonedTape(); throw err; }
 * ```
 */
export function freeAbandonedTape(): void {
  const { state } = tf.engine();
  // Inside an outer gradient the tape is the outer one's, still to be used.
  if (state.gradientDepth > 0 || !state.activeTape) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
}
