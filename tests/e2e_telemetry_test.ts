/**
 * End-to-end tests of telemetry: one PostHog capture per run to `LUA_TELEMETRY_URL` (here the
 * emulator, which records captures), with exactly the documented fields and no secret; the
 * switches `lua telemetry on|off`, `LUA_TELEMETRY` (exported or in `.env`) and `DO_NOT_TRACK`;
 * and an endpoint that fails never delays or fails a command.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DOCUMENTED_PROPERTIES } from "../testing/capture.ts";
import { join } from "node:path";
import { exists, modeOf, NO_TELEMETRY_URL, SAMPLE_KEY } from "./_helpers.ts";
import { captures, fault, withWorld } from "./_world.ts";

/** Telemetry on: `baseEnv`'s `LUA_TELEMETRY=false` removed. */
const ON = { LUA_TELEMETRY: undefined, LUA_API_KEY: SAMPLE_KEY };
const NOTICE = /anonymous usage data/;

Deno.test("telemetry: one capture per run, exactly the documented fields, no secret", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const env = { ...ON, CI: "true" };
    const first = await run(["auth", "key", "--force"], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, NOTICE);
    assert.match(first.stderr, /lua telemetry off/);
    assert.match(first.stderr, /LUA_TELEMETRY=false/);
    const file = join(sb.home, ".lua-cli", "telemetry.json");
    assert.ok(await exists(file));
    assert.equal(await modeOf(file), 0o600);
    const saved = JSON.parse(await Deno.readTextFile(file));
    assert.deepEqual(Object.keys(saved).sort(), ["anonymousId", "enabled", "noticeShown"]);
    assert.equal(saved.enabled, true);
    assert.equal(saved.noticeShown, true);

    const second = await run(["auth", "configure", "--api-key", SAMPLE_KEY], { env });
    assert.equal(second.code, 9);
    assert.doesNotMatch(second.stderr, NOTICE, "the notice is shown once");

    const events = await captures(server);
    assert.equal(events.length, 2);
    for (const event of events) {
      assert.deepEqual(Object.keys(event).sort(), [
        "api_key",
        "distinct_id",
        "event",
        "properties",
        "timestamp",
      ]);
      assert.equal(event.event, "cli_command_executed");
      assert.equal(event.distinct_id, `anon_${saved.anonymousId}`);
      assert.match(event.api_key as string, /^phc_/);
      assert.ok(!Number.isNaN(Date.parse(event.timestamp as string)));
      assert.deepEqual(Object.keys(event.properties as object).sort(), DOCUMENTED_PROPERTIES);
    }
    const [key, configure] = events.map((e) => e.properties as Record<string, unknown>);
    assert.equal(key!.command, "auth key");
    assert.equal(key!.success, true);
    assert.equal(key!.exit_code, 0);
    assert.equal(key!.runtime, "deno");
    assert.equal(key!.ci_mode, true);
    assert.equal(key!.$process_person_profile, false);
    assert.equal(typeof key!.duration_ms, "number");
    assert.equal(configure!.command, "auth configure");
    assert.equal(configure!.mode, "api-key");
    assert.equal(configure!.success, false);
    assert.equal(configure!.exit_code, 9);
    const text = JSON.stringify(events);
    for (const secret of [SAMPLE_KEY, sb.home, sb.cwd]) assert.ok(!text.includes(secret));
  });
});

Deno.test("telemetry: lua telemetry off, then no capture is sent; on, then one is", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const off = await run(["telemetry", "off"], { env: ON });
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stderr, /Telemetry disabled in /);
    const file = join(sb.home, ".lua-cli", "telemetry.json");
    assert.equal(JSON.parse(await Deno.readTextFile(file)).enabled, false);
    const status = await run(["telemetry", "status"], { env: ON });
    assert.equal(status.stdout, "Telemetry: disabled\n");
    const quiet = await run(["auth", "key", "--force"], { env: ON });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, NOTICE);
    assert.deepEqual(await captures(server), [], "off: nothing is sent");

    const on = await run(["telemetry", "on"], { env: ON });
    assert.equal(on.code, 0, on.stderr);
    assert.equal(JSON.parse(await Deno.readTextFile(file)).enabled, true);
    const sent = await run(["auth", "key", "--force"], { env: ON });
    assert.equal(sent.code, 0, sent.stderr);
    const commands = (await captures(server)).map((e) =>
      (e.properties as Record<string, unknown>).command
    );
    assert.deepEqual(commands, ["telemetry on", "auth key"], "on: one capture per command");
  });
});

Deno.test("telemetry: every opt-out form sends nothing", async (t) => {
  const forms: [string, Record<string, string | undefined>, string?][] = [
    ["LUA_TELEMETRY=false", { LUA_TELEMETRY: "false" }],
    ["LUA_TELEMETRY=FALSE", { LUA_TELEMETRY: "FALSE" }],
    ["LUA_TELEMETRY=0", { LUA_TELEMETRY: "0" }],
    ["LUA_TELEMETRY=off", { LUA_TELEMETRY: "off" }],
    ["LUA_TELEMETRY=No", { LUA_TELEMETRY: "No" }],
    ["DO_NOT_TRACK=1", { LUA_TELEMETRY: "true", DO_NOT_TRACK: "1" }],
    ["LUA_TELEMETRY=false in .env", { LUA_TELEMETRY: undefined }, "LUA_TELEMETRY=false\n"],
    ["LUA_TELEMETRY=off in .env", { LUA_TELEMETRY: undefined }, "OTHER=1\nLUA_TELEMETRY=off\n"],
  ];
  for (const [name, form, dotenv] of forms) {
    await t.step(name, async () => {
      await withWorld(async ({ server, sb, requests, run }) => {
        if (dotenv !== undefined) await Deno.writeTextFile(join(sb.cwd, ".env"), dotenv);
        const result = await run(["auth", "key", "--force"], {
          env: { LUA_API_KEY: SAMPLE_KEY, ...form },
        });
        assert.equal(result.code, 0, result.stderr);
        assert.doesNotMatch(result.stderr, NOTICE);
        assert.deepEqual(await captures(server), []);
        assert.deepEqual(requests, []);
        assert.equal(await exists(join(sb.home, ".lua-cli")), false, "no telemetry file");
      });
    });
  }
  await t.step("an exported LUA_TELEMETRY=true wins over LUA_TELEMETRY=false in .env", async () => {
    await withWorld(async ({ server, sb, run }) => {
      await Deno.writeTextFile(join(sb.cwd, ".env"), "LUA_TELEMETRY=false\n");
      const result = await run(["auth", "key", "--force"], {
        env: { LUA_API_KEY: SAMPLE_KEY, LUA_TELEMETRY: "true" },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await captures(server)).length, 1);
    });
  });
});

Deno.test("telemetry: a hanging, failing or closed endpoint never delays, prints or changes exit", async () => {
  await withWorld(async ({ server, run }) => {
    const quiet = await run(["auth", "key", "--force"], { env: { LUA_API_KEY: SAMPLE_KEY } });
    for (const mode of ["hang", "500", "delay", "endless", "redirect"]) {
      await fault(server, { path: "/i/v0/e/", mode, delayMs: 5_000 });
      const result = await run(["auth", "key", "--force"], { env: ON });
      assert.equal(result.code, 0, mode);
      assert.equal(result.stdout, `${SAMPLE_KEY}\n`);
      assert.ok(!/error/i.test(result.stderr), `${mode}: ${result.stderr}`);
      // 150 ms budget, plus generous slack for a loaded machine.
      assert.ok(result.ms < quiet.ms + 150 + 400, `${mode}: ${result.ms} ms vs ${quiet.ms} ms`);
      assert.ok(result.lingerMs < 500, `${mode}: exited ${result.lingerMs} ms after printing`);
    }
    server.emulator.releasePending();
    const closed = await run(["auth", "key", "--force"], {
      env: { ...ON, LUA_TELEMETRY_URL: NO_TELEMETRY_URL },
    });
    assert.equal(closed.code, 0);
    assert.ok(!/error/i.test(closed.stderr), closed.stderr);
  });
});
