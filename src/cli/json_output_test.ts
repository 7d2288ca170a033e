/**
 * `--json` on every auth command: one object with `schemaVersion` on stdout, of the shape
 * `src/json.ts` declares, never a prompt, and the same exit code as without it.
 *
 * @module
 */

import assert from "node:assert/strict";
import type {
  CodeSentJson,
  ConfiguredJson,
  JsonError,
  KeyJson,
  LogoutJson,
  StatusJson,
} from "../json.ts";
import { createEmulatedCli, type EmulatedCli } from "../../testing/emulated.ts";
import { createMemoryCli, type MemoryCliContext } from "../../testing/memory_io.ts";
import { AUTH } from "./commands.ts";
import { runCli } from "./run.ts";

const EMAIL = "ada@example.com";
const CREDENTIALS = "/home/user/.lua-cli/credentials";

/** Runs a command line and parses stdout as exactly one JSON object. */
async function json<T>(cli: MemoryCliContext, args: string[]): Promise<{ code: number; out: T }> {
  const { exitCode } = await runCli(args, cli);
  const out = JSON.parse(cli.io.stdout) as T & { schemaVersion: number };
  assert.equal(out.schemaVersion, 1, args.join(" "));
  assert.equal(Object.keys(out)[0], "schemaVersion");
  cli.io.stdout = "";
  return { code: exitCode, out };
}

function lastCode(e: EmulatedCli): string {
  return e.emulator.outbox().at(-1)!.code;
}

Deno.test("--json is declared by every auth command", () => {
  for (const command of AUTH.commands) {
    assert.ok("flags" in command && "json" in command.flags, command.name);
  }
});

Deno.test("configure --email --json: code_sent and the command to run next; then configured", async () => {
  const e = createEmulatedCli({ terminal: true });
  const sent = await json<CodeSentJson>(e.cli, ["auth", "configure", "--email", EMAIL, "--json"]);
  assert.equal(sent.code, 0);
  assert.deepEqual(sent.out, {
    schemaVersion: 1,
    status: "code_sent",
    email: EMAIL,
    next: `lua auth configure --email ${EMAIL} --otp <code>`,
  });
  assert.equal(e.cli.io.stderr, "", "no informational message with --json");
  const code = lastCode(e);
  const done = await json<ConfiguredJson>(e.cli, [
    "auth",
    "configure",
    "--email",
    EMAIL,
    "--otp",
    code,
    "--json",
  ]);
  assert.equal(done.code, 0);
  assert.equal(done.out.status, "configured");
  assert.equal(done.out.method, "email");
  assert.equal(done.out.email, EMAIL);
  assert.equal(done.out.account, null);
  assert.equal(done.out.credentialsPath, CREDENTIALS);
  assert.equal(done.out.shadowedBy, null);
  const key = e.cli.fs.peek(CREDENTIALS)!;
  assert.equal(done.out.maskedKey, `api_…${key.slice(-4)}`);
  assert.ok(!JSON.stringify(done.out).includes(key.slice(4, 20)), "the new key is not printed");
});

Deno.test("configure --email with a quoted address: next is safe to paste", async () => {
  const e = createEmulatedCli();
  const email = "o'neil@example.com";
  const sent = await json<CodeSentJson>(e.cli, ["auth", "configure", "--email", email, "--json"]);
  assert.equal(sent.out.next, `lua auth configure --email 'o'\\''neil@example.com' --otp <code>`);
});

Deno.test("configure --api-key --json: configured, with the account and what shadows it", async () => {
  const e = createEmulatedCli({ env: { LUA_API_KEY: "api_other_0000000000" } });
  const key = await e.issueKey(EMAIL);
  const done = await json<ConfiguredJson>(e.cli, ["auth", "configure", "--api-key", key, "--json"]);
  assert.equal(done.code, 0);
  assert.equal(done.out.method, "api-key");
  assert.equal(done.out.account?.email, EMAIL);
  assert.deepEqual(done.out.shadowedBy, { kind: "env", location: "LUA_API_KEY" });
  assert.match(e.cli.io.stderr, /Warning: LUA_API_KEY is set/, "warnings stay on stderr");
});

Deno.test("configure --json errors: a wrong code, a rejected key, and a prompt that would be needed", async () => {
  const e = createEmulatedCli({ terminal: true });
  await runCli(["auth", "configure", "--email", EMAIL], e.cli);
  e.cli.io.stdout = "";
  const wrong = lastCode(e) === "000000" ? "111111" : "000000";
  const otp = await json<JsonError>(e.cli, [
    "auth",
    "configure",
    "--email",
    EMAIL,
    "--otp",
    wrong,
    "--json",
  ]);
  assert.equal(otp.code, 9);
  assert.equal(otp.out.error.code, "invalid_otp");
  // A typed key: one request, so that no sibling request outlives the test (a legacy key's
  // second request is aborted, but the in-memory emulator answers it after the test has ended).
  const unknown = `api_01234567-89ab-4def-8123-456789abcdef.${"A".repeat(43)}`;
  const rejected = await json<JsonError>(e.cli, [
    "auth",
    "configure",
    "--api-key",
    unknown,
    "--json",
  ]);
  assert.equal(rejected.code, 9);
  assert.equal(rejected.out.error.code, "authentication_failed");
  assert.ok(rejected.out.error.hints.length > 0);
  // On a terminal, but --json: never a prompt.
  const interactive = await json<JsonError>(e.cli, ["auth", "configure", "--json"]);
  assert.equal(interactive.code, 2);
  assert.equal(interactive.out.error.code, "usage");
  assert.match(interactive.out.error.message, /--json never prompts/);
  assert.deepEqual(e.cli.io.asked, []);
});

Deno.test("key --json: the key in a field only with --force; token --json too", async () => {
  const key = "api_0123456789abcdef0123456789abcdef";
  const asked = createMemoryCli({ env: { LUA_API_KEY: key }, terminal: true });
  const refused = await json<JsonError>(asked, ["auth", "key", "--json"]);
  assert.equal(refused.code, 2);
  assert.equal(refused.out.error.code, "usage");
  assert.ok(!asked.io.stdout.includes(key) && !JSON.stringify(refused.out).includes(key));
  assert.deepEqual(asked.io.asked, [], "no prompt with --json");
  for (const args of [["auth", "key", "--force", "--json"], ["auth", "token", "--json"]]) {
    const cli = createMemoryCli({ env: { LUA_API_KEY: key } });
    const shown = await json<KeyJson>(cli, args);
    assert.equal(shown.code, 0);
    assert.deepEqual(shown.out, {
      schemaVersion: 1,
      key,
      source: { kind: "env", location: "LUA_API_KEY" },
    });
    assert.equal(cli.io.stderr, "");
  }
  const none = await json<JsonError>(createMemoryCli(), ["auth", "token", "--json"]);
  assert.equal(none.code, 9);
  assert.equal(none.out.error.code, "no_api_key");
});

Deno.test("logout --json: what was deleted, and what still holds a key", async () => {
  const cli = createMemoryCli({ env: { LUA_API_KEY: "api_0123456789abcdef0123456789abcdef" } });
  const nothing = await json<LogoutJson>(cli, ["auth", "logout", "--json"]);
  assert.equal(nothing.code, 0);
  assert.deepEqual(nothing.out, {
    schemaVersion: 1,
    status: "nothing_to_delete",
    deleted: { credentials: null, sessions: [] },
    stillSet: [{ kind: "env", location: "LUA_API_KEY" }],
  });
  cli.fs.putDir("/home/user/.lua-cli", 0o700);
  cli.fs.putFile(CREDENTIALS, "api_0123456789abcdef0123456789abcdef");
  const refused = await json<JsonError>(cli, ["auth", "logout", "--json"]);
  assert.equal(refused.code, 2, "deleting needs --force with --json");
  const done = await json<LogoutJson>(cli, ["auth", "logout", "--force", "--json"]);
  assert.equal(done.code, 0);
  assert.equal(done.out.status, "logged_out");
  assert.equal(done.out.deleted.credentials, CREDENTIALS);
});

Deno.test("status --json: the report with schemaVersion, once, whatever the outcome", async () => {
  const e = createEmulatedCli();
  e.cli.vars.LUA_API_KEY = await e.issueKey(EMAIL);
  const ok = await json<StatusJson>(e.cli, ["auth", "status", "--json"]);
  assert.equal(ok.code, 0);
  assert.equal(ok.out.valid, true);
  assert.equal(ok.out.account?.email, EMAIL);
  await e.call("POST", "/_emulator/faults", {
    path: "/admin/me/authorization",
    mode: "500",
    count: 10,
  });
  const down = await json<StatusJson>(e.cli, ["auth", "status", "--json"]);
  assert.equal(down.code, 11);
  assert.match(down.out.error ?? "", /HTTP 500/);
  assert.equal(e.cli.io.stderr, "");
});

Deno.test("a usage error with --json is JSON too, even before the command is understood", async () => {
  const cli = createMemoryCli();
  const typo = await json<JsonError>(cli, ["auth", "staus", "--json"]);
  assert.equal(typo.code, 2);
  assert.equal(typo.out.error.code, "usage");
  assert.deepEqual(typo.out.error.hints, ["Did you mean status?", "Run: lua auth --help"]);
  // A value that happens to be "--json" is a value, not the flag.
  const value = createMemoryCli();
  await runCli(["auth", "configure", "--email", "--json"], value);
  assert.equal(value.io.stdout, "");
  assert.match(value.io.stderr, /^Error: /);
});
