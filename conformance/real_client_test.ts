import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunOutput } from "../testing/process.ts";
import {
  ensureRealClient,
  REAL_CLIENT_PACKAGE,
  REAL_CLIENT_VERSION,
  realClientDir,
} from "./real_client.ts";

const NODE_OK = (): Promise<RunOutput> =>
  Promise.resolve({ code: 0, stdout: "v20.0.0\n", stderr: "" });
const noWait = (): number => 0;

/** An install that writes `lua-cli`'s package.json (as given) and its entry script. */
function fakeInstall(manifest: Record<string, unknown>): (dir: string) => Promise<RunOutput> {
  return async (dir) => {
    const requested = JSON.parse(await Deno.readTextFile(join(dir, "package.json")));
    assert.deepEqual(requested.dependencies, { [REAL_CLIENT_PACKAGE]: REAL_CLIENT_VERSION });
    const pkg = join(dir, "node_modules", REAL_CLIENT_PACKAGE);
    await Deno.mkdir(join(pkg, "dist"), { recursive: true });
    await Deno.writeTextFile(join(pkg, "package.json"), JSON.stringify(manifest));
    await Deno.writeTextFile(join(pkg, "dist", "index.js"), "#!/usr/bin/env node\n");
    return { code: 0, stdout: "", stderr: "" };
  };
}

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lua-real-client-" });
  try {
    await fn(join(dir, "cache", "lua-cli"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ensureRealClient installs the pinned version and finds its bin.lua", async () => {
  await inTempDir(async (dir) => {
    const client = await ensureRealClient({
      dir,
      nodeVersion: NODE_OK,
      install: fakeInstall({
        version: REAL_CLIENT_VERSION,
        bin: { lua: "./dist/index.js", "lua-ai": "./dist/index.js" },
      }),
    });
    assert.deepEqual(client, {
      ok: true,
      dir,
      entry: join(dir, "node_modules", REAL_CLIENT_PACKAGE, "dist", "index.js"),
      node: "v20.0.0",
    });
  });
});

Deno.test("ensureRealClient: no Node.js is a reason, and nothing is installed", async () => {
  await inTempDir(async (dir) => {
    let installs = 0;
    const client = await ensureRealClient({
      dir,
      nodeVersion: () => Promise.reject(new Deno.errors.NotFound("node: not found")),
      install: () => {
        installs++;
        return Promise.resolve({ code: 0, stdout: "", stderr: "" });
      },
    });
    assert.deepEqual(client, {
      ok: false,
      reason: "Node.js cannot be run here (node: not found).",
    });
    assert.equal(installs, 0);
  });
});

Deno.test("ensureRealClient retries a failing install, then gives the reason", async () => {
  await inTempDir(async (dir) => {
    const lines: string[] = [];
    let installs = 0;
    const client = await ensureRealClient({
      dir,
      nodeVersion: NODE_OK,
      backoffMs: noWait,
      log: (line) => lines.push(line),
      install: () => {
        installs++;
        return Promise.resolve({ code: 1, stdout: "", stderr: "npm error code E403" });
      },
    });
    assert.equal(installs, 3);
    assert.equal(client.ok, false);
    assert.match(
      (client as { reason: string }).reason,
      new RegExp(
        `^Cannot install lua-cli@${
          REAL_CLIENT_VERSION.replaceAll(".", "\\.")
        } .* after 3 attempts: exit 1: npm error code E403$`,
      ),
    );
    assert.equal(lines.filter((line) => line.includes("retrying")).length, 2);
  });
});

Deno.test("ensureRealClient refuses a cache holding another version", async () => {
  await inTempDir(async (dir) => {
    const client = await ensureRealClient({
      dir,
      nodeVersion: NODE_OK,
      install: fakeInstall({ version: "3.38.0", bin: { lua: "./dist/index.js" } }),
    });
    assert.equal(client.ok, false);
    assert.match((client as { reason: string }).reason, /holds version "3\.38\.0"\); delete it/);
  });
});

Deno.test("ensureRealClient refuses a package without bin.lua", async () => {
  await inTempDir(async (dir) => {
    const client = await ensureRealClient({
      dir,
      nodeVersion: NODE_OK,
      install: fakeInstall({ version: REAL_CLIENT_VERSION, bin: { heylua: "./dist/index.js" } }),
    });
    assert.equal(client.ok, false);
    assert.match((client as { reason: string }).reason, /no bin\.lua/);
  });
});

Deno.test("realClientDir is outside the repository, named after the version", () => {
  const saved = Deno.env.get("LUA_CONFORMANCE_DIR");
  try {
    Deno.env.delete("LUA_CONFORMANCE_DIR");
    const dir = realClientDir();
    assert.ok(dir.endsWith(join("lua-conformance", `lua-cli-${REAL_CLIENT_VERSION}`)), dir);
    const root = new URL("..", import.meta.url).pathname;
    assert.ok(!dir.startsWith(root), `${dir} is inside ${root}`);
    Deno.env.set("LUA_CONFORMANCE_DIR", "/opt/lua-cli");
    assert.equal(realClientDir(), "/opt/lua-cli");
  } finally {
    if (saved === undefined) Deno.env.delete("LUA_CONFORMANCE_DIR");
    else Deno.env.set("LUA_CONFORMANCE_DIR", saved);
  }
});
