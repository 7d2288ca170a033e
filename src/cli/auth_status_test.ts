import assert from "node:assert/strict";
import { createEmulatedCli } from "../../testing/emulated.ts";
import type { FetchInit } from "../context.ts";
import { LuaError, SilentError } from "../errors.ts";
import type { StatusReport } from "../json.ts";
import { runStatus } from "./auth_status.ts";

/** The exit code a run ends with: 0, or the code its failure carries. */
async function exitOf(run: Promise<void>): Promise<number> {
  try {
    await run;
    return 0;
  } catch (error) {
    if (error instanceof LuaError) return error.exitCode;
    throw error;
  }
}

const EMAIL = "ada@example.com";

async function setup(
  where: "env" | "credentials" | "dotenv" | "none",
  offline = false,
  kind: "legacy" | "typed" = "legacy",
) {
  const e = createEmulatedCli();
  const apiKey = await e.issueKey(EMAIL, kind);
  if (where === "env") e.cli.vars.LUA_API_KEY = apiKey;
  if (where === "credentials") {
    e.cli.fs.putDir("/home/user/.lua-cli", 0o700);
    e.cli.fs.putFile("/home/user/.lua-cli/credentials", apiKey);
  }
  if (where === "dotenv") e.cli.fs.putFile("/work/.env", `LUA_API_KEY=${apiKey}\n`);
  return { e, apiKey, options: { json: true, offline } };
}

Deno.test("status --json: the source in use, masked, with the account", async (t) => {
  for (const [where, index] of [["env", 0], ["credentials", 1], ["dotenv", 2]] as const) {
    await t.step(where, async () => {
      const { e, apiKey, options } = await setup(where);
      assert.equal(await exitOf(runStatus(options, e.cli)), 0);
      const report = JSON.parse(e.cli.io.stdout) as StatusReport;
      assert.equal(report.sources.length, 3);
      assert.deepEqual(report.sources.map((s) => s.kind), ["env", "credentials", "dotenv"]);
      assert.equal(report.sources[index]!.active, true);
      assert.equal(report.active?.kind, where);
      assert.equal(report.active?.maskedKey, `api_…${apiKey.slice(-4)}`);
      assert.equal(report.valid, true);
      assert.equal(report.account?.email, EMAIL);
      assert.equal(report.account?.fullName, "Ada");
      assert.equal(report.account?.kind, "legacy");
      assert.equal(report.account?.subjectType, "user");
      assert.match(report.account?.subjectId ?? "", /^usr_[0-9a-f]{16}$/);
      assert.equal(report.account?.orgCount, 1);
      assert.deepEqual(report.sessions, []);
      assert.ok(!e.cli.io.stdout.includes(apiKey), "the full key never appears");
    });
  }
});

Deno.test("status: a typed key shows its kind, subject id and organisations, no email", async () => {
  const { e, apiKey } = await setup("env", false, "typed");
  assert.equal(await exitOf(runStatus({ json: true, offline: false }, e.cli)), 0);
  const report = JSON.parse(e.cli.io.stdout) as StatusReport;
  assert.equal(report.account?.kind, "typed");
  assert.equal(report.account?.subjectType, "apiKey");
  assert.match(report.account?.subjectId ?? "", /^key_[0-9a-f]{8}$/);
  assert.equal(report.account?.email, null);
  assert.equal(report.account?.orgCount, 1);
  assert.deepEqual(e.requests, ["GET /admin/me/authorization"]);
  const human = await setup("env", false, "typed");
  human.e.cli.vars.LUA_API_KEY = apiKey;
  await runStatus({ json: false, offline: false }, e.cli);
  assert.match(e.cli.io.stdout, /Authenticated as typed API key key_[0-9a-f]{8}, 1 organisation\./);
});

Deno.test("status: a session of the other CLI is listed as present and unused", async () => {
  const { e } = await setup("none");
  e.cli.fs.putDir("/home/user/.lua-cli/sessions", 0o700);
  e.cli.fs.putFile(
    "/home/user/.lua-cli/sessions/0123456789abcdef.json",
    JSON.stringify({ version: 1, kind: "firebase-session", refreshToken: "r" }),
  );
  e.cli.fs.putFile("/home/user/.lua-cli/sessions/other.json", JSON.stringify({ kind: "x" }));
  assert.equal(await exitOf(runStatus({ json: true, offline: true }, e.cli)), 9);
  const report = JSON.parse(e.cli.io.stdout) as StatusReport;
  assert.deepEqual(report.sessions, ["/home/user/.lua-cli/sessions/0123456789abcdef.json"]);
  e.cli.io.stdout = "";
  assert.equal(await exitOf(runStatus({ json: false, offline: true }, e.cli)), 9);
  assert.match(
    e.cli.io.stdout,
    /Session of the other Lua CLI: .*0123456789abcdef\.json \(present, not used/,
  );
});

Deno.test("status: shadowed sources are marked; the human report names them", async () => {
  const { e, apiKey } = await setup("credentials");
  e.cli.vars.LUA_API_KEY = apiKey;
  assert.equal(await exitOf(runStatus({ json: false, offline: false }, e.cli)), 0);
  assert.match(e.cli.io.stdout, /1\. LUA_API_KEY environment variable: found api_….{4} \(in use\)/);
  assert.match(e.cli.io.stdout, /2\. credentials file .*: found api_….{4} \(shadowed\)/);
  assert.match(e.cli.io.stdout, /3\. \.env file \/work\/\.env: not found/);
  assert.match(e.cli.io.stdout, /Authenticated as ada@example\.com \(Ada\), 1 organisation\./);
  assert.ok(!e.cli.io.stdout.includes(apiKey));
});

Deno.test("status --offline sends nothing and exits 0 with a key", async () => {
  const { e, options } = await setup("env", true);
  assert.equal(await exitOf(runStatus(options, e.cli)), 0);
  assert.deepEqual(e.requests, []);
  const report = JSON.parse(e.cli.io.stdout) as StatusReport;
  assert.equal(report.valid, null);
  assert.equal(report.account, null);
});

Deno.test("status: no key is exit 9; a revoked key is exit 9; unreachable is exit 11", async () => {
  const none = await setup("none");
  assert.equal(await exitOf(runStatus(none.options, none.e.cli)), 9);
  assert.equal((JSON.parse(none.e.cli.io.stdout) as StatusReport).active, null);

  const revoked = await setup("env");
  await revoked.e.call("POST", "/_emulator/revoke", { apiKey: revoked.apiKey });
  assert.equal(await exitOf(runStatus(revoked.options, revoked.e.cli)), 9);
  assert.equal((JSON.parse(revoked.e.cli.io.stdout) as StatusReport).valid, false);

  const down = await setup("env");
  await down.e.call("POST", "/_emulator/faults", {
    path: "/admin/me/authorization",
    mode: "500",
    count: 10,
  });
  assert.equal(await exitOf(runStatus(down.options, down.e.cli)), 11);
  const report = JSON.parse(down.e.cli.io.stdout) as StatusReport;
  assert.equal(report.valid, null);
  assert.match(report.error ?? "", /HTTP 500/);
});

Deno.test("status: a malformed credentials file is reported, and blocks .env as it does for every command", async () => {
  const { e } = await setup("dotenv");
  e.cli.fs.putDir("/home/user/.lua-cli", 0o700);
  e.cli.fs.putFile("/home/user/.lua-cli/credentials", "a\nb\n");
  assert.equal(await exitOf(runStatus({ json: true, offline: true }, e.cli)), 1);
  const report = JSON.parse(e.cli.io.stdout) as StatusReport;
  assert.match(report.sources[1]!.error ?? "", /malformed/);
  assert.equal(report.active, null);
  assert.equal(report.sources[2]!.found, true);
  assert.match(report.error ?? "", /malformed/);
});

Deno.test("status fails after its report: silently when the report says it all, else with the reason", async () => {
  const none = await setup("none");
  await assert.rejects(runStatus(none.options, none.e.cli), (e) => {
    assert.ok(e instanceof SilentError);
    assert.equal(e.exitCode, 9);
    return true;
  });
  const revoked = await setup("env");
  await revoked.e.call("POST", "/_emulator/revoke", { apiKey: revoked.apiKey });
  await assert.rejects(runStatus({ json: false, offline: false }, revoked.e.cli), (e) => {
    assert.ok(e instanceof LuaError && !(e instanceof SilentError));
    assert.equal(e.exitCode, 9);
    assert.match(e.message, /rejected the key/);
    return true;
  });
  assert.equal(revoked.e.cli.io.stderr, "", "status itself writes no Error: line");
  assert.doesNotMatch(
    revoked.e.cli.io.stdout,
    /rejected/,
    "the failure is printed once, as Error:",
  );
  // With --json the report says it all: nothing is thrown that would print a second object.
  await assert.rejects(runStatus(revoked.options, revoked.e.cli), (e) => {
    assert.ok(e instanceof SilentError);
    assert.equal(e.exitCode, 9);
    return true;
  });
});

Deno.test("status on a terminal: the sources first, then the spinner while the platform is asked, then its answer", async () => {
  const e = createEmulatedCli({ progress: true });
  e.cli.vars.LUA_API_KEY = await e.issueKey(EMAIL);
  const fetch = e.cli.fetch;
  const seen: string[][] = [];
  Object.assign(e.cli, {
    fetch: (url: string, init: FetchInit) => {
      seen.push(e.cli.io.terminal!.screen());
      return fetch(url, init);
    },
  });
  assert.equal(await exitOf(runStatus({ json: false, offline: false }, e.cli)), 0);
  const during = seen[0]!.join("\n");
  assert.match(during, /^Key sources, in priority order:\n {2}1\. LUA_API_KEY/);
  assert.match(during, /\n⠋ Checking the key with the Lua platform…$/);
  assert.doesNotMatch(during, /Authenticated/);
  const after = e.cli.io.terminal!.screen().join("\n");
  assert.doesNotMatch(after, /Checking the key/, "the spinner is cleared");
  assert.match(after, /not found\n\n✅ Authenticated as ada@example\.com/);
  assert.equal(e.cli.io.terminal!.cursorHidden, false);
});

Deno.test("status: an unreachable platform is printed once, on stderr, with what to do", async () => {
  const { e } = await setup("env");
  Object.assign(e.cli, {
    fetch: () => Promise.reject(new TypeError("error sending request: connection refused")),
  });
  await assert.rejects(runStatus({ json: false, offline: false }, e.cli), (error) => {
    assert.ok(error instanceof LuaError);
    assert.equal(error.exitCode, 11);
    assert.match(error.message, /Cannot reach the Lua platform/);
    return true;
  });
  assert.doesNotMatch(e.cli.io.stdout, /Cannot reach/, "the report does not say it again");
  assert.match(e.cli.io.stdout, /found api_…/);
});

Deno.test("status: LUA_API_KEY_FILE is named, in use, shadowed or broken", async (t) => {
  const SECRET = "/run/secrets/lua_api_key";
  await t.step("in use, above the credentials file", async () => {
    const { e, apiKey } = await setup("credentials");
    e.cli.fs.putDir("/run/secrets");
    e.cli.fs.putFile(SECRET, `${apiKey}\n`, 0o400);
    e.cli.vars.LUA_API_KEY_FILE = SECRET;
    assert.equal(await exitOf(runStatus({ json: true, offline: true }, e.cli)), 0);
    const report = JSON.parse(e.cli.io.stdout) as StatusReport;
    assert.deepEqual(report.sources.map((s) => s.kind), [
      "env",
      "env-file",
      "credentials",
      "dotenv",
    ]);
    assert.deepEqual(report.active, {
      kind: "env-file",
      location: SECRET,
      found: true,
      active: true,
      maskedKey: `api_…${apiKey.slice(-4)}`,
    });
    assert.equal(report.sources[2]!.active, false);
    const human = await setup("credentials");
    human.e.cli.fs.putDir("/run/secrets");
    human.e.cli.fs.putFile(SECRET, apiKey, 0o400);
    human.e.cli.vars.LUA_API_KEY_FILE = SECRET;
    assert.equal(await exitOf(runStatus({ json: false, offline: true }, human.e.cli)), 0);
    assert.match(
      human.e.cli.io.stdout,
      /2\. LUA_API_KEY_FILE \(\/run\/secrets\/lua_api_key\): found api_….{4} \(in use\)/,
    );
    assert.match(human.e.cli.io.stdout, /3\. credentials file .*: found api_….{4} \(shadowed\)/);
  });

  await t.step("shadowed by LUA_API_KEY", async () => {
    const { e, apiKey } = await setup("env");
    e.cli.fs.putDir("/run/secrets");
    e.cli.fs.putFile(SECRET, apiKey, 0o400);
    e.cli.vars.LUA_API_KEY_FILE = SECRET;
    assert.equal(await exitOf(runStatus({ json: false, offline: true }, e.cli)), 0);
    assert.match(
      e.cli.io.stdout,
      /1\. LUA_API_KEY environment variable: found api_….{4} \(in use\)/,
    );
    assert.match(
      e.cli.io.stdout,
      /2\. LUA_API_KEY_FILE \(\/run\/secrets\/lua_api_key\): found api_….{4} \(shadowed\)/,
    );
  });

  await t.step("a missing file blocks the lower sources: exit 1", async () => {
    const { e } = await setup("credentials");
    e.cli.vars.LUA_API_KEY_FILE = "/run/secrets/missing";
    assert.equal(await exitOf(runStatus({ json: true, offline: true }, e.cli)), 1);
    const report = JSON.parse(e.cli.io.stdout) as StatusReport;
    assert.equal(report.active, null);
    assert.equal(report.sources[1]!.location, "/run/secrets/missing");
    assert.match(
      report.error ?? "",
      /^Cannot read LUA_API_KEY_FILE file "\/run\/secrets\/missing"/,
    );
    assert.equal(report.sources[2]!.found, true);
  });
});
