/**
 * End-to-end tests of the command table's words: aliases, `auth token`, help of a command, the
 * nearest-word suggestion and `completion`, run as the real CLI in a subprocess.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { baseEnv, lua, LUA_PERMISSIONS, pool, ROOT, sandbox } from "./_helpers.ts";
import { run } from "../testing/process.ts";

const KEY = "api_e2e_dddddddddddddddddddddddddddd4444";

Deno.test("e2e: token, whoami, login, help auth status, a typo and completion", async () => {
  const sb = await sandbox();
  try {
    const env = { LUA_API_KEY: KEY };
    const lines: [string[], Record<string, string>][] = [
      [["auth", "token"], env],
      [["auth", "key", "--force"], env],
      [["auth", "whoami", "--offline", "--json"], env],
      [["auth", "status", "--offline", "--json"], env],
      [["auth", "login", "--otp", "123456"], {}],
      [["help", "auth", "status"], {}],
      [["auth", "status", "--help"], {}],
      [["auth", "staus"], {}],
      [["completion", "bash"], {}],
    ];
    const [token, key, whoami, status, login, help, statusHelp, typo, completion] = await pool(
      lines,
      4,
      ([args, env]) => lua(sb, args, { env }),
    );
    assert.equal(token!.code, 0, token!.stderr);
    assert.equal(token!.stdout, `${KEY}\n`);
    assert.deepEqual([token!.stdout, token!.stderr], [key!.stdout, key!.stderr]);
    assert.equal(whoami!.code, 0, whoami!.stderr);
    assert.equal(whoami!.stdout, status!.stdout);
    assert.equal(login!.code, 2);
    assert.match(login!.stderr, /^Error: --otp needs --email/);
    assert.equal(help!.code, 0);
    assert.match(help!.stdout, /^Usage: lua auth status \[options\]/);
    assert.equal(help!.stdout, statusHelp!.stdout);
    assert.equal(typo!.code, 2);
    assert.equal(
      typo!.stderr,
      "Error: unknown command 'staus'\n  Did you mean status?\n" +
        "  Run: lua auth --help\n",
    );
    assert.equal(completion!.code, 0);
    assert.match(completion!.stdout, /^complete -F _lua_complete lua$/m);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("e2e: runCliMain's programName is what help, hints and completion say", async () => {
  const sb = await sandbox();
  try {
    const entry = join(sb.dir, "lua_ai.ts");
    const runner = new URL("../src/cli/main.ts", import.meta.url).href;
    const host = new URL("../src/cli/main_deno.ts", import.meta.url).href;
    await Deno.writeTextFile(
      entry,
      `import { runCliMain } from ${JSON.stringify(runner)};\n` +
        `import { denoHost } from ${JSON.stringify(host)};\n` +
        `Deno.exit(await runCliMain(Deno.args, denoHost(), ` +
        `{ programName: "/usr/local/bin/lua-ai" }));\n`,
    );
    const launch = (args: string[]) =>
      run(
        Deno.execPath(),
        ["run", "--quiet", "--config", join(ROOT, "deno.json"), ...LUA_PERMISSIONS, entry, ...args],
        { cwd: sb.cwd, clearEnv: true, env: baseEnv(sb) },
      );
    const help = await launch(["auth", "configure", "--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: lua-ai auth configure \[options\]/);
    assert.match(help.stdout, /\$ lua-ai auth configure --email you@example\.com/);
    const key = await launch(["auth", "key"]);
    assert.equal(key.code, 9);
    assert.match(key.stderr, /lua-ai auth configure +# Interactive setup/);
    const completion = await launch(["completion", "bash"]);
    assert.match(completion.stdout, /^complete -F _lua_ai_complete lua-ai$/m);
  } finally {
    await sb.cleanup();
  }
});
