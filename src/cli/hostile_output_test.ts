/**
 * Hostile output, in memory: a platform that quotes back the key, the code or the sign-in
 * token (whole or in part), or answers with escape sequences; arguments holding a key in the
 * wrong place. Whatever the command, no output may hold 8 characters in a row of a secret or
 * any escape sequence of outside origin.
 */

import assert from "node:assert/strict";
import { createEmulatedCli, type EmulatedCli } from "../testing/emulated.ts";
import { createMemoryCli, type MemoryCliContext } from "../testing/memory_io.ts";
import { runCli } from "./run.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";
const EMAIL = "ada@example.com";

/** The longest run of `text` found in `secret`. */
function longestRun(text: string, secret: string): number {
  let best = 0;
  for (let i = 0; i < text.length; i++) {
    for (let j = i + best + 1; j <= text.length && secret.includes(text.slice(i, j)); j++) {
      best = j - i;
    }
  }
  return best;
}

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

/** A platform that answers every request with `status` and a message built from the request. */
function echoing(status: number, message: (sent: string) => string): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const sent = `${request.headers.get("authorization") ?? ""} ${await request.text()}`;
    return Response.json({ message: message(sent), error: message(sent) }, { status });
  };
}

Deno.test("a server quoting 35 of the key's 36 characters: configure and status --json hide it", async (t) => {
  for (const status of [400, 403, 500]) {
    await t.step(`HTTP ${status}`, async () => {
      const fetch = echoing(status, () => `Unknown key ${KEY.slice(1)}`);
      const configure = createMemoryCli({ fetch });
      await runCli(["auth", "configure", "--api-key", KEY], configure);
      assertNoFragment(configure, KEY);
      const statusJson = createMemoryCli({ fetch, env: { LUA_API_KEY: KEY } });
      await runCli(["auth", "status", "--json"], statusJson);
      assertNoFragment(statusJson, KEY);
      JSON.parse(statusJson.io.stdout);
      const statusText = createMemoryCli({ fetch, env: { LUA_API_KEY: KEY } });
      await runCli(["auth", "status"], statusText);
      assertNoFragment(statusText, KEY);
    });
  }
});

Deno.test("a server quoting the emailed code, or the sign-in token, is not repeated", async () => {
  const code = "428571";
  const verify = createMemoryCli({ fetch: echoing(400, () => `Code ${code} is not valid`) });
  await runCli(["auth", "configure", "--email", EMAIL, "--otp", code], verify);
  assert.ok(verify.io.stderr.startsWith("Error: "), verify.io.stderr);
  assertNoFragment(verify, code);

  // The request after the verification carries the token; the platform quotes it back.
  const e: EmulatedCli = createEmulatedCli();
  await runCli(["auth", "configure", "--email", EMAIL], e.cli);
  const sent = e.emulator.outbox().at(-1)!.code;
  const inner = e.cli.fetch;
  let calls = 0;
  let token = "";
  Object.assign(e.cli, {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      if (++calls === 1) {
        const response = await inner(input, init);
        const body = await response.clone().json().catch(() => ({}));
        token = JSON.stringify(body);
        return response;
      }
      return await echoing(400, (s) => `Bad token ${s.slice(0, 200)}`)(input, init);
    },
  });
  await runCli(["auth", "configure", "--email", EMAIL, "--otp", sent], e.cli);
  assert.ok(calls >= 2, "the second request was made");
  for (const value of token.match(/[A-Za-z0-9_.-]{16,}/g) ?? []) assertNoFragment(e.cli, value);
});

Deno.test("escape sequences in server answers never reach the terminal", async () => {
  const hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x9b31m\r";
  const fetch = echoing(400, () => `bad${hostile}`);
  const cli = createMemoryCli({ fetch, env: { LUA_API_KEY: KEY } });
  await runCli(["auth", "status"], cli);
  assertNoEscapes(cli);
  const json = createMemoryCli({ fetch, env: { LUA_API_KEY: KEY } });
  await runCli(["auth", "status", "--json"], json);
  assertNoEscapes(json);
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

Deno.test("a 50 MB email from the server is shown capped", async () => {
  const huge = `${"a".repeat(50 * 1024 * 1024)}@example.com`;
  const fetch = echoing(400, () => huge);
  const cli = createMemoryCli({ fetch, env: { LUA_API_KEY: KEY } });
  await runCli(["auth", "status"], cli);
  assert.ok(cli.io.stdout.length + cli.io.stderr.length < 64 * 1024);
});
