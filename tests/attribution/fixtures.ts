import { type Activation, cnn } from "../../lib/models/mod.ts";

/** Side of the tiny test images. */
export const H = 6;

/** A small seeded CNN with two outputs, for saliency tests. */
export function tinyModel(activation: Activation) {
  return cnn({
    seed: 3,
    inputShape: [H, H, 3],
    convs: [{ filters: 4, stride: 2 }, { filters: 4 }],
    dense: [5],
    activation,
    numClasses: 2,
    outputActivation: "linear",
  });
}
