/**
 * `LUA_DEBUG`: an unexpected error (a bug) prints a stack trace only when it is set; a user's
 * error never does. A bug cannot be provoked in the real CLI from outside, so these runs are in
 * memory, through `runCli` and the one reporter, with a bug injected into the environment.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runCli } from "../src/cli/run.ts";
import { createMemoryCli, type MemoryCliContext } from "../testing/memory_io.ts";

const STACK_LINE = /^\s+at /m;

/** A command run whose reading of `LUA_API_KEY` throws a plain `TypeError`: a bug. */
function buggyCli(debug: string | undefined): MemoryCliContext {
  const cli = createMemoryCli({ env: { LUA_DEBUG: debug } });
  const env = cli.env;
  cli.env = (name) => {
    if (name === "LUA_API_KEY") throw new TypeError("injected bug");
    return env(name);
  };
  return cli;
}

Deno.test("LUA_DEBUG: a stack trace for an unexpected error only when it is set", async (t) => {
  await t.step("LUA_DEBUG=1: the message, the bug notice, then the stack trace", async () => {
    const cli = buggyCli("1");
    const record = await runCli(["auth", "key", "--force"], cli);
    assert.equal(record.exitCode, 1);
    const { stderr } = cli.io;
    assert.ok(stderr.startsWith("Error: unexpected error: injected bug\n"), stderr);
    assert.match(stderr, /This is a bug in the Lua CLI; please report it$/m);
    assert.match(stderr, /^TypeError: injected bug$/m);
    assert.match(stderr, STACK_LINE);
    assert.equal(cli.io.stdout, "");
  });

  for (const debug of [undefined, ""]) {
    await t.step(
      `LUA_DEBUG ${debug === undefined ? "unset" : "empty"}: no stack trace`,
      async () => {
        const cli = buggyCli(debug);
        const record = await runCli(["auth", "key", "--force"], cli);
        assert.equal(record.exitCode, 1);
        const { stderr } = cli.io;
        assert.ok(stderr.startsWith("Error: unexpected error: injected bug\n"), stderr);
        assert.match(stderr, /This is a bug in the Lua CLI/);
        assert.doesNotMatch(stderr, STACK_LINE);
        assert.doesNotMatch(stderr, /TypeError/);
      },
    );
  }

  await t.step("LUA_DEBUG=1: a user's error (no key) still has no stack trace", async () => {
    const cli = createMemoryCli({ env: { LUA_DEBUG: "1" } });
    const record = await runCli(["auth", "key", "--force"], cli);
    assert.equal(record.exitCode, 9);
    assert.ok(cli.io.stderr.startsWith("Error: No API key found.\n"), cli.io.stderr);
    assert.doesNotMatch(cli.io.stderr, STACK_LINE);
    assert.doesNotMatch(cli.io.stderr, /bug in the Lua CLI/);
  });
});
