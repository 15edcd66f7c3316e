/**
 * Test helpers for lib/display: a fake Deno Jupyter kernel that records broadcasts, a PNG
 * decoder, and console capture.
 *
 * @module
 */

import { createCanvas, loadImage } from "@napi-rs/canvas";

/** One message a display function broadcast to the (fake) kernel. */
export interface Broadcast {
  type: string;
  content: {
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
    transient: { display_id?: string };
  };
}

/**
 * Runs `fn` with a fake `Deno.jupyter` whose broadcast records messages. Deno's own property
 * has a setter for this (the kernel installs the real API through it), and its getter throws
 * again once the value is cleared, as it does outside the kernel.
 */
export async function withFakeKernel<T>(
  fn: (sent: Broadcast[]) => Promise<T> | T,
): Promise<T> {
  const sent: Broadcast[] = [];
  const deno = Deno as unknown as { jupyter: unknown };
  deno.jupyter = {
    broadcast: (type: string, content: Broadcast["content"]) => {
      sent.push({ type, content });
      return Promise.resolve();
    },
  };
  try {
    return await fn(sent);
  } finally {
    deno.jupyter = undefined;
  }
}

/** Runs `fn` with console.log captured; returns what it printed, one entry per call. */
export async function captureLog(
  fn: () => Promise<unknown> | unknown,
): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines;
}

/** A decoded PNG: its size and RGBA pixels. */
export interface Decoded {
  width: number;
  height: number;
  /** [r, g, b, a] of the pixel at (x, y). */
  pixel(x: number, y: number): [number, number, number, number];
}

/** Decodes PNG bytes with @napi-rs/canvas. */
export async function decodePng(png: Uint8Array): Promise<Decoded> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  return {
    width: image.width,
    height: image.height,
    pixel: (x, y) => {
      const i = (y * image.width + x) * 4;
      return [data[i], data[i + 1], data[i + 2], data[i + 3]];
    },
  };
}
