/**
 * Image grids: tensors or arrays in, one PNG out (via @napi-rs/canvas). Rows and columns with
 * titles, a caption under each image, colour maps for signed maps and magnitudes, per-image or
 * shared normalisation, and integer nearest-neighbour upscaling so 28×28 digits stay sharp.
 *
 * Images are read with `data()` only: no tensor is created, so nothing can leak.
 *
 * @module
 */

import type { Tensor } from "@tensorflow/tfjs-core";
import { createCanvas, type SKRSContext2D } from "@napi-rs/canvas";
import { Buffer } from "node:buffer";
import { colormapLut, type ColormapName, COLORMAPS, lutIndex } from "./colormap.ts";
import { extent, formatNumber } from "./format.ts";
import { display, type MimeBundle, type Output } from "./output.ts";

/** Pixel values with their shape: [H,W], [H,W,C] or [N,H,W,C], C = 1 or 3, row-major. */
export interface ImageArray {
  /** Pixel values, row-major, channels last. */
  data: ArrayLike<number>;
  /** [H,W], [H,W,C] or [N,H,W,C]. */
  shape: readonly number[];
}

/** One image or a batch: a tfjs tensor or an {@link ImageArray} (e.g. a Dataset's `x`). */
export type ImageSource = Tensor | ImageArray;

/**
 * What to draw: one source (a rank-4 batch is laid out in rows of `columns`), a list of single
 * images (likewise wrapped), or a list of rows, each a batch or a list of single images.
 */
export type GridInput =
  | ImageSource
  | ImageSource[]
  | Array<ImageSource | ImageSource[]>;

/** Colour map of a group of images: a single-channel map, `rgb` passthrough, or `auto`. */
export type ImageColormap = ColormapName | "rgb" | "auto";

/**
 * How values become colours: `shared` (one range for the group), `per-image`, a fixed range,
 * or `auto` (fixed [0, 1] when the data lie in it, else shared). Diverging maps always use a
 * range symmetric about 0, so zero is the middle colour.
 */
export type Normalize = "auto" | "shared" | "per-image" | {
  min: number;
  max: number;
};

/** Options of the image grid functions. */
export interface ImageGridOptions {
  /** Images per row when the input is a flat list or a single batch (default min(n, 8)). */
  columns?: number;
  /** Title above the grid. */
  title?: string;
  /** One title left of each row. */
  rowTitles?: string[];
  /** One title above each column. */
  columnTitles?: string[];
  /** Caption under each image, in row-major order (flat) or one list per row. */
  captions?: Array<string | undefined> | Array<Array<string | undefined>>;
  /** Colour map, one for all or one per row when the input is given as rows (default auto). */
  colormap?: ImageColormap | ImageColormap[];
  /** Normalisation, one for all or one per row when the input is given as rows (default auto). */
  normalize?: Normalize | Normalize[];
  /** Integer upscaling factor; default: the smallest that makes images at least 64 px. */
  scale?: number;
  /** Pixels between images and around the grid (default 4). */
  gap?: number;
  /** Font size of titles and captions in px (default 12). */
  fontSize?: number;
}

interface Img {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

interface Group {
  images: Img[];
  colormap: ColormapName | "rgb";
  ranges: Array<{ lo: number; hi: number }>;
}

const isTensor = (x: ImageSource): x is Tensor =>
  typeof (x as Tensor).data === "function" &&
  typeof (x as Tensor).dtype === "string";

function shapeOf(src: ImageSource): number[] {
  if (src === null || typeof src !== "object" || !Array.isArray(src.shape)) {
    throw new Error(
      "imageGrid: each image must be a tfjs tensor or { data, shape } " +
        "(e.g. { data: dataset.x.subarray(0, 16 * 784), shape: [16, 28, 28, 1] }).",
    );
  }
  return [...src.shape];
}

async function readImages(src: ImageSource, where: string): Promise<Img[]> {
  const shape = shapeOf(src);
  let data: Float32Array;
  if (isTensor(src)) {
    if (src.isDisposed) {
      throw new Error(
        `imageGrid: ${where} is a disposed tensor; show it before disposing it.`,
      );
    }
    if (src.dtype === "string" || src.dtype === "complex64") {
      throw new Error(
        `imageGrid: ${where} has dtype ${src.dtype}; pass numeric pixel values.`,
      );
    }
    const values = await src.data();
    data = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  } else {
    data = src.data instanceof Float32Array ? src.data : Float32Array.from(src.data);
  }
  const batch = shape.length === 4
    ? shape
    : shape.length === 3
    ? [1, ...shape]
    : shape.length === 2
    ? [1, ...shape, 1]
    : undefined;
  if (
    !batch || (batch[3] !== 1 && batch[3] !== 3) || batch.some((d) => d < 1)
  ) {
    throw new Error(
      `imageGrid: ${where} has shape [${shape}]; expected [H,W], [H,W,C] or [N,H,W,C] ` +
        `with C = 1 or 3 (reshape a batch of grayscale images to [N,H,W,1]).`,
    );
  }
  const [n, h, w, c] = batch;
  if (data.length !== n * h * w * c) {
    throw new Error(
      `imageGrid: ${where} has ${data.length} values but shape [${shape}] needs ${n * h * w * c}.`,
    );
  }
  const size = h * w * c;
  return Array.from({ length: n }, (_, i) => ({
    h,
    w,
    c,
    data: data.subarray(i * size, (i + 1) * size),
  }));
}

function rankOf(src: ImageSource): number {
  return shapeOf(src).length;
}

/** Splits the input into groups (rows when given as rows, else one group) of images. */
async function readGroups(
  input: GridInput,
): Promise<{ groups: Img[][]; asRows: boolean }> {
  if (!Array.isArray(input)) {
    return { groups: [await readImages(input, "the image")], asRows: false };
  }
  if (input.length === 0) {
    throw new Error("imageGrid: no images to show (the input list is empty).");
  }
  const nested = input.map((item) => Array.isArray(item) || rankOf(item) === 4);
  if (nested.every((x) => x)) {
    const groups = await Promise.all(input.map(async (row, r) => {
      const items = Array.isArray(row) ? row : [row];
      const images = await Promise.all(
        items.map((item, i) => readImages(item, `row ${r} image ${i}`)),
      );
      return images.flat();
    }));
    return { groups, asRows: true };
  }
  if (nested.some((x) => x)) {
    throw new Error(
      "imageGrid: the list mixes rows (batches or lists) with single images; " +
        "give either a list of single images or a list of rows.",
    );
  }
  const images = await Promise.all(
    (input as ImageSource[]).map((item, i) => readImages(item, `image ${i}`)),
  );
  return { groups: [images.flat()], asRows: false };
}

function minMax(images: Img[]): { lo: number; hi: number } {
  return extent(images.map((im) => im.data)) ?? { lo: 0, hi: 1 };
}

function perGroup<T>(
  value: T | T[] | undefined,
  groups: number,
  name: string,
): (T | undefined)[] {
  if (!Array.isArray(value)) return Array(groups).fill(value);
  if (value.length !== groups) {
    throw new Error(
      `imageGrid: ${name} lists ${value.length} entries but the grid has ${groups} ` +
        `group${groups === 1 ? "" : "s"} (rows given as rows); give one value or one per row.`,
    );
  }
  return value;
}

function planGroup(
  images: Img[],
  colormap: ImageColormap,
  normalize: Normalize,
): Group {
  const channels = new Set(images.map((im) => im.c));
  if (channels.size > 1) {
    throw new Error(
      "imageGrid: a row mixes 1-channel and 3-channel images; give them separate rows.",
    );
  }
  const c = images[0].c;
  const all = minMax(images);
  let map: ColormapName | "rgb";
  if (colormap === "auto") {
    map = c === 3 ? "rgb" : all.lo < 0 ? "diverging" : "gray";
  } else if (colormap === "rgb" || COLORMAPS.includes(colormap)) {
    map = colormap;
  } else {
    throw new Error(
      `imageGrid: unknown colormap ${JSON.stringify(colormap)}; use auto, rgb, ${
        COLORMAPS.join(", ")
      }.`,
    );
  }
  if ((map === "rgb") !== (c === 3)) {
    throw new Error(
      map === "rgb"
        ? "imageGrid: colormap rgb needs 3-channel images; use gray, viridis, magma or diverging for 1 channel."
        : `imageGrid: colormap ${map} needs 1-channel images; use rgb (or auto) for 3 channels.`,
    );
  }
  const symmetric = (r: { lo: number; hi: number }) => {
    const m = Math.max(Math.abs(r.lo), Math.abs(r.hi));
    return { lo: -m, hi: m };
  };
  let ranges: Array<{ lo: number; hi: number }>;
  if (typeof normalize === "object" && normalize !== null) {
    if (!(normalize.max > normalize.min)) {
      throw new Error(
        `imageGrid: normalize range needs min < max (got min ${normalize.min}, max ${normalize.max}).`,
      );
    }
    ranges = images.map(() => ({ lo: normalize.min, hi: normalize.max }));
  } else if (normalize === "per-image") {
    ranges = images.map((im) => minMax([im]));
  } else if (normalize === "shared") {
    ranges = images.map(() => all);
  } else if (normalize === "auto") {
    const unit = map !== "diverging" && all.lo >= 0 && all.hi <= 1;
    ranges = images.map(() => (unit ? { lo: 0, hi: 1 } : all));
  } else {
    throw new Error(
      `imageGrid: unknown normalize ${
        JSON.stringify(normalize)
      }; use auto, shared, per-image or { min, max }.`,
    );
  }
  if (map === "diverging") ranges = ranges.map(symmetric);
  return { images, colormap: map, ranges };
}

/** Writes one image, upscaled by `scale`, into RGBA `out` (row stride `outW`) at (x0, y0). */
function paint(
  img: Img,
  colormap: ColormapName | "rgb",
  range: { lo: number; hi: number },
  scale: number,
  out: Uint8ClampedArray,
  outW: number,
  x0: number,
  y0: number,
): void {
  const span = range.hi - range.lo;
  // A constant image has no range: put it at the middle colour for diverging maps
  // (where it can only be 0) and at the low end otherwise.
  const t = (v: number) => span > 0 ? (v - range.lo) / span : colormap === "diverging" ? 0.5 : 0;
  const lut = colormap === "rgb" ? colormapLut("gray") : colormapLut(colormap);
  const rgb = [0, 0, 0];
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w; x++) {
      const p = (y * img.w + x) * img.c;
      if (colormap === "rgb") {
        for (let k = 0; k < 3; k++) {
          rgb[k] = lut[lutIndex(t(img.data[p + k])) * 3];
        }
      } else {
        const i = lutIndex(t(img.data[p])) * 3;
        rgb[0] = lut[i];
        rgb[1] = lut[i + 1];
        rgb[2] = lut[i + 2];
      }
      for (let dy = 0; dy < scale; dy++) {
        let o = ((y0 + y * scale + dy) * outW + x0 + x * scale) * 4;
        for (let dx = 0; dx < scale; dx++, o += 4) {
          out[o] = rgb[0];
          out[o + 1] = rgb[1];
          out[o + 2] = rgb[2];
          out[o + 3] = 255;
        }
      }
    }
  }
}

function cellText(
  captions: ImageGridOptions["captions"],
  rows: Img[][],
): (string | undefined)[][] {
  if (captions === undefined) {
    return rows.map((row) => row.map(() => undefined));
  }
  const nested = captions.some((c) => Array.isArray(c));
  const total = rows.reduce((n, row) => n + row.length, 0);
  if (nested) {
    if (captions.length !== rows.length) {
      throw new Error(
        `imageGrid: captions has ${captions.length} rows but the grid has ${rows.length}.`,
      );
    }
    return rows.map((row, r) => row.map((_, i) => (captions[r] as (string | undefined)[])[i]));
  }
  if (captions.length !== total) {
    throw new Error(
      `imageGrid: ${captions.length} captions for ${total} images; give one per image (undefined for none).`,
    );
  }
  let k = 0;
  return rows.map((row) => row.map(() => captions[k++] as string | undefined));
}

interface Laid {
  canvasW: number;
  canvasH: number;
  draw: (ctx: SKRSContext2D) => void;
  rows: number;
  columns: number;
  scale: number;
  groups: Group[];
}

async function layOut(
  input: GridInput,
  options: ImageGridOptions,
): Promise<Laid> {
  const { groups: imageGroups, asRows } = await readGroups(input);
  const colormaps = perGroup(options.colormap, imageGroups.length, "colormap");
  const normalizes = perGroup(
    options.normalize,
    imageGroups.length,
    "normalize",
  );
  const groups = imageGroups.map((images, g) =>
    planGroup(images, colormaps[g] ?? "auto", normalizes[g] ?? "auto")
  );
  // Cells, row by row, each with its group and index in it.
  type Cell = { group: Group; index: number };
  let rows: Cell[][];
  if (asRows) {
    rows = groups.map((group) => group.images.map((_, index) => ({ group, index })));
  } else {
    const group = groups[0];
    const n = group.images.length;
    const columns = options.columns ?? Math.min(n, 8);
    if (!Number.isInteger(columns) || columns < 1) {
      throw new Error(
        `imageGrid: columns must be a positive integer (got ${columns}).`,
      );
    }
    rows = [];
    for (let start = 0; start < n; start += columns) {
      rows.push(
        Array.from(
          { length: Math.min(columns, n - start) },
          (_, i) => ({ group, index: start + i }),
        ),
      );
    }
  }
  const columns = Math.max(...rows.map((row) => row.length));
  const all = groups.flatMap((g) => g.images);
  const maxH = Math.max(...all.map((im) => im.h));
  const maxW = Math.max(...all.map((im) => im.w));
  const scale = options.scale ??
    Math.max(1, Math.ceil(64 / Math.max(maxH, maxW)));
  if (!Number.isInteger(scale) || scale < 1) {
    throw new Error(
      `imageGrid: scale must be a positive integer (got ${scale}); it upscales without blur.`,
    );
  }
  const gap = options.gap ?? 4;
  if (!Number.isInteger(gap) || gap < 0) {
    throw new Error(
      `imageGrid: gap must be a non-negative integer (got ${gap}).`,
    );
  }
  const fontSize = options.fontSize ?? 12;
  const font = `${fontSize}px "DejaVu Sans", "Helvetica Neue", Arial, sans-serif`;
  const captions = cellText(
    options.captions,
    rows.map((row) => row.map((c) => c.group.images[c.index])),
  );
  const { rowTitles, columnTitles, title } = options;
  if (rowTitles && rowTitles.length !== rows.length) {
    throw new Error(
      `imageGrid: ${rowTitles.length} row titles for ${rows.length} rows.`,
    );
  }
  if (columnTitles && columnTitles.length !== columns) {
    throw new Error(
      `imageGrid: ${columnTitles.length} column titles for ${columns} columns.`,
    );
  }
  const measure = createCanvas(1, 1).getContext("2d");
  measure.font = font;
  const textW = (
    s: string | undefined,
  ) => (s ? Math.ceil(measure.measureText(s).width) : 0);
  const lineH = Math.ceil(fontSize * 1.4);
  const hasCaptions = captions.some((row) => row.some((c) => c));
  const cellW = Math.max(
    maxW * scale,
    ...captions.flat().map(textW),
    ...(columnTitles ?? []).map(textW),
  );
  const cellH = maxH * scale + (hasCaptions ? lineH : 0);
  const rowTitleW = rowTitles ? Math.max(...rowTitles.map(textW)) + gap + 4 : 0;
  const titleH = title ? lineH + 4 : 0;
  const colTitleH = columnTitles ? lineH : 0;
  const gridX = gap + rowTitleW;
  const gridY = gap + titleH + colTitleH;
  const canvasW = Math.max(
    gridX + columns * (cellW + gap),
    title ? textW(title) + 2 * gap : 0,
  );
  const canvasH = gridY + rows.length * (cellH + gap);

  const draw = (ctx: SKRSContext2D) => {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvasW, canvasH);
    const pixels = ctx.getImageData(0, 0, canvasW, canvasH);
    rows.forEach((row, r) =>
      row.forEach(({ group, index }, col) => {
        const img = group.images[index];
        const x0 = gridX + col * (cellW + gap) +
          Math.floor((cellW - img.w * scale) / 2);
        const y0 = gridY + r * (cellH + gap);
        paint(
          img,
          group.colormap,
          group.ranges[index],
          scale,
          pixels.data,
          canvasW,
          x0,
          y0,
        );
      })
    );
    ctx.putImageData(pixels, 0, 0);
    ctx.font = font;
    ctx.fillStyle = "#222222";
    ctx.textBaseline = "top";
    if (title) {
      ctx.textAlign = "left";
      ctx.fillText(title, gap, gap);
    }
    ctx.textAlign = "center";
    columnTitles?.forEach((t, col) =>
      ctx.fillText(t, gridX + col * (cellW + gap) + cellW / 2, gap + titleH)
    );
    captions.forEach((row, r) =>
      row.forEach((caption, col) => {
        if (caption) {
          ctx.fillText(
            caption,
            gridX + col * (cellW + gap) + cellW / 2,
            gridY + r * (cellH + gap) + maxH * scale + 2,
          );
        }
      })
    );
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    rowTitles?.forEach((t, r) =>
      ctx.fillText(
        t,
        gridX - gap - 2,
        gridY + r * (cellH + gap) + (maxH * scale) / 2,
      )
    );
  };
  return { canvasW, canvasH, draw, rows: rows.length, columns, scale, groups };
}

function toPng(laid: Laid): Promise<Uint8Array> {
  const canvas = createCanvas(laid.canvasW, laid.canvasH);
  laid.draw(canvas.getContext("2d"));
  return canvas.encode("png").then((buf) =>
    new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  );
}

function describe(laid: Laid, options: ImageGridOptions): string {
  const first = laid.groups[0].images[0];
  const parts = [
    `Image grid: ${laid.rows} × ${laid.columns} of ${first.h}×${first.w}` +
    ` (×${laid.scale}), ${laid.canvasW}×${laid.canvasH} px PNG`,
  ];
  if (options.title) parts.unshift(options.title);
  laid.groups.forEach((g, i) => {
    const label = laid.groups.length > 1 ? (options.rowTitles?.[i] ?? `row ${i}`) + ": " : "";
    const ranges = new Set(
      g.ranges.map((r) => `[${formatNumber(r.lo, 3)}, ${formatNumber(r.hi, 3)}]`),
    );
    parts.push(
      `  ${label}${g.colormap}, range ${ranges.size === 1 ? [...ranges][0] : "per image"}`,
    );
  });
  return parts.join("\n");
}

/**
 * Encodes an image grid as PNG bytes (for tests and for saving files with writeFileAtomic).
 *
 * @example
 * ```ts
 * const png = await encodeImageGrid([clean, adversarial, perturbation], {
 *   rowTitles: ["clean", "adversarial", "δ"],
 *   colormap: ["gray", "gray", "diverging"],
 * });
 * await writeFileAtomic("reports/adv.png", png);
 * ```
 */
export async function encodeImageGrid(
  input: GridInput,
  options: ImageGridOptions = {},
): Promise<Uint8Array> {
  return toPng(await layOut(input, options));
}

/**
 * Encodes one image (a [H,W], [H,W,C] or [1,H,W,C] tensor or array) as PNG bytes, with no
 * border: the PNG is exactly W·scale × H·scale.
 *
 * @example
 * ```ts
 * const png = await encodePng(saliency, { colormap: "diverging", scale: 4 });
 * ```
 */
export function encodePng(
  image: ImageSource,
  options: Pick<ImageGridOptions, "colormap" | "normalize" | "scale"> = {},
): Promise<Uint8Array> {
  return encodeImageGrid(image, {
    ...options,
    gap: 0,
    scale: options.scale ?? 1,
  });
}

/**
 * The MIME bundle of an image grid: `image/png` (base64) and a `text/plain` description with
 * the colour map and value range of each row, since the PNG carries no colour bar.
 *
 * @example
 * ```ts
 * const bundle = await imageGridBundle(batch, { columns: 4, captions });
 * ```
 */
export async function imageGridBundle(
  input: GridInput,
  options: ImageGridOptions = {},
): Promise<MimeBundle> {
  const laid = await layOut(input, options);
  const png = await toPng(laid);
  return {
    "image/png": Buffer.from(png).toString("base64"),
    "text/plain": describe(laid, options),
  };
}

/**
 * Shows an image grid and returns the output.
 *
 * @example
 * ```ts
 * await showImageGrid(x.slice([0, 0, 0, 0], [8, 28, 28, 1]), {
 *   captions: predictions.map((p) => `${p.label} (${p.confidence.toFixed(2)})`),
 * });
 * ```
 */
export async function showImageGrid(
  input: GridInput,
  options: ImageGridOptions = {},
): Promise<Output> {
  return display(await imageGridBundle(input, options));
}
