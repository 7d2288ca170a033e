import assert from "node:assert/strict";
import { createMemoryCli } from "../../testing/memory_io.ts";
import { runCli } from "./run.ts";
import { looksLikeScript } from "./lua_script.ts";

Deno.test("lua hello.lua says this is the platform CLI, not the interpreter; exit 2", async () => {
  const cli = createMemoryCli();
  assert.equal((await runCli(["hello.lua"], cli)).exitCode, 2);
  assert.match(
    cli.io.stderr,
    /^Error: Cannot run "hello\.lua": lua here is the Lua platform CLI, not the Lua interpreter\n/,
  );
  assert.match(cli.io.stderr, /Lua interpreter/);
  assert.doesNotMatch(cli.io.stderr, /unknown command/);
});

Deno.test("an existing file given as the command is taken for a script; a typo is not", async () => {
  const cli = createMemoryCli();
  cli.fs.putFile("/work/build", "print('hi')\n");
  assert.equal(await looksLikeScript(cli, "build"), true);
  assert.equal(await looksLikeScript(cli, "/work/build"), true);
  assert.equal(await looksLikeScript(cli, "auht"), false);
  assert.equal(await looksLikeScript(cli, "-e"), false);
  assert.equal((await runCli(["build"], cli)).exitCode, 2);
  assert.match(cli.io.stderr, /Cannot run "build"/);
  const typo = createMemoryCli();
  await runCli(["auht"], typo);
  assert.match(typo.io.stderr, /unknown command 'auht'/);
});

Deno.test("a file named like a command is still the command", async () => {
  const cli = createMemoryCli();
  cli.fs.putFile("/work/auth", "");
  assert.equal((await runCli(["auth"], cli)).exitCode, 0);
});

Deno.test("a script name that is not a plain path is not echoed", async () => {
  const cli = createMemoryCli({ programName: "lua-ai" });
  await runCli(["x\x1b]0;pwned\x07.lua"], cli);
  assert.match(cli.io.stderr, /Cannot run the script: lua-ai here is the Lua platform CLI/);
  assert.ok(!cli.io.stderr.includes("pwned"));
});

Deno.test("lua -e 'print(1)', -lsocket, -i, -: the interpreter's options, answered as such; exit 2", async () => {
  for (
    const args of [["-e", "print(1)"], ["-lsocket", "x.lua"], ["-i"], ["-"], ["-W", "-e", "x"]]
  ) {
    const cli = createMemoryCli();
    assert.equal((await runCli(args, cli)).exitCode, 2, args.join(" "));
    const option = args[0]!.slice(0, 2);
    assert.match(
      cli.io.stderr,
      new RegExp(
        `^Error: Cannot run the Lua interpreter's option ${option}: lua here is the Lua platform CLI, not the Lua interpreter\n`,
      ),
    );
    assert.doesNotMatch(cli.io.stderr, /unknown option|print|socket/);
  }
  const ours = createMemoryCli();
  assert.equal((await runCli(["--frobnicate"], ours)).exitCode, 2);
  assert.match(ours.io.stderr, /unknown option '--frobnicate'/);
  const fine = createMemoryCli();
  assert.equal((await runCli(["--version"], fine)).exitCode, 0);
});
