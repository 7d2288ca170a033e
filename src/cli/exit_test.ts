import assert from "node:assert/strict";
import {
  InterruptedError,
  NoApiKeyError,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "../errors.ts";
import { createMemoryCli } from "../testing/memory_io.ts";
import { CANCELLED, reportError, SilentError } from "./exit.ts";

Deno.test("reportError: Ctrl-C is a plain 'Cancelled.', no Error: prefix, exit 130", () => {
  const cli = createMemoryCli({ color: true });
  assert.equal(reportError(cli, new InterruptedError()), 130);
  assert.equal(cli.io.stderr, `${CANCELLED}\n`);
  assert.equal(CANCELLED, "Cancelled.");
});

Deno.test("reportError: a network failure is printed once, with what to do", () => {
  const cli = createMemoryCli();
  const error = new UnavailableError("Cannot reach the Lua platform (https://api.heylua.ai)", {
    cause: new TypeError("error sending request: tcp connect error"),
  });
  assert.equal(reportError(cli, error), 11);
  assert.equal(cli.io.stderr.split("Cannot reach").length, 2, "once");
  assert.match(cli.io.stderr, /^Error: Cannot reach the Lua platform/);
  for (const word of ["network connection", "LUA_API_URL", "LUA_AUTH_URL", "HTTPS_PROXY"]) {
    assert.ok(cli.io.stderr.includes(word), word);
  }
  assert.match(cli.io.stderr, /DENO_CERT=/);
});

Deno.test("reportError: an answer the platform sent is not a network failure", () => {
  for (const error of [new UnavailableError("HTTP 500"), new RateLimitedError(3)]) {
    const cli = createMemoryCli();
    reportError(cli, error);
    assert.doesNotMatch(cli.io.stderr, /HTTPS_PROXY|network connection/, error.message);
  }
});

Deno.test("reportError --json: one object on stdout, code, message and hints; same exit code", () => {
  const cases: [Error, string, number][] = [
    [new NoApiKeyError(), "no_api_key", 9],
    [new UsageError("bad flag", { hints: ["Run: lua auth --help"] }), "usage", 2],
    [new InterruptedError(), "interrupted", 130],
    [new UnavailableError("down", { cause: new TypeError("dns error") }), "unavailable", 11],
    [new TypeError("boom"), "internal", 1],
  ];
  for (const [error, code, exit] of cases) {
    const cli = Object.assign(createMemoryCli({ programName: "lua-ai" }), { json: true });
    assert.equal(reportError(cli, error), exit, code);
    const output = JSON.parse(cli.io.stdout);
    assert.deepEqual(Object.keys(output), ["schemaVersion", "error"]);
    assert.equal(output.schemaVersion, 1);
    assert.equal(output.error.code, code);
    assert.equal(typeof output.error.message, "string");
    assert.ok(Array.isArray(output.error.hints));
    assert.equal(cli.io.stderr, "", code);
    if (code === "usage") assert.deepEqual(output.error.hints, ["Run: lua-ai auth --help"]);
    if (code === "unavailable") assert.ok(output.error.hints.join().includes("HTTPS_PROXY"));
  }
  const silent = Object.assign(createMemoryCli(), { json: true });
  assert.equal(reportError(silent, new SilentError(9)), 9);
  assert.equal(silent.io.stdout, "", "a SilentError prints nothing, even as JSON");
});

Deno.test("reportError --json: every string passes the output guard", () => {
  const cli = Object.assign(createMemoryCli(), { json: true });
  const key = "api_0123456789abcdef0123456789abcdef";
  cli.io.addSecret(key);
  reportError(cli, new UsageError(`bad \x1b]0;pwned\x07 ${key}`));
  assert.ok(!cli.io.stdout.includes("0123456789"));
  assert.ok(!cli.io.stdout.includes("pwned"));
  assert.match(JSON.parse(cli.io.stdout).error.message, /\[redacted\]/);
});
