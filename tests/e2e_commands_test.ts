/**
 * End-to-end tests of the command table's words: aliases, `auth token`, help of a command, the
 * nearest-word suggestion and `completion`, run as the real CLI in a subprocess.
 *
 * @module
 */

import assert from "node:assert/strict";
import { lua, pool, sandbox } from "./_helpers.ts";

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
