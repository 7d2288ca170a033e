import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunOutput } from "../testing/process.ts";
import { installPinned, userCacheDir } from "./npm_cache.ts";

const PACKAGES = { name: "fixture", dependencies: { "left-pad": "1.3.0" } };
const noWait = (): number => 0;

/** An install that fails `failures` times, then writes a node_modules entry. */
function flakyInstall(failures: number): {
  install: (dir: string) => Promise<RunOutput>;
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    async install(dir: string): Promise<RunOutput> {
      calls.push(dir);
      assert.deepEqual(JSON.parse(await Deno.readTextFile(join(dir, "package.json"))), {
        private: true,
        ...PACKAGES,
      });
      if (calls.length <= failures) {
        return { code: 1, stdout: "", stderr: `ETIMEDOUT ${calls.length}` };
      }
      await Deno.mkdir(join(dir, "node_modules", "left-pad"), { recursive: true });
      return { code: 0, stdout: "", stderr: "" };
    },
  };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lua-npm-cache-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("installPinned retries a failed install and renames the finished one into place", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "cache", "left-pad");
    const fake = flakyInstall(2);
    const retries: string[] = [];
    const result = await installPinned(dir, {
      ...PACKAGES,
      backoffMs: noWait,
      install: fake.install,
      onRetry: (attempt, detail) => retries.push(`${attempt}: ${detail}`),
    });
    assert.equal(result, dir);
    assert.equal(fake.calls.length, 3);
    assert.deepEqual(retries, ["1: exit 1: ETIMEDOUT 1", "2: exit 1: ETIMEDOUT 2"]);
    assert.ok((await Deno.stat(join(dir, "node_modules", "left-pad"))).isDirectory);
    assert.ok((await Deno.stat(join(dir, ".complete"))).isFile);
    // Nothing is left beside it: every attempt's staging directory is gone.
    const siblings = [];
    for await (const entry of Deno.readDir(join(root, "cache"))) siblings.push(entry.name);
    assert.deepEqual(siblings, ["left-pad"]);
  });
});

Deno.test("installPinned reuses a complete install without running npm", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "left-pad");
    await installPinned(dir, { ...PACKAGES, install: flakyInstall(0).install });
    const again = flakyInstall(0);
    assert.equal(await installPinned(dir, { ...PACKAGES, install: again.install }), dir);
    assert.equal(again.calls.length, 0);
  });
});

Deno.test("installPinned gives up after the last attempt, naming the packages and npm's words", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "left-pad");
    const fake = flakyInstall(Infinity);
    await assert.rejects(
      installPinned(dir, { ...PACKAGES, attempts: 2, backoffMs: noWait, install: fake.install }),
      (error: Error) => {
        assert.match(error.message, /^Cannot install left-pad@1\.3\.0 into ".*" after 2 attempts/);
        assert.match(error.message, /exit 1: ETIMEDOUT 2$/);
        return true;
      },
    );
    assert.equal(fake.calls.length, 2);
    await assert.rejects(Deno.lstat(dir), Deno.errors.NotFound);
  });
});

Deno.test("installPinned treats a thrown install (npm missing) as a failed attempt", async () => {
  await withTempDir(async (root) => {
    await assert.rejects(
      installPinned(join(root, "x"), {
        ...PACKAGES,
        attempts: 1,
        install: () => Promise.reject(new Deno.errors.NotFound("npm: not found")),
      }),
      /after 1 attempts: exit -1: npm: not found/,
    );
  });
});

Deno.test("userCacheDir prefers XDG_CACHE_HOME, then ~/.cache", () => {
  const saved = { xdg: Deno.env.get("XDG_CACHE_HOME"), home: Deno.env.get("HOME") };
  try {
    Deno.env.set("XDG_CACHE_HOME", "/xdg/cache");
    assert.equal(userCacheDir(), "/xdg/cache");
    Deno.env.delete("XDG_CACHE_HOME");
    Deno.env.set("HOME", "/home/ada");
    assert.equal(userCacheDir(), join("/home/ada", ".cache"));
  } finally {
    for (const [name, value] of [["XDG_CACHE_HOME", saved.xdg], ["HOME", saved.home]] as const) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});
