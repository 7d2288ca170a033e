import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator } from "../emulator/server.ts";
import { exists, lua, SAMPLE_KEY, sandbox } from "./_helpers.ts";

const ON = { LUA_TELEMETRY: "true", LUA_API_KEY: SAMPLE_KEY };

Deno.test("telemetry: one event per run, exactly the documented fields, no secret", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const env = { ...ON, LUA_API_URL: server.url, LUA_AUTH_URL: server.url, CI: "true" };
    const first = await lua(sb, ["auth", "key", "--force"], { env });
    assert.equal(first.code, 0);
    assert.match(first.stderr, /anonymous usage data/);
    assert.match(first.stderr, /LUA_TELEMETRY=false/);
    assert.ok(await exists(join(sb.home, ".lua-cli", "telemetry.json")));
    const second = await lua(sb, ["auth", "configure", "--api-key", SAMPLE_KEY], { env });
    assert.equal(second.code, 9);
    assert.ok(!second.stderr.includes("anonymous usage data"), "the notice is shown once");
    const events = server.emulator.telemetry() as Record<string, unknown>[];
    assert.equal(events.length, 2);
    assert.deepEqual(Object.keys(events[0]!).sort(), [
      "ci",
      "command",
      "durationMs",
      "event",
      "exitCode",
      "mode",
      "os",
      "outcome",
      "runtime",
      "version",
    ]);
    assert.equal(events[0]!.command, "auth key");
    assert.equal(events[0]!.outcome, "success");
    assert.equal(events[0]!.runtime, "deno");
    assert.equal(events[0]!.ci, true);
    assert.equal(events[1]!.command, "auth configure");
    assert.equal(events[1]!.mode, "api-key");
    assert.equal(events[1]!.exitCode, 9);
    const text = JSON.stringify(events);
    for (const secret of [SAMPLE_KEY, sb.home, sb.cwd]) assert.ok(!text.includes(secret));
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

Deno.test("telemetry: every opt-out form records nothing", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const forms: Record<string, string>[] = [
      { LUA_TELEMETRY: "false" },
      { LUA_TELEMETRY: "FALSE" },
      { LUA_TELEMETRY: "0" },
      { LUA_TELEMETRY: "off" },
      { LUA_TELEMETRY: "No" },
      { LUA_TELEMETRY: "true", DO_NOT_TRACK: "1" },
    ];
    for (const form of forms) {
      const env = { LUA_API_KEY: SAMPLE_KEY, LUA_API_URL: server.url, ...form };
      const result = await lua(sb, ["auth", "key", "--force"], { env });
      assert.equal(result.code, 0);
      assert.ok(!result.stderr.includes("anonymous usage data"), JSON.stringify(form));
    }
    assert.deepEqual(server.emulator.telemetry(), []);
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

Deno.test("telemetry: a hanging, failing or closed endpoint never delays, prints or changes exit", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const base = { LUA_API_KEY: SAMPLE_KEY, LUA_API_URL: server.url };
    const quiet = await lua(sb, ["auth", "key", "--force"], {
      env: { ...base, LUA_TELEMETRY: "false" },
    });
    for (const mode of ["hang", "500", "delay"]) {
      await fetch(`${server.url}/_emulator/faults`, {
        method: "POST",
        body: JSON.stringify({ path: "/telemetry", mode, delayMs: 5_000 }),
      }).then((r) => r.body?.cancel());
      const result = await lua(sb, ["auth", "key", "--force"], {
        env: { ...base, LUA_TELEMETRY: "true" },
      });
      assert.equal(result.code, 0, mode);
      assert.equal(result.stdout, `${SAMPLE_KEY}\n`);
      assert.ok(!/error/i.test(result.stderr), `${mode}: ${result.stderr}`);
      // 150 ms budget, plus generous slack for a loaded machine.
      assert.ok(result.ms < quiet.ms + 150 + 400, `${mode}: ${result.ms} ms vs ${quiet.ms} ms`);
    }
    const closed = await lua(sb, ["auth", "key", "--force"], {
      env: { ...base, LUA_TELEMETRY: "true", LUA_API_URL: "http://127.0.0.1:9" },
    });
    assert.equal(closed.code, 0);
    assert.ok(!/error/i.test(closed.stderr), closed.stderr);
  } finally {
    await server.close();
    await sb.cleanup();
  }
});
