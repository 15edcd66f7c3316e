/**
 * Where saliency sits in a scene: each pixel classed as a shape's corner, edge or interior, or
 * background, and the share of a saliency map in each class.
 *
 * @module
 */

import type { tf } from "../../tf.ts";
import type { Scene } from "../../data/shapes.ts";
import { inputSaliency, type PixelMap } from "../../attribution/saliency.ts";
import type { Objective } from "../../optimize/mod.ts";
import { sceneImage } from "./scenes.ts";

/** Regions of a scene, in priority order: a corner pixel is not also counted as an edge. */
export const REGIONS = ["corner", "edge", "interior", "background"] as const;
/** One of {@link REGIONS}. */
export type Region = typeof REGIONS[number];

/**
 * Labels every pixel of a scene by region: `corner` (centre within `cornerRadius` px of a
 * vertex), `edge` (a pixel, inside or outside a shape, with an 8-neighbour of another label),
 * `interior` (other shape pixels) and `background` (other pixels). Returns indices into
 * {@link REGIONS}.
 *
 * @example
 * ```ts
 * const regions = sceneRegions(scene); // Uint8Array, H×W
 * ```
 */
export function sceneRegions(scene: Scene, cornerRadius = 1.5): Uint8Array {
  const n = scene.size;
  const out = new Uint8Array(n * n);
  const vertices = scene.shapes.flatMap((s) => s.vertices);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const p = r * n + c;
      const own = scene.labels[p];
      const nearCorner = vertices.some(([x, y]) =>
        Math.hypot(c + 0.5 - x, r + 0.5 - y) <= cornerRadius
      );
      if (nearCorner) {
        out[p] = 0;
        continue;
      }
      let edge = false;
      for (let dr = -1; dr <= 1 && !edge; dr++) {
        for (let dc = -1; dc <= 1 && !edge; dc++) {
          const rr = r + dr, cc = c + dc;
          if (rr < 0 || cc < 0 || rr >= n || cc >= n) continue;
          if (scene.labels[rr * n + cc] !== own) edge = true;
        }
      }
      out[p] = edge ? 1 : own !== 0 ? 2 : 3;
    }
  }
  return out;
}

/** Share of saliency in one region. */
export interface RegionShare {
  region: Region;
  /** Fraction of the total saliency that falls in the region. */
  saliency: number;
  /** Fraction of the pixels that are in the region. */
  area: number;
  /** saliency / area: above 1 when saliency concentrates there. */
  enrichment: number;
}

/**
 * Where saliency sits: its share in each region against the region's share of the pixels,
 * summed over several (map, scene) pairs.
 *
 * @example
 * ```ts
 * const shares = saliencyByRegion([{ map, scene }]);
 * shares.find((s) => s.region === "edge")?.enrichment; // e.g. 3.1
 * ```
 */
export function saliencyByRegion(
  items: ReadonlyArray<{ map: PixelMap; scene: Scene }>,
  cornerRadius = 1.5,
): RegionShare[] {
  if (items.length === 0) {
    throw new Error("saliencyByRegion: give at least one (map, scene) pair");
  }
  const mass = new Float64Array(REGIONS.length);
  const area = new Float64Array(REGIONS.length);
  for (const { map, scene } of items) {
    if (map.data.length !== scene.labels.length) {
      throw new Error(
        `saliencyByRegion: a ${map.height}×${map.width} map for a ${scene.size}×${scene.size} scene`,
      );
    }
    const regions = sceneRegions(scene, cornerRadius);
    for (let p = 0; p < regions.length; p++) {
      mass[regions[p]] += map.data[p];
      area[regions[p]] += 1;
    }
  }
  const totalMass = mass.reduce((a, b) => a + b, 0);
  const totalArea = area.reduce((a, b) => a + b, 0);
  return REGIONS.map((region, k) => {
    const s = totalMass > 0 ? mass[k] / totalMass : 0;
    const a = area[k] / totalArea;
    return { region, saliency: s, area: a, enrichment: a > 0 ? s / a : 0 };
  });
}

/** Where a model's saliency sits: pooled over the scenes, and scene by scene. */
export interface ModelRegionShares {
  /** {@link saliencyByRegion} of all the scenes together. */
  pooled: RegionShare[];
  /** {@link saliencyByRegion} of each scene alone, for per-scene statistics. */
  perScene: RegionShare[][];
}

/**
 * Where a model's saliency sits on `scenes`: {@link saliencyByRegion} of its saliency map of
 * each scene (of `objective`, default the sum of the outputs), pooled and per scene.
 *
 * @example
 * ```ts
 * const { pooled, perScene } = await modelSaliencyByRegion(model, scenes);
 * ```
 */
export async function modelSaliencyByRegion(
  model: tf.LayersModel,
  scenes: readonly Scene[],
  objective?: Objective,
): Promise<ModelRegionShares> {
  const items = [];
  for (const scene of scenes) {
    items.push({ map: await inputSaliency(model, sceneImage(scene), objective), scene });
  }
  return {
    pooled: saliencyByRegion(items),
    perScene: items.map((item) => saliencyByRegion([item])),
  };
}

/**
 * The saliency share of some regions, summed, for every scene of a {@link ModelRegionShares}.
 *
 * @example
 * ```ts
 * const outline = regionShareByScene(shares, ["edge", "corner"]); // one share per scene
 * ```
 */
export function regionShareByScene(
  shares: ModelRegionShares,
  regions: readonly Region[],
): number[] {
  return shares.perScene.map((scene) =>
    scene.filter((s) => regions.includes(s.region)).reduce((a, s) => a + s.saliency, 0)
  );
}
