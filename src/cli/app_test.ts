import assert from "node:assert/strict";
import { createMemoryCli } from "../testing/memory_io.ts";
import { VERSION } from "../version.ts";
import { runWithCommander } from "./app.ts";
import { runCli } from "./run.ts";

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

Deno.test("lua auth alone prints its help and exits 0, on either path", async () => {
  const cli = createMemoryCli();
  assert.equal((await runCli(["auth"], cli)).exitCode, 0);
  assert.match(cli.io.stdout, /Usage: lua auth/);
  const parsed = createMemoryCli();
  assert.equal((await runWithCommander(["auth"], parsed)).exitCode, 0);
  assert.match(parsed.io.stderr, /Usage: lua auth/);
});

Deno.test("an unknown subcommand is named, with a suggestion", async () => {
  const cli = createMemoryCli();
  assert.equal((await runCli(["auth", "configur"], cli)).exitCode, 2);
  assert.match(cli.io.stderr, /unknown command 'configur'/);
  assert.match(cli.io.stderr, /Did you mean configure\?/);
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
