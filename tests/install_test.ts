/**
 * The Deno ways in: `deno install -g` with the permission flags written out, and a
 * `deno compile` binary for CI authenticating with LUA_API_KEY.
 *
 * `deno compile` downloads a runtime (denort) that cannot be fetched on machines without
 * access to dl.deno.land; there the compile test is reported as ignored, with the reason
 * printed, never as passed. Setting DENORT_BIN to a local denort binary makes it run offline.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { buildDeno } from "../scripts/build_deno.ts";
import { run } from "../testing/process.ts";
import { PROMPTS_SPECIFIER } from "../src/cli/io.ts";
import {
  baseEnv,
  LUA_PERMISSIONS,
  LUA_V8_FLAGS,
  MAIN,
  ROOT,
  SAMPLE_KEY,
  sandbox,
} from "./_helpers.ts";

Deno.test("README's deno install line has exactly the flags these tests install with", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const flags = [...LUA_PERMISSIONS, LUA_V8_FLAGS].join(" ");
  assert.ok(readme.includes(`deno install -g -n lua ${flags} "$PWD/dist/lua.js"`), flags);
});

Deno.test("deno install -g: the installed bundle runs with the baked-in permissions", async () => {
  const sb = await sandbox();
  try {
    // README: `deno task build:deno`, then `deno install` of dist/lua.js.
    const bundle = await buildDeno(ROOT, join(sb.dir, "dist", "lua.js"));
    const root = join(sb.dir, "install-root");
    const env: Record<string, string> = { ...baseEnv(sb), DENO_INSTALL_ROOT: root };
    const install = await run(
      Deno.execPath(),
      ["install", "-g", "-n", "lua", ...LUA_PERMISSIONS, LUA_V8_FLAGS, bundle],
      { clearEnv: true, env },
    );
    assert.equal(install.code, 0, install.stderr);
    const script = await Deno.readTextFile(join(root, "bin", "lua"));
    for (const flag of [...LUA_PERMISSIONS, LUA_V8_FLAGS]) {
      assert.ok(script.includes(flag), `${flag} in ${script}`);
    }
    // The launcher runs `deno` from PATH: put this Deno there, as an installed Deno would be.
    const key = await run(join(root, "bin", "lua"), ["auth", "key", "--force"], {
      cwd: sb.cwd,
      clearEnv: true,
      env: {
        ...env,
        PATH: `${dirname(Deno.execPath())}:${env["PATH"] ?? ""}`,
        LUA_API_KEY: SAMPLE_KEY,
      },
    });
    assert.equal(key.code, 0, key.stderr);
    assert.equal(key.stdout, `${SAMPLE_KEY}\n`);
  } finally {
    await sb.cleanup();
  }
});

const compileDir = await Deno.makeTempDir({ prefix: "lua-compile-" });
const binary = join(compileDir, "lua");
const compiled = await run(Deno.execPath(), [
  "compile",
  "--include",
  PROMPTS_SPECIFIER,
  "--config",
  join(ROOT, "deno.json"),
  ...LUA_PERMISSIONS,
  "--output",
  binary,
  MAIN,
], { env: { NO_COLOR: "1" } });
const compiledOk = compiled.code === 0;
const compileError = compiledOk ? "" : compiled.stderr.trim().split("\n")
  .map((line) => line.trim()).filter((line) => /error|download/i.test(line)).slice(-4).join(" | ");
if (!compiledOk) {
  await Deno.remove(compileDir, { recursive: true });
  console.log(
    `SKIPPED deno compile: the runtime could not be obtained here (${compileError}). ` +
      "Set DENORT_BIN to a local denort binary to run this test offline.",
  );
}

Deno.test({
  name: "deno compile: the binary authenticates with LUA_API_KEY (ignored when denort is missing)",
  ignore: !compiledOk,
  fn: async () => {
    const sb = await sandbox();
    try {
      const options = {
        cwd: sb.cwd,
        clearEnv: true,
        env: { ...baseEnv(sb), LUA_API_KEY: SAMPLE_KEY },
      };
      const key = await run(binary, ["auth", "key", "--force"], options);
      assert.equal(key.code, 0, key.stderr);
      assert.equal(key.stdout, `${SAMPLE_KEY}\n`);
      const status = await run(binary, ["auth", "status", "--offline", "--json"], options);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(JSON.parse(status.stdout).active.kind, "env");
    } finally {
      await sb.cleanup();
      await Deno.remove(compileDir, { recursive: true });
    }
  },
});
