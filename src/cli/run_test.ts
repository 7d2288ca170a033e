import assert from "node:assert/strict";
import {
  InterruptedError,
  NoApiKeyError,
  RateLimitedError,
  SilentError,
  UnavailableError,
  UsageError,
} from "../errors.ts";
import { createMemoryCli } from "../../testing/memory_io.ts";
import { VERSION } from "../version.ts";
import { CANCELLED, reportError, runCli } from "./run.ts";

Deno.test("--version prints the version from deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(VERSION, config.version);
  const cli = createMemoryCli();
  const record = await runCli(["--version"], cli);
  assert.equal(record.exitCode, 0);
  assert.equal(cli.io.stdout.trim(), VERSION);
});

Deno.test("--help and auth --help list the commands with examples", async () => {
  const root = createMemoryCli();
  assert.equal((await runCli(["--help"], root)).exitCode, 0);
  assert.match(root.io.stdout, /auth/);
  assert.match(root.io.stdout, /Exit codes/);
  const auth = createMemoryCli();
  assert.equal((await runCli(["auth", "--help"], auth)).exitCode, 0);
  for (const name of ["configure", "key", "logout", "status", "Examples:"]) {
    assert.ok(auth.io.stdout.includes(name), name);
  }
});

Deno.test("lua auth alone prints its help on stdout and exits 0", async () => {
  const cli = createMemoryCli();
  assert.equal((await runCli(["auth"], cli)).exitCode, 0);
  assert.match(cli.io.stdout, /^Usage: lua auth/);
  assert.equal(cli.io.stderr, "");
});

Deno.test("an unknown subcommand is named, with a suggestion", async () => {
  const cli = createMemoryCli();
  assert.equal((await runCli(["auth", "configur"], cli)).exitCode, 2);
  assert.match(cli.io.stderr, /^Error: unknown command 'configur'\n/);
  assert.match(cli.io.stderr, /Did you mean configure\?/);
  const status = createMemoryCli();
  assert.equal((await runCli(["auth", "staus"], status)).exitCode, 2);
  assert.match(status.io.stderr, /Did you mean status\?/);
});

Deno.test("a mistyped --flag=value never echoes the value", async () => {
  const cli = createMemoryCli();
  const key = "api_0123456789abcdef0123456789abcdef";
  assert.equal((await runCli(["auth", "configure", `--apikey=${key}`], cli)).exitCode, 2);
  assert.match(cli.io.stderr, /unknown option '--apikey=…'/);
  assert.ok(!cli.io.stderr.includes(key));
});

Deno.test("unknown commands and options exit 2", async () => {
  for (const args of [["--bogus"], ["auth", "nope"], ["auth", "key", "--nope"], ["nope"]]) {
    const cli = createMemoryCli();
    assert.equal((await runCli(args, cli)).exitCode, 2, args.join(" "));
    assert.notEqual(cli.io.stderr, "", args.join(" "));
  }
});

Deno.test("errors become `Error: …` with hints and their exit code", async () => {
  const cli = createMemoryCli();
  const record = await runCli(["auth", "key", "--force"], cli);
  assert.equal(record.exitCode, 9);
  assert.equal(record.command, "auth key");
  assert.match(cli.io.stderr, /^Error: No API key found\.\n/);
  assert.match(cli.io.stderr, /lua auth configure/);
  assert.match(cli.io.stderr, /export LUA_API_KEY=your-key/);
  assert.match(cli.io.stderr, /echo "LUA_API_KEY=key" >> \.env/);
});

Deno.test("a bug is reported as unexpected, exit 1, without a stack trace", async () => {
  const cli = createMemoryCli({ env: { LUA_API_KEY: "api_0123456789abcdef" } });
  cli.io.outKey = () => {
    throw new TypeError("boom");
  };
  const record = await runCli(["auth", "key", "--force"], cli);
  assert.equal(record.exitCode, 1);
  assert.match(cli.io.stderr, /unexpected error: boom/);
  assert.ok(!cli.io.stderr.includes("    at "));
});

Deno.test("a key given as a command is not echoed", async () => {
  const key = "api_0123456789abcdef0123456789abcdef";
  for (const args of [[key], ["auth", key]]) {
    const cli = createMemoryCli();
    assert.equal((await runCli(args, cli)).exitCode, 2);
    assert.match(cli.io.stderr, /unknown command '…'/);
    assert.ok(!cli.io.stderr.includes("0123456789abcdef"));
  }
});

Deno.test("aliases run their command and record its name", async () => {
  const env = { LUA_API_KEY: "api_0123456789abcdef0123456789abcdef" };
  const whoami = createMemoryCli({ env });
  const record = await runCli(["auth", "whoami", "--offline", "--json"], whoami);
  assert.deepEqual(record, { command: "auth status", exitCode: 0 });
  assert.equal(JSON.parse(whoami.io.stdout).active.kind, "env");
  const login = createMemoryCli();
  const configure = await runCli(["auth", "login", "--otp", "123456"], login);
  assert.equal(configure.command, "auth configure");
  assert.equal(configure.exitCode, 2);
  assert.match(login.io.stderr, /--otp needs --email/);
});

Deno.test("auth token prints the key alone, as auth key --force does", async () => {
  const key = "api_0123456789abcdef0123456789abcdef";
  const token = createMemoryCli({ env: { LUA_API_KEY: key } });
  const forced = createMemoryCli({ env: { LUA_API_KEY: key } });
  assert.deepEqual(await runCli(["auth", "token"], token), { command: "auth token", exitCode: 0 });
  assert.equal((await runCli(["auth", "key", "--force"], forced)).exitCode, 0);
  assert.equal(token.io.stdout, `${key}\n`);
  assert.deepEqual([token.io.stdout, token.io.stderr], [forced.io.stdout, forced.io.stderr]);
});

Deno.test("help auth status, auth help status and auth status --help show the help of status", async () => {
  const screens = [];
  for (
    const args of [["help", "auth", "status"], ["auth", "help", "status"], [
      "auth",
      "status",
      "--help",
    ]]
  ) {
    const cli = createMemoryCli();
    assert.equal((await runCli(args, cli)).exitCode, 0);
    screens.push(cli.io.stdout);
  }
  assert.match(screens[0]!, /^Usage: lua auth status \[options\]/);
  assert.equal(screens[1], screens[0]);
  assert.equal(screens[2], screens[0]);
});

Deno.test("help lists the aliases and auth token", async () => {
  const cli = createMemoryCli();
  await runCli(["auth", "--help"], cli);
  assert.match(cli.io.stdout, /configure, login +Set up/);
  assert.match(cli.io.stdout, /status, whoami +Show where/);
  assert.match(cli.io.stdout, /token +Print the API key/);
});

Deno.test("run as lua-ai, help, hints and examples say lua-ai", async () => {
  const help = createMemoryCli({ programName: "lua-ai" });
  await runCli(["auth", "configure", "--help"], help);
  assert.match(help.io.stdout, /^Usage: lua-ai auth configure/);
  assert.match(help.io.stdout, /\$ lua-ai auth configure --email you@example\.com/);
  assert.match(help.io.stdout, /\| lua-ai auth configure --api-key -/);
  assert.doesNotMatch(help.io.stdout, /(?<![\w.-])lua /);
  const hints = createMemoryCli({ programName: "lua-ai" });
  assert.equal((await runCli(["auth", "key"], hints)).exitCode, 9);
  assert.match(hints.io.stderr, /lua-ai auth configure +# Interactive setup/);
  assert.doesNotMatch(hints.io.stderr, /(?<![\w.-])lua /);
  const typo = createMemoryCli({ programName: "lua-ai" });
  await runCli(["auth", "staus"], typo);
  assert.match(typo.io.stderr, /Run: lua-ai auth --help\n/);
  const status = createMemoryCli({ programName: "lua-ai" });
  await runCli(["auth", "status", "--offline"], status);
  assert.match(status.io.stdout, /Run: lua-ai auth configure/);
  assert.match(status.io.stdout, /\.lua-cli\/credentials/, "paths are left alone");
});

Deno.test("status's failure is reported once, by the reporter", async () => {
  const none = createMemoryCli();
  assert.equal((await runCli(["auth", "status"], none)).exitCode, 9);
  assert.match(none.io.stdout, /No API key found\./);
  assert.equal(none.io.stderr, "", "the report said it all: nothing on stderr");
  const blocked = createMemoryCli();
  blocked.fs.putDir("/home/user/.lua-cli", 0o700);
  blocked.fs.putFile("/home/user/.lua-cli/credentials", "a\nb\n");
  assert.equal((await runCli(["auth", "status", "--offline"], blocked)).exitCode, 1);
  assert.match(blocked.io.stderr, /^Error: .*malformed/);
  assert.equal(blocked.io.stderr.split("Error:").length, 2, "one Error: line");
});

Deno.test("telemetry on|off|status runs from the table and records its action", async () => {
  const off = createMemoryCli();
  assert.deepEqual(await runCli(["telemetry", "off"], off), {
    command: "telemetry off",
    exitCode: 0,
  });
  const status = createMemoryCli();
  status.fs.putDir("/home/user/.lua-cli", 0o700);
  status.fs.putFile(
    "/home/user/.lua-cli/telemetry.json",
    off.fs.peek("/home/user/.lua-cli/telemetry.json")!,
  );
  assert.deepEqual(await runCli(["telemetry"], status), {
    command: "telemetry status",
    exitCode: 0,
  });
  assert.equal(status.io.stdout, "Telemetry: disabled\n");
  const typo = createMemoryCli();
  const record = await runCli(["telemetry", "of"], typo);
  assert.deepEqual(record, { command: "", exitCode: 2 });
  assert.match(typo.io.stderr, /unknown action 'of'/);
  assert.match(typo.io.stderr, /Did you mean o(n|ff) or o(n|ff)\?/);
});

Deno.test("reportError: Ctrl-C is a plain 'Cancelled', no Error: prefix, exit 130", () => {
  const cli = createMemoryCli({ color: true });
  assert.equal(reportError(cli, new InterruptedError()), 130);
  assert.equal(cli.io.stderr, `${CANCELLED}\n`);
  assert.equal(CANCELLED, "Cancelled");
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
