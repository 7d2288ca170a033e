import assert from "node:assert/strict";
import { createMemoryCli } from "../../testing/memory_io.ts";
import { envOptOut, readTelemetryFile, runTelemetry, telemetryState } from "./telemetry.ts";

const FILE = "/home/user/.lua-cli/telemetry.json";
const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("envOptOut: every documented opt-out form, and nothing else", () => {
  for (const value of ["false", "FALSE", "0", "off", "Off", "no", "NO", " false "]) {
    assert.ok(envOptOut(env({ LUA_TELEMETRY: value })), value);
  }
  assert.equal(envOptOut(env({ DO_NOT_TRACK: "1" })), "DO_NOT_TRACK=1");
  assert.equal(envOptOut(env({ DO_NOT_TRACK: "true" })), "DO_NOT_TRACK=true");
  assert.equal(envOptOut(env({})), undefined);
  assert.equal(envOptOut(env({ LUA_TELEMETRY: "true" })), undefined);
  assert.equal(envOptOut(env({ DO_NOT_TRACK: "0" })), undefined);
});

Deno.test("lua telemetry off / on / status: written to the shared file, env and .env win", async () => {
  const cli = createMemoryCli();
  await runTelemetry({ action: "off" }, cli);
  assert.equal(JSON.parse(cli.fs.peek(FILE)!).enabled, false);
  assert.equal(cli.fs.modeOf(FILE), 0o600);
  assert.match(cli.io.stderr, /Telemetry disabled/);
  assert.equal((await telemetryState(cli)).enabled, false);

  const id = JSON.parse(cli.fs.peek(FILE)!).anonymousId;
  await runTelemetry({ action: "on" }, cli);
  assert.deepEqual(JSON.parse(cli.fs.peek(FILE)!), {
    enabled: true,
    anonymousId: id,
    noticeShown: false,
  });

  const status = createMemoryCli();
  await runTelemetry({}, status);
  assert.equal(status.io.stdout, "Telemetry: enabled\n");
  assert.match(status.io.stderr, /On by default/);
  assert.equal(status.fs.peek(FILE), undefined, "status writes nothing");

  const byEnv = createMemoryCli({ env: { LUA_TELEMETRY: "0" } });
  byEnv.fs.putFile(FILE, JSON.stringify({ enabled: true, anonymousId: "a", noticeShown: true }));
  await runTelemetry({ action: "status" }, byEnv);
  assert.equal(byEnv.io.stdout, "Telemetry: disabled\n");
  assert.match(byEnv.io.stderr, /LUA_TELEMETRY=0 wins over the file/);

  const byDotenv = createMemoryCli();
  byDotenv.fs.putFile("/work/.env", "LUA_TELEMETRY=no\n");
  await runTelemetry({ action: "on" }, byDotenv);
  assert.match(byDotenv.io.stderr, /LUA_TELEMETRY=no in \.env wins over the file/);

  await assert.rejects(runTelemetry({ action: "maybe" }, createMemoryCli()), /on, off or status/);
});

Deno.test("readTelemetryFile: missing, valid, stale and invalid files", async () => {
  const cli = createMemoryCli();
  assert.equal(await readTelemetryFile(cli), null);
  cli.fs.putFile(FILE, JSON.stringify({ enabled: false, noticeShown: true }));
  const read = await readTelemetryFile(cli);
  assert.ok(read !== null && read !== "invalid");
  assert.equal(read.stale, true, "no id: written back with one");
  assert.equal(read.file.enabled, false);
  cli.fs.putFile(FILE, "x".repeat(70 * 1024));
  assert.equal(await readTelemetryFile(cli), "invalid");
});
