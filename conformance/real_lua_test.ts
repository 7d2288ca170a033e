import assert from "node:assert/strict";
import { sandbox } from "../tests/_helpers.ts";
import { FAKE_LUA, ignoreWithoutNode } from "./_testing.ts";
import { LOOPBACK_ONLY_URL, realLua } from "./real_lua.ts";

const ignore = ignoreWithoutNode("real_lua_test");

Deno.test({
  name: "realLua: a cleared environment with the sandbox's HOME, unattended, telemetry off",
  ignore,
  async fn() {
    const sb = await sandbox();
    try {
      const result = await realLua(FAKE_LUA, sb, ["env"], { env: { LUA_API_URL: "http://x" } });
      assert.equal(result.code, 0, result.stderr);
      const { cwd, env } = JSON.parse(result.stdout) as {
        cwd: string;
        env: Record<string, string>;
      };
      assert.equal(cwd, sb.cwd);
      assert.equal(env.HOME, sb.home);
      assert.equal(env.CI, "1");
      assert.equal(env.NO_COLOR, "1");
      assert.equal(env.LUA_TELEMETRY, "false");
      assert.equal(env.LUA_API_URL, "http://x");
      assert.equal(env.NODE_OPTIONS, `--import=${LOOPBACK_ONLY_URL}`);
      // Nothing of this process leaks in: no key, no Deno settings, no real HOME.
      for (const name of Object.keys(env)) {
        assert.ok(!name.startsWith("DENO_") && name !== "LUA_API_KEY", `${name} leaked in`);
      }
      const telemetry = await realLua(FAKE_LUA, sb, ["env"], { telemetry: true });
      assert.equal(JSON.parse(telemetry.stdout).env.LUA_TELEMETRY, undefined);
    } finally {
      await sb.cleanup();
    }
  },
});

Deno.test({
  name: "realLua: whatever the client tries outside 127.0.0.1 is refused and reported",
  ignore,
  async fn() {
    const sb = await sandbox();
    try {
      const result = await realLua(FAKE_LUA, sb, ["phone-home"]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.refused, [
        "fetch registry.npmjs.org:443",
        "fetch us.i.posthog.com:443",
        "net identitytoolkit.googleapis.com:443",
      ]);
      assert.ok(result.ms < 10_000, `${result.ms} ms`);
      const quiet = await realLua(FAKE_LUA, sb, ["exit", "9"]);
      assert.equal(quiet.code, 9);
      assert.deepEqual(quiet.refused, []);
    } finally {
      await sb.cleanup();
    }
  },
});

Deno.test({
  name: "realLua: a client that does not finish in time is killed and reported",
  ignore,
  async fn() {
    const sb = await sandbox();
    try {
      await Deno.writeTextFile(`${sb.cwd}/hang.mjs`, "setInterval(() => {}, 1000);\n");
      await assert.rejects(
        realLua(`${sb.cwd}/hang.mjs`, sb, ["x"], { timeoutMs: 300 }),
        /ran longer than 300 ms: lua x/,
      );
    } finally {
      await sb.cleanup();
    }
  },
});
