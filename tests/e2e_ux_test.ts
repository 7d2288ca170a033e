/**
 * End to end, without a terminal: no spinner and no escape codes, `--json` for scripts, and the
 * messages of issue 12 (a Lua script given to this CLI, a network failure printed once).
 *
 * @module
 */

import assert from "node:assert/strict";
import { lua, sandbox } from "./_helpers.ts";
import { closedPort, fault, outbox, withWorld } from "./_world.ts";

const EMAIL = "ada@example.com";

Deno.test("e2e: lua hello.lua says this is the Lua platform CLI, exit 2", async () => {
  const sb = await sandbox();
  try {
    await Deno.writeTextFile(`${sb.cwd}/script`, "print('hi')\n");
    for (const arg of ["hello.lua", "script"]) {
      const result = await lua(sb, [arg]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /the Lua platform CLI, not the Lua interpreter/);
      assert.doesNotMatch(result.stderr, /unknown command/);
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("e2e: without a terminal, a slow request shows no spinner and writes no escape code", async () => {
  await withWorld(async ({ server, run }) => {
    await fault(server, { path: "/otp", mode: "delay", delayMs: 600, count: 1 });
    const result = await run(["auth", "configure", "--email", EMAIL]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stderr.includes("\x1b"), JSON.stringify(result.stderr));
    assert.ok(!result.stderr.includes("\r"), JSON.stringify(result.stderr));
    assert.doesNotMatch(result.stderr, /Sending the code/);
  });
});

Deno.test("e2e: the OTP flow with --json, as an agent runs it", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const sent = await run(["auth", "configure", "--email", EMAIL, "--json"]);
    assert.equal(sent.code, 0, sent.stderr);
    const step1 = JSON.parse(sent.stdout);
    assert.equal(step1.schemaVersion, 1);
    assert.equal(step1.status, "code_sent");
    assert.equal(step1.next, `lua auth configure --email ${EMAIL} --otp <code>`);
    const [mail] = await outbox(server, EMAIL);
    const wrong = mail!.code === "000000" ? "111111" : "000000";
    const failed = await run(["auth", "configure", "--email", EMAIL, "--otp", wrong, "--json"]);
    assert.equal(failed.code, 9, "the exit code is the same as without --json");
    assert.deepEqual(Object.keys(JSON.parse(failed.stdout)), ["schemaVersion", "error"]);
    assert.equal(JSON.parse(failed.stdout).error.code, "invalid_otp");
    const args = step1.next.split(" ").slice(1).map((w: string) => w === "<code>" ? mail!.code : w);
    const done = await run([...args, "--json"]);
    assert.equal(done.code, 0, done.stderr);
    const stored = JSON.parse(done.stdout);
    assert.equal(stored.status, "configured");
    const key = await Deno.readTextFile(sb.credentials);
    assert.ok(!done.stdout.includes(key.slice(4, 20)), "the new key is not printed");
    const shown = await run(["auth", "key", "--force", "--json"]);
    assert.equal(JSON.parse(shown.stdout).key, key);
  });
});

Deno.test("e2e: a network failure is printed once, with what to do", async () => {
  const sb = await sandbox();
  try {
    const url = `http://127.0.0.1:${closedPort()}`;
    const result = await lua(sb, ["auth", "configure", "--email", EMAIL], {
      env: { LUA_AUTH_URL: url, LUA_API_URL: url },
    });
    assert.equal(result.code, 11, result.stderr);
    assert.equal(result.stderr.split("Cannot reach the Lua platform").length, 2, result.stderr);
    assert.match(result.stderr, /Check your network connection/);
    assert.match(result.stderr, /LUA_AUTH_URL and LUA_API_URL/);
    assert.match(result.stderr, /HTTPS_PROXY/);
    const json = await lua(sb, ["auth", "configure", "--email", EMAIL, "--json"], {
      env: { LUA_AUTH_URL: url, LUA_API_URL: url },
    });
    assert.equal(json.code, 11);
    const error = JSON.parse(json.stdout).error;
    assert.equal(error.code, "unavailable");
    assert.ok(error.hints.some((h: string) => h.includes("HTTPS_PROXY")), json.stdout);
    assert.equal(json.stderr, "");
  } finally {
    await sb.cleanup();
  }
});
