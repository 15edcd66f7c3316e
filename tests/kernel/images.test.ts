import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { imageDataUrl } from "../../kernel/html/images.ts";

Deno.test("imageDataUrl: base64 images lose their line breaks; SVG text is encoded", () => {
  assert.equal(
    imageDataUrl("image/png", ["iVBORw0K\n", "Ggo=\n"]),
    "data:image/png;base64,iVBORw0KGgo=",
  );
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>é</text></svg>';
  const url = imageDataUrl("image/svg+xml", [svg.slice(0, 10), svg.slice(10)]);
  assert.equal(
    Buffer.from(url.slice("data:image/svg+xml;base64,".length), "base64").toString(),
    svg,
  );
});
