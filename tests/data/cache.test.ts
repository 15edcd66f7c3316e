import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataDir, ensureBytes, ensureFile, MANIFEST } from "../../lib/data/cache.ts";
import { sha256Hex } from "../../lib/io/bytes.ts";
import type { ManifestEntry } from "../../lib/data/cache.ts";
import { MNIST_FILES } from "../../lib/data/mnist.ts";
import { CIFAR10_ARCHIVE } from "../../lib/data/cifar10.ts";
import { Rng } from "../../lib/random/rng.ts";
import { listDir, withTempDir } from "./fixtures.ts";

const rng = new Rng(7);
const BYTES = Uint8Array.from({ length: 5000 }, () => rng.int(256));
const URLS = [
  "https://primary.invalid/blob.bin",
  "https://mirror.invalid/blob.bin",
];
const ENTRY: ManifestEntry = {
  name: "blob.bin",
  dataset: "test blob",
  urls: URLS,
  size: BYTES.length,
  sha256: await sha256Hex(BYTES),
};
const quiet = () => {};

/** A fetch that answers each URL from `responses` and records what it was asked. */
function fakeFetch(responses: Record<string, () => Response>) {
  const calls: string[] = [];
  const fn = (input: string | URL | Request): Promise<Response> => {
    const url = String(input);
    calls.push(url);
    const respond = responses[url];
    if (!respond) {
      return Promise.reject(
        new TypeError(`error sending request for url (${url})`),
      );
    }
    return Promise.resolve(respond());
  };
  return { fetch: fn as typeof fetch, calls };
}

function opts(dir: string, fetchFn: typeof fetch) {
  return { dir, fetch: fetchFn, manifest: [ENTRY], log: quiet, download: true };
}

Deno.test("manifest lists MNIST and CIFAR-10 with sizes, SHA-256 and https URLs", () => {
  const names = MANIFEST.map((e) => e.name);
  for (const name of [...Object.values(MNIST_FILES), CIFAR10_ARCHIVE]) {
    assert.ok(names.includes(name), `${name} missing from data/manifest.json`);
  }
  for (const e of MANIFEST) {
    assert.match(e.sha256, /^[0-9a-f]{64}$/, e.name);
    assert.ok(Number.isInteger(e.size) && e.size > 0, e.name);
    assert.ok(
      e.urls.length > 0 &&
        e.urls.every((u) => u.startsWith("https://") && u.endsWith(`/${e.name}`)),
    );
  }
});

Deno.test("ensureFile downloads a missing file, verifies it and writes only it", async () => {
  await withTempDir(async (dir) => {
    const { fetch, calls } = fakeFetch({
      [URLS[0]]: () => new Response(BYTES),
    });
    const path = await ensureFile("blob.bin", opts(join(dir, "cache"), fetch));
    assert.equal(path, join(dir, "cache", "blob.bin"));
    assert.deepEqual(await Deno.readFile(path), BYTES);
    assert.deepEqual(calls, [URLS[0]]);
    assert.deepEqual(await listDir(join(dir, "cache")), ["blob.bin"]);
  });
});

Deno.test("ensureFile uses a present, matching file without fetching", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "blob.bin"), BYTES);
    const { fetch, calls } = fakeFetch({});
    assert.equal(
      await ensureFile("blob.bin", opts(dir, fetch)),
      join(dir, "blob.bin"),
    );
    assert.deepEqual(calls, []);
  });
});

Deno.test("ensureBytes returns the verified bytes of a present or downloaded file", async () => {
  await withTempDir(async (dir) => {
    const { fetch, calls } = fakeFetch({
      [URLS[0]]: () => new Response(BYTES),
    });
    const cache = join(dir, "cache");
    const fetched = await ensureBytes("blob.bin", opts(cache, fetch));
    assert.equal(fetched.path, join(cache, "blob.bin"));
    assert.deepEqual(fetched.bytes, BYTES);
    assert.deepEqual(await Deno.readFile(fetched.path), BYTES);
    const cached = await ensureBytes("blob.bin", opts(cache, fetch));
    assert.deepEqual(cached, fetched);
    assert.deepEqual(calls, [URLS[0]]);
  });
});

Deno.test("ensureBytes refuses a damaged cached file as ensureFile does", async () => {
  await withTempDir(async (dir) => {
    const damaged = BYTES.slice();
    damaged[0] ^= 1;
    await Deno.writeFile(join(dir, "blob.bin"), damaged);
    const { fetch } = fakeFetch({});
    await assert.rejects(
      ensureBytes("blob.bin", opts(dir, fetch)),
      /does not match the manifest: its SHA-256 is [0-9a-f]{64}/,
    );
  });
});

Deno.test("ensureFile falls back to the next URL when the first fails", async () => {
  await withTempDir(async (dir) => {
    const lines: string[] = [];
    const { fetch, calls } = fakeFetch({
      [URLS[1]]: () => new Response(BYTES),
    });
    const path = await ensureFile("blob.bin", {
      ...opts(dir, fetch),
      log: (l) => lines.push(l),
    });
    assert.deepEqual(await Deno.readFile(path), BYTES);
    assert.deepEqual(calls, URLS);
    assert.match(
      lines.join("\n"),
      /Downloading blob\.bin .* from https:\/\/mirror\.invalid\/blob\.bin/,
    );
  });
});

Deno.test("offline: the error names the file, the expected path, the URL and the fix", async () => {
  await withTempDir(async (dir) => {
    const { fetch } = fakeFetch({});
    await assert.rejects(
      ensureFile("blob.bin", opts(dir, fetch)),
      (err: Error) => {
        assert.match(
          err.message,
          /Data file blob\.bin \(test blob\) is not in .* and could not be downloaded/,
        );
        assert.match(
          err.message,
          /https:\/\/primary\.invalid\/blob\.bin: error sending request/,
        );
        assert.match(err.message, /Nothing was written to the cache/);
        assert.ok(
          err.message.includes(`save it as ${join(dir, "blob.bin")}`),
          err.message,
        );
        assert.match(
          err.message,
          /or set LENSES_DATA to a directory that already holds blob\.bin/,
        );
        return true;
      },
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("a download with the wrong checksum or size leaves no file behind", async () => {
  await withTempDir(async (dir) => {
    const wrong = BYTES.map((b) => b ^ 1);
    const { fetch } = fakeFetch({
      [URLS[0]]: () => new Response(wrong),
      [URLS[1]]: () => new Response(BYTES.subarray(0, 100)),
    });
    await assert.rejects(
      ensureFile("blob.bin", opts(dir, fetch)),
      (err: Error) => {
        assert.match(
          err.message,
          /primary\.invalid\/blob\.bin: checksum mismatch: its SHA-256 is [0-9a-f]{64}, the manifest says/,
        );
        assert.match(
          err.message,
          /mirror\.invalid\/blob\.bin: checksum mismatch: it has 100 bytes, the manifest says 5000/,
        );
        return true;
      },
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("an HTTP error and a connection lost mid-body leave no file behind", async () => {
  await withTempDir(async (dir) => {
    const broken = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(BYTES.subarray(0, 1000));
            controller.error(new Error("connection reset"));
          },
        }),
      );
    const { fetch } = fakeFetch({
      [URLS[0]]: () => new Response("gone", { status: 404, statusText: "Not Found" }),
      [URLS[1]]: broken,
    });
    await assert.rejects(
      ensureFile("blob.bin", opts(dir, fetch)),
      (err: Error) => {
        assert.match(
          err.message,
          /primary\.invalid\/blob\.bin: HTTP 404 Not Found/,
        );
        assert.match(
          err.message,
          /mirror\.invalid\/blob\.bin: connection reset/,
        );
        return true;
      },
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("a present file that does not match is reported and left untouched", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "blob.bin");
    const corrupt = BYTES.slice();
    corrupt[42] ^= 0xff;
    await Deno.writeFile(path, corrupt);
    const { fetch, calls } = fakeFetch({
      [URLS[0]]: () => new Response(BYTES),
    });
    await assert.rejects(
      ensureFile("blob.bin", opts(dir, fetch)),
      /Data file .*blob\.bin \(test blob\) does not match the manifest: its SHA-256 is [0-9a-f]{64}, the manifest says .* Delete it to download it again/,
    );
    assert.deepEqual(calls, []);
    assert.deepEqual(await Deno.readFile(path), corrupt);
  });
});

Deno.test("downloads can be turned off by option and by LENSES_OFFLINE=1", async () => {
  await withTempDir(async (dir) => {
    const { fetch, calls } = fakeFetch({
      [URLS[0]]: () => new Response(BYTES),
    });
    await assert.rejects(
      ensureFile("blob.bin", { ...opts(dir, fetch), download: false }),
      /blob\.bin \(test blob\) is not in .*, and downloads are off .* download https:\/\/primary\.invalid\/blob\.bin by hand/,
    );
    Deno.env.set("LENSES_OFFLINE", "1");
    try {
      await assert.rejects(
        ensureFile("blob.bin", { ...opts(dir, fetch), download: undefined }),
        /downloads are off \(LENSES_OFFLINE=1/,
      );
    } finally {
      Deno.env.delete("LENSES_OFFLINE");
    }
    assert.deepEqual(calls, []);
  });
});

Deno.test("an unknown file name lists the known ones", async () => {
  await assert.rejects(
    ensureFile("mnist.npz", { manifest: [ENTRY], log: quiet }),
    /"mnist\.npz" is not in the data manifest \(data\/manifest\.json\); known files: blob\.bin/,
  );
});

Deno.test("dataDir: LENSES_DATA when set, else data/cache of the repository whatever the cwd", () => {
  const repoCache = fileURLToPath(new URL("../../data/cache", import.meta.url));
  const before = Deno.env.get("LENSES_DATA");
  const cwd = Deno.cwd();
  const tmp = Deno.makeTempDirSync({ prefix: "lenses-data-test-" });
  try {
    Deno.env.delete("LENSES_DATA");
    assert.equal(dataDir(), repoCache);
    Deno.chdir(tmp);
    assert.equal(dataDir(), repoCache);
    Deno.env.set("LENSES_DATA", "datasets");
    assert.equal(dataDir(), join(Deno.cwd(), "datasets"));
  } finally {
    Deno.chdir(cwd);
    Deno.removeSync(tmp, { recursive: true });
    if (before === undefined) Deno.env.delete("LENSES_DATA");
    else Deno.env.set("LENSES_DATA", before);
  }
});
