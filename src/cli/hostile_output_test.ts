/**
 * Hostile output, in memory: a platform that quotes back the key, the code or the sign-in
 * token (whole or in part), or answers with escape sequences; arguments holding a key in the
 * wrong place. Whatever the command, no output may hold 8 characters in a row of a secret or
 * any escape sequence of outside origin.
 */

import assert from "node:assert/strict";
import { longestRun } from "../../testing/secret_runs.ts";
import { createEmulatedCli, type EmulatedCli } from "../../testing/emulated.ts";
import { REDACTED } from "../redact.ts";
import { createMemoryCli, type MemoryCliContext } from "../../testing/memory_io.ts";
import { runCli } from "./run.ts";
import type { FetchInit } from "../context.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";
const EMAIL = "ada@example.com";

function assertNoFragment(cli: MemoryCliContext, secret: string): void {
  for (const [name, text] of [["stdout", cli.io.stdout], ["stderr", cli.io.stderr]]) {
    const run = longestRun(text!, secret);
    assert.ok(
      run < Math.min(8, secret.length),
      `${name} holds ${run} characters of ${secret}:\n${text}`,
    );
  }
}

function assertNoEscapes(cli: MemoryCliContext): void {
  // deno-lint-ignore no-control-regex
  const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
  assert.ok(!unsafe.test(cli.io.stdout), JSON.stringify(cli.io.stdout));
  assert.ok(!unsafe.test(cli.io.stderr), JSON.stringify(cli.io.stderr));
}

/**
 * The in-process emulator, with every `email`, `fullName` and `subjectId` it answers replaced
 * by `hostile(key)`, `key` being the credential of the request.
 */
function hostileAccount(hostile: (sent: string) => string): EmulatedCli {
  const e = createEmulatedCli();
  const rewrite = (value: unknown, sent: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v, sent));
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        ["email", "fullName", "subjectId"].includes(k) && typeof v === "string"
          ? hostile(sent)
          : rewrite(v, sent),
      ]),
    );
  };
  Object.assign(e.cli, {
    fetch: async (url: string, init: FetchInit) => {
      const request = new Request(url, init);
      const sent = request.headers.get("authorization")?.replace(/^Bearer /i, "") ?? "";
      const response = await e.emulator.handler(request);
      const body = await response.json().catch(() => undefined);
      if (body === undefined) return new Response(null, { status: response.status });
      return Response.json(rewrite(body, sent), { status: response.status });
    },
  });
  return e;
}

Deno.test("a platform quoting 35 of the key's characters back: configure and status hide them", async () => {
  for (
    const args of [["auth", "configure", "--api-key"], ["auth", "status"], [
      "auth",
      "status",
      "--json",
    ]]
  ) {
    const e = hostileAccount((key) => `${key.slice(1)}@example.com`);
    const key = await e.issueKey(EMAIL);
    if (args[1] === "status") e.cli.vars.LUA_API_KEY = key;
    const record = await runCli(args[1] === "configure" ? [...args, key] : args, e.cli);
    assert.equal(record.exitCode, 0, e.cli.io.stderr);
    assert.ok(e.cli.io.stdout.includes(REDACTED) || e.cli.io.stderr.includes(REDACTED));
    assertNoFragment(e.cli, key);
    if (args.includes("--json")) JSON.parse(e.cli.io.stdout);
  }
});

Deno.test("a server quoting the emailed code, or the sign-in token, is not repeated", async () => {
  const e = hostileAccount(() => "ada@example.com");
  await runCli(["auth", "configure", "--email", EMAIL], e.cli);
  const code = e.emulator.outbox().at(-1)!.code;
  // The platform names the account of the new key with the code and the token it was given.
  let token = "";
  Object.assign(e.cli, {
    fetch: async (url: string, init: FetchInit) => {
      const request = new Request(url, init);
      const bearer = request.headers.get("authorization")?.replace(/^Bearer /i, "") ?? "";
      const response = await e.emulator.handler(request);
      const text = await response.text();
      const found = /"signInToken"\s*:\s*"([^"]+)"/.exec(text)?.[1];
      if (found) token = found;
      const quoted = text.replace(
        /"(email|fullName)"\s*:\s*"[^"]*"/g,
        (_m, k) => `"${k}": "code ${code}, token ${token || bearer}"`,
      );
      return new Response(quoted, { status: response.status, headers: response.headers });
    },
  });
  // The command tells its output filter each secret as soon as it has it.
  const learned: string[] = [];
  const addSecret = e.cli.io.addSecret;
  e.cli.io.addSecret = (secret) => {
    learned.push(secret);
    addSecret(secret);
  };
  const record = await runCli(["auth", "configure", "--email", EMAIL, "--otp", code], e.cli);
  assert.equal(record.exitCode, 0, e.cli.io.stderr);
  assert.ok(token.length >= 8, "the emulator issued a sign-in token");
  assert.ok(learned.includes(code), "the code is a secret of the run");
  assert.ok(learned.includes(token), "the sign-in token is a secret of the run");
  assert.ok(learned.includes(e.cli.fs.peek("/home/user/.lua-cli/credentials")!), "and the key");
  assertNoFragment(e.cli, code);
  assertNoFragment(e.cli, token);
});

Deno.test("escape sequences from the platform never reach the terminal", async () => {
  const hostile = "ada\x1b]0;pwned\x07\x1b[2J\x1b[H\x9b31m\r@example.com";
  for (const args of [["auth", "status"], ["auth", "status", "--json"]]) {
    const e = hostileAccount(() => hostile);
    e.cli.vars.LUA_API_KEY = await e.issueKey(EMAIL);
    assert.equal((await runCli(args, e.cli)).exitCode, 0, e.cli.io.stderr);
    assert.match(e.cli.io.stdout, /ada(\[2J\[H)?31m@example\.com|ada@example\.com/);
    assertNoEscapes(e.cli);
  }
});

Deno.test("a key in the wrong argument is never echoed", async (t) => {
  const cases: string[][] = [
    ["auth", "configure", "--email", KEY],
    ["auth", "configure", `--api-key ${KEY}`],
    ["auth", "configure", `--api-key${KEY}`],
    ["auth", "configure", `-${KEY}`],
    ["auth", "configure", `--api-key=${KEY}`, "--bogus"],
    ["auth", "key", `-${KEY}`],
    ["auth", KEY],
    [KEY],
    [`--${KEY}`],
  ];
  for (const args of cases) {
    await t.step(args.join(" ").replace(KEY, "<key>"), async () => {
      const cli = createMemoryCli();
      const record = await runCli(args, cli);
      assert.equal(record.exitCode, 2, cli.io.stderr);
      assertNoFragment(cli, KEY);
    });
  }
});

Deno.test("a huge email from the platform is shown capped", async () => {
  const huge = `${"a".repeat(4 * 1024 * 1024)}@example.com`;
  for (const args of [["auth", "status"], ["auth", "status", "--json"]]) {
    const e = hostileAccount(() => huge);
    e.cli.vars.LUA_API_KEY = await e.issueKey(EMAIL);
    await runCli(args, e.cli);
    assert.ok(e.cli.io.stdout.length + e.cli.io.stderr.length < 64 * 1024, args.join(" "));
  }
});
