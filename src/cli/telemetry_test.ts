import assert from "node:assert/strict";
import { createEmulatedCli } from "../testing/emulated.ts";
import { createMemoryContext } from "../testing/memory_context.ts";
import {
  buildEvent,
  detectCi,
  sendTelemetry,
  TELEMETRY_BUDGET_MS,
  TELEMETRY_NOTICE,
  telemetryEnabled,
} from "./telemetry.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const allow = { notice: () => {}, permitted: () => true, mayTouch: () => true };

Deno.test("telemetryEnabled: every documented opt-out form", () => {
  for (const value of ["false", "FALSE", "0", "off", "Off", "no", "NO", " false "]) {
    assert.equal(telemetryEnabled(env({ LUA_TELEMETRY: value })), false, value);
  }
  assert.equal(telemetryEnabled(env({ DO_NOT_TRACK: "1" })), false);
  assert.equal(telemetryEnabled(env({})), true);
  assert.equal(telemetryEnabled(env({ LUA_TELEMETRY: "true" })), true);
  assert.equal(telemetryEnabled(env({ DO_NOT_TRACK: "0" })), true);
});

Deno.test("detectCi: CI and well-known variables", () => {
  assert.equal(detectCi(env({ CI: "true" })), true);
  assert.equal(detectCi(env({ GITHUB_ACTIONS: "true" })), true);
  assert.equal(detectCi(env({ CI: "false" })), false);
  assert.equal(detectCi(env({})), false);
});

Deno.test("the event has exactly the documented fields and no secret", () => {
  const ctx = createMemoryContext({ env: { CI: "1", LUA_API_KEY: "api_secret_value_1234" } });
  const event = buildEvent({ command: "auth configure", mode: "api-key", exitCode: 9 }, 12.7, ctx);
  assert.deepEqual(Object.keys(event).sort(), [
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
  assert.equal(event.outcome, "failure");
  assert.equal(event.durationMs, 13);
  assert.equal(event.ci, true);
  assert.equal(event.runtime, "deno");
  assert.ok(!JSON.stringify(event).includes("secret"));
});

Deno.test("sendTelemetry: delivered to the emulator, notice once, remembered 0600", async () => {
  const e = createEmulatedCli();
  const notices: string[] = [];
  const options = { ...allow, notice: (t: string) => notices.push(t) };
  const event = buildEvent({ command: "auth key", exitCode: 0 }, 5, e.cli);
  assert.equal(await sendTelemetry(e.cli, event, options), true);
  assert.equal(await sendTelemetry(e.cli, event, options), true);
  assert.deepEqual(notices, [TELEMETRY_NOTICE]);
  assert.equal(e.cli.fs.modeOf("/home/user/.lua-cli/telemetry.json"), 0o600);
  assert.deepEqual(e.emulator.telemetry(), [event, event]);
});

Deno.test("sendTelemetry: off, or not permitted, sends nothing", async () => {
  for (const vars of [{ LUA_TELEMETRY: "off" }, { DO_NOT_TRACK: "1" }]) {
    const e = createEmulatedCli({ env: vars });
    const event = buildEvent({ command: "auth key", exitCode: 0 }, 5, e.cli);
    assert.equal(await sendTelemetry(e.cli, event, allow), false);
    assert.deepEqual(e.requests, []);
  }
  const e = createEmulatedCli();
  const event = buildEvent({ command: "auth key", exitCode: 0 }, 5, e.cli);
  assert.equal(await sendTelemetry(e.cli, event, { ...allow, permitted: () => false }), false);
  assert.equal(await sendTelemetry(e.cli, event, { ...allow, mayTouch: () => false }), false);
  assert.deepEqual(e.requests, []);
  assert.equal(e.cli.fs.peek("/home/user/.lua-cli/telemetry.json"), undefined);
});

Deno.test("sendTelemetry: a hanging or failing endpoint costs at most the budget, silently", async () => {
  for (const mode of ["hang", "500", "html502"]) {
    const e = createEmulatedCli();
    await e.call("POST", "/_emulator/faults", { path: "/telemetry", mode });
    const event = buildEvent({ command: "auth key", exitCode: 0 }, 5, e.cli);
    const started = performance.now();
    assert.equal(await sendTelemetry(e.cli, event, allow), false, mode);
    assert.ok(performance.now() - started < TELEMETRY_BUDGET_MS + 100, mode);
  }
  const refused = createMemoryContext();
  const event = buildEvent({ command: "auth key", exitCode: 0 }, 5, refused);
  assert.equal(await sendTelemetry(refused, event, allow), false);
});
