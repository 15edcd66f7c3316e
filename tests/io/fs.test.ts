import assert from "node:assert/strict";
import { join } from "node:path";
import { exists, replaceDirAtomic, writeFileAtomic } from "../../lib/io/fs.ts";

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
