import assert from "node:assert/strict";
import { join } from "node:path";
import {
  discardDir,
  exists,
  processAlive,
  publishDir,
  removeStaleTemps,
  replaceDirAtomic,
  tempOwner,
  writeFileAtomic,
} from "../../lib/io/fs.ts";

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

Deno.test("publishDir publishes once and keeps what another writer published first", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "entry");
  const write = (text: string) => async (tmp: string) => {
    await Deno.writeTextFile(join(tmp, "v"), text);
  };
  assert.equal(await publishDir(dir, write("first")), true);
  assert.equal(await publishDir(dir, write("second")), false);
  // A writer that loses the race while filling: the other one lands in between.
  assert.equal(
    await publishDir(join(root, "raced"), async (tmp) => {
      await Deno.writeTextFile(join(tmp, "v"), "loser");
      await Deno.mkdir(join(root, "raced"));
      await Deno.writeTextFile(join(root, "raced", "v"), "winner");
    }),
    false,
  );
  assert.equal(await Deno.readTextFile(join(dir, "v")), "first");
  assert.equal(await Deno.readTextFile(join(root, "raced", "v")), "winner");
  await assert.rejects(
    publishDir(join(root, "failed"), () => Promise.reject(new Error("disk full"))),
    /disk full/,
  );
  assert.equal(await discardDir(dir), true);
  assert.equal(await discardDir(dir), false); // already gone: not an error
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["raced"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("removeStaleTemps removes only the temporaries of dead processes", async () => {
  const root = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
  await child.status;
  assert.equal(await processAlive(child.pid), false);
  assert.equal(await processAlive(Deno.ppid), true);
  const names = [
    `a.json.tmp-${child.pid}-1`, // a file of a dead process
    `entry.tmp-${child.pid}-2`, // a directory of a dead process
    `b.json.tmp-${Deno.pid}-3`, // ours
    `entry.tmp-${Deno.ppid}-4`, // another live process's
    "entry", // not a temporary
    "notes.tmp-x-1", // not a name this module makes
  ];
  for (const name of names) {
    if (name.startsWith("entry")) await Deno.mkdir(join(root, name));
    else await Deno.writeTextFile(join(root, name), "partial");
  }
  const young = await removeStaleTemps(root);
  assert.deepEqual(young, [], "younger than minAgeMs: kept whatever the pid says");
  const removed = await removeStaleTemps(root, { minAgeMs: 0 });
  assert.deepEqual(removed.map((p) => p.slice(root.length + 1)).sort(), names.slice(0, 2).sort());
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), names.slice(2).sort());
  assert.equal(tempOwner("x.tmp-123-4"), 123);
  assert.equal(tempOwner("x.tmp"), undefined);
  assert.deepEqual(await removeStaleTemps(join(root, "missing")), []);
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
