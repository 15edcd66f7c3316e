import assert from "node:assert/strict";
import { join } from "node:path";
import { exists, replaceDirAtomic, writeFileAtomic } from "../lib/fs.ts";

Deno.test("writeFileAtomic writes whole files, creates parents and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "a", "b", "file.txt");
  await writeFileAtomic(path, "first");
  await writeFileAtomic(path, new TextEncoder().encode("second"));
  assert.equal(await Deno.readTextFile(path), "second");
  const names = [...Deno.readDirSync(join(dir, "a", "b"))].map((e) => e.name);
  assert.deepEqual(names, ["file.txt"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("replaceDirAtomic keeps the old directory when filling fails", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "ckpt");
  await replaceDirAtomic(dir, async (tmp) => {
    await Deno.writeTextFile(join(tmp, "v"), "1");
  });
  await assert.rejects(
    replaceDirAtomic(dir, async (tmp) => {
      await Deno.writeTextFile(join(tmp, "v"), "2");
      throw new Error("disk full");
    }),
    /disk full/,
  );
  assert.equal(await Deno.readTextFile(join(dir, "v")), "1");
  await replaceDirAtomic(dir, async (tmp) => {
    await Deno.writeTextFile(join(tmp, "w"), "3");
  });
  assert.equal(await exists(join(dir, "v")), false);
  assert.equal(await Deno.readTextFile(join(dir, "w")), "3");
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["ckpt"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("writeFileAtomic: a write that fails half way (disk full) keeps the old file whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lenses-fs-full-" });
  const path = join(dir, "summary.json");
  await Deno.writeTextFile(path, "old, good contents");
  const open = Deno.open;
  // The disk fills up after the first 4 bytes of whatever is written next.
  (Deno as { open: typeof Deno.open }).open = async (p, options) => {
    const file = await open(p, options);
    let room = 4;
    const write = file.write.bind(file);
    file.write = (bytes: Uint8Array) => {
      if (room === 0) throw new Error("No space left on device (os error 28)");
      const n = Math.min(room, bytes.length);
      room -= n;
      return write(bytes.subarray(0, n));
    };
    return file;
  };
  try {
    await assert.rejects(
      writeFileAtomic(path, "new contents, longer than four bytes"),
      /No space left on device/,
    );
  } finally {
    (Deno as { open: typeof Deno.open }).open = open;
  }
  assert.equal(await Deno.readTextFile(path), "old, good contents");
  const left = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
  assert.deepEqual(left, ["summary.json"], "no temp file left behind");
  await Deno.remove(dir, { recursive: true });
});
