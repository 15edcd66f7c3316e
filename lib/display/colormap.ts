/**
 * Colour maps shared by image grids and heatmaps, so a saliency map and a similarity matrix
 * use the same colours: `gray`, the perceptual `viridis` and `magma` for magnitudes, and
 * `diverging` (ColorBrewer RdBu reversed: negative blue, zero near white, positive red) for
 * signed maps. The perceptual tables come from d3-scale-chromatic (matplotlib's data).
 *
 * @module
 */

// @ts-types="npm:@types/d3-scale-chromatic@3.1.0"
import { interpolateMagma, interpolateRdBu, interpolateViridis } from "d3-scale-chromatic";

/** Names of the colour maps for single-channel data. */
export type ColormapName = "gray" | "viridis" | "magma" | "diverging";

/** The colour map names, for validation and documentation. */
export const COLORMAPS: readonly ColormapName[] = [
  "gray",
  "viridis",
  "magma",
  "diverging",
];

/** Number of entries in each lookup table. */
export const LUT_SIZE = 256;

/** Parses d3's "#rrggbb" or "rgb(r, g, b)" colour strings. */
function parseColor(css: string): [number, number, number] {
  if (css.startsWith("#") && css.length === 7) {
    return [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16)) as [
      number,
      number,
      number,
    ];
  }
  const match = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(css);
  if (!match) throw new Error(`colormap: cannot parse colour "${css}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function buildLut(color: (t: number) => [number, number, number]): Uint8Array {
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    lut.set(color(i / (LUT_SIZE - 1)), i * 3);
  }
  return lut;
}

const builders: Record<ColormapName, (t: number) => [number, number, number]> = {
  gray: (t) => {
    const v = Math.round(t * 255);
    return [v, v, v];
  },
  viridis: (t) => parseColor(interpolateViridis(t)),
  magma: (t) => parseColor(interpolateMagma(t)),
  diverging: (t) => parseColor(interpolateRdBu(1 - t)),
};

const luts = new Map<ColormapName, Uint8Array>();

/**
 * The lookup table of a colour map: {@link LUT_SIZE} RGB triples, entry i for t = i/255.
 *
 * @example
 * ```ts
 * const lut = colormapLut("viridis");
 * const [r, g, b] = lut.subarray(0, 3); // colour of the lowest value: 68, 1, 84
 * ```
 */
export function colormapLut(name: ColormapName): Uint8Array {
  if (!COLORMAPS.includes(name)) {
    throw new Error(
      `colormap: unknown colour map ${JSON.stringify(name)}; use one of ${COLORMAPS.join(", ")}.`,
    );
  }
  let lut = luts.get(name);
  if (!lut) {
    lut = buildLut(builders[name]);
    luts.set(name, lut);
  }
  return lut;
}

/**
 * The LUT index of `t` in [0, 1] (clamped; NaN maps to 0).
 *
 * @example
 * ```ts
 * lutIndex(0.5); // 128
 * ```
 */
export function lutIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return LUT_SIZE - 1;
  return Math.round(t * (LUT_SIZE - 1));
}

/**
 * A plotly colorscale sampled from a colour map, so heatmaps match image grids.
 *
 * @example
 * ```ts
 * plotlyColorscale("diverging", 3); // [[0, "rgb(5,48,97)"], [0.5, "rgb(...)"], [1, "rgb(103,0,31)"]]
 * ```
 */
export function plotlyColorscale(
  name: ColormapName,
  stops = 11,
): Array<[number, string]> {
  const lut = colormapLut(name);
  return Array.from({ length: stops }, (_, k) => {
    const t = k / (stops - 1);
    const i = lutIndex(t) * 3;
    return [t, `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`];
  });
}
