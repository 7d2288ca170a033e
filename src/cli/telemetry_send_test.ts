import assert from "node:assert/strict";
import { DOCUMENTED_PROPERTIES } from "../../testing/capture.ts";
import { createEmulatedCli } from "../../testing/emulated.ts";
import { createMemoryContext } from "../../testing/memory_context.ts";
import {
  buildCapture,
  captureUrl,
  detectCi,
  POSTHOG_PROJECT_KEY,
  sendTelemetry,
  TELEMETRY_BUDGET_MS,
  TELEMETRY_EVENT,
  TELEMETRY_NOTICE,
} from "./telemetry_send.ts";

const FILE = "/home/user/.lua-cli/telemetry.json";
const env = (vars: Record<string, string>) => (name: string) => vars[name];
const allow = { notice: () => {}, permitted: () => true, mayTouch: () => true };
const RECORD = { command: "auth key", exitCode: 0 };

Deno.test("detectCi: CI and well-known variables", () => {
  assert.equal(detectCi(env({ CI: "true" })), true);
  assert.equal(detectCi(env({ GITHUB_ACTIONS: "true" })), true);
  assert.equal(detectCi(env({ CI: "false" })), false);
  assert.equal(detectCi(env({})), false);
});

Deno.test("the capture is PostHog's shape with exactly the documented properties and no secret", () => {
  const ctx = createMemoryContext({ env: { CI: "1", LUA_API_KEY: "api_secret_value_1234" } });
  const capture = buildCapture(
    { command: "auth configure", mode: "api-key", exitCode: 9 },
    12.7,
    ctx,
    "0b4c6a3e-1f2d-4c5b-9a8e-7d6c5b4a3f2e",
  );
  assert.equal(capture.event, TELEMETRY_EVENT);
  assert.equal(capture.event, "cli_command_executed");
  assert.equal(capture.api_key, POSTHOG_PROJECT_KEY);
  assert.equal(capture.distinct_id, "anon_0b4c6a3e-1f2d-4c5b-9a8e-7d6c5b4a3f2e");
  assert.deepEqual(Object.keys(capture.properties).sort(), DOCUMENTED_PROPERTIES);
  assert.equal(capture.properties.success, false);
  assert.equal(capture.properties.duration_ms, 13);
  assert.equal(capture.properties.ci_mode, true);
  assert.equal(capture.properties.runtime, "deno");
  assert.equal(capture.properties.arch, "x86_64");
  assert.ok(!JSON.stringify(capture).includes("secret"));
});

Deno.test("LUA_POSTHOG_KEY overrides the project key; LUA_TELEMETRY_URL the host", () => {
  const ctx = createMemoryContext({ env: { LUA_POSTHOG_KEY: "phc_other" } });
  assert.equal(buildCapture(RECORD, 1, ctx, "x").api_key, "phc_other");
  assert.equal(captureUrl(env({}))?.href, "https://us.i.posthog.com/i/v0/e/");
  assert.equal(
    captureUrl(env({ LUA_TELEMETRY_URL: "http://127.0.0.1:9/" }))?.href,
    "http://127.0.0.1:9/i/v0/e/",
  );
  assert.equal(captureUrl(env({ LUA_TELEMETRY_URL: "file:///etc" })), undefined);
});

Deno.test("sendTelemetry: delivered to the emulator, notice once, the real CLI's file written 0600", async () => {
  const e = createEmulatedCli();
  const notices: string[] = [];
  const options = { ...allow, notice: (t: string) => notices.push(t) };
  assert.equal(await sendTelemetry(e.cli, RECORD, 5, options), true);
  assert.equal(await sendTelemetry(e.cli, RECORD, 5, options), true);
  assert.deepEqual(notices, [TELEMETRY_NOTICE]);
  assert.equal(e.cli.fs.modeOf(FILE), 0o600);
  const file = JSON.parse(e.cli.fs.peek(FILE)!);
  assert.deepEqual(Object.keys(file).sort(), ["anonymousId", "enabled", "noticeShown"]);
  assert.equal(file.enabled, true);
  assert.equal(file.noticeShown, true);
  const sent = e.emulator.telemetry() as { distinct_id: string; event: string }[];
  assert.equal(sent.length, 2);
  for (const capture of sent) {
    assert.equal(capture.event, "cli_command_executed");
    assert.equal(capture.distinct_id, `anon_${file.anonymousId}`);
  }
  assert.deepEqual(e.requests, ["POST /i/v0/e/", "POST /i/v0/e/"]);
});

Deno.test("sendTelemetry: the real CLI's `enabled: false` stops it; its other fields are kept", async () => {
  const e = createEmulatedCli();
  const real = { enabled: false, anonymousId: "abc", noticeShown: true, identifiedEmail: "x" };
  e.cli.fs.putFile(FILE, JSON.stringify(real));
  assert.equal(await sendTelemetry(e.cli, RECORD, 5, allow), false);
  assert.deepEqual(e.requests, []);
  assert.deepEqual(JSON.parse(e.cli.fs.peek(FILE)!), real);

  const on = createEmulatedCli();
  on.cli.fs.putFile(FILE, JSON.stringify({ ...real, enabled: true }));
  assert.equal(await sendTelemetry(on.cli, RECORD, 5, allow), true);
  assert.deepEqual(JSON.parse(on.cli.fs.peek(FILE)!), { ...real, enabled: true });
  assert.equal((on.emulator.telemetry()[0] as { distinct_id: string }).distinct_id, "anon_abc");
});

Deno.test("sendTelemetry: an unreadable telemetry file sends nothing and is left alone", async () => {
  for (const text of ["not json", "[]", '{"enabled":"yes"}']) {
    const e = createEmulatedCli();
    e.cli.fs.putFile(FILE, text);
    assert.equal(await sendTelemetry(e.cli, RECORD, 5, allow), false, text);
    assert.equal(e.cli.fs.peek(FILE), text);
    assert.deepEqual(e.requests, []);
  }
});

Deno.test("our earlier {noticeShownAt} file is migrated once, without showing the notice again", async () => {
  const e = createEmulatedCli();
  e.cli.fs.putFile(FILE, JSON.stringify({ noticeShownAt: "2026-01-01T00:00:00.000Z" }));
  const notices: string[] = [];
  assert.equal(
    await sendTelemetry(e.cli, RECORD, 5, { ...allow, notice: (t) => notices.push(t) }),
    true,
  );
  assert.deepEqual(notices, []);
  const file = JSON.parse(e.cli.fs.peek(FILE)!);
  assert.deepEqual(Object.keys(file).sort(), ["anonymousId", "enabled", "noticeShown"]);
  assert.equal(file.enabled, true);
  assert.equal(file.noticeShown, true);
  assert.match(file.anonymousId, /^[0-9a-f-]{36}$/);
});

Deno.test("sendTelemetry: off in the environment or in .env, or not permitted, sends nothing", async () => {
  for (const vars of [{ LUA_TELEMETRY: "off" }, { DO_NOT_TRACK: "1" }]) {
    const e = createEmulatedCli({ env: vars });
    assert.equal(await sendTelemetry(e.cli, RECORD, 5, allow), false);
    assert.deepEqual(e.requests, []);
  }
  const dotenv = createEmulatedCli();
  dotenv.cli.fs.putFile("/work/.env", "LUA_TELEMETRY=false\n");
  assert.equal(await sendTelemetry(dotenv.cli, RECORD, 5, allow), false);
  assert.deepEqual(dotenv.requests, []);
  // An exported variable wins over .env.
  const exported = createEmulatedCli({ env: { LUA_TELEMETRY: "true" } });
  exported.cli.fs.putFile("/work/.env", "LUA_TELEMETRY=false\n");
  assert.equal(await sendTelemetry(exported.cli, RECORD, 5, allow), true);

  const e = createEmulatedCli();
  assert.equal(await sendTelemetry(e.cli, RECORD, 5, { ...allow, permitted: () => false }), false);
  assert.equal(await sendTelemetry(e.cli, RECORD, 5, { ...allow, mayTouch: () => false }), false);
  assert.deepEqual(e.requests, []);
  assert.equal(e.cli.fs.peek(FILE), undefined);
});

Deno.test("sendTelemetry: a hanging or failing endpoint costs at most the budget, silently", async () => {
  for (const mode of ["hang", "500", "html502", "redirect"]) {
    const e = createEmulatedCli();
    await e.call("POST", "/_emulator/faults", { path: "/i/v0/e/", mode });
    const started = performance.now();
    assert.equal(await sendTelemetry(e.cli, RECORD, 5, allow), false, mode);
    assert.ok(performance.now() - started < TELEMETRY_BUDGET_MS + 100, mode);
    e.emulator.releasePending();
  }
  const refused = createMemoryContext({ env: { LUA_TELEMETRY_URL: "http://127.0.0.1:9" } });
  assert.equal(await sendTelemetry(refused, RECORD, 5, allow), false);
});
