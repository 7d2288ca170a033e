/**
 * In a real pseudo-terminal (tmux): a missing Deno permission never raises Deno's own prompt
 * (one sentence and exit 2 instead), and `--api-key -` on a terminal asks for the key masked.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startEmulator } from "../emulator/server.ts";
import { ENTER_API_KEY } from "../src/seed_text.ts";
import { sandbox, storeKey } from "./_helpers.ts";
import { startPty } from "./_pty.ts";
import { issueKey } from "./_world.ts";

const KEY = "lk_pty_0123456789abcdef0123456789ab";
const ALL = ["--allow-env", "--allow-read", "--allow-write", "--allow-net"];

Deno.test("pty: without a permission, one sentence and exit 2, never Deno's prompt", async (t) => {
  const server = await startEmulator();
  try {
    const cases: { args: string[]; drop: string; flag: string }[] = [
      { args: ["auth", "status"], drop: "--allow-env", flag: "--allow-env" },
      { args: ["auth", "key", "--force"], drop: "--allow-env", flag: "--allow-env" },
      { args: ["auth", "key", "--force"], drop: "--allow-read", flag: "--allow-read" },
      { args: ["auth", "logout", "--force"], drop: "--allow-write", flag: "--allow-write" },
      { args: ["auth", "status"], drop: "--allow-net", flag: "--allow-net" },
    ];
    for (const c of cases) {
      await t.step(`${c.args.join(" ")} without ${c.drop}`, async () => {
        const sb = await sandbox();
        await storeKey(sb, KEY);
        const env = { LUA_AUTH_URL: server.url, LUA_API_URL: server.url };
        const pty = await startPty(sb, c.args, env, ALL.filter((p) => p !== c.drop));
        try {
          const { code, screen } = await pty.exit(15_000);
          assert.ok(!/Deno requests|Allow\?|\[y\/n/i.test(screen), `Deno prompted:\n${screen}`);
          assert.equal(code, 2, screen);
          assert.match(screen, new RegExp(`needs the ${c.flag} permission`));
        } finally {
          await pty.close();
          await sb.cleanup();
        }
      });
    }
  } finally {
    await server.close();
  }
});

Deno.test("pty: --api-key - on a terminal asks masked; the key is never on the screen", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  const key = await issueKey(server, "ada@example.com");
  const pty = await startPty(sb, ["auth", "configure", "--api-key", "-"], {
    LUA_AUTH_URL: server.url,
    LUA_API_URL: server.url,
  });
  try {
    await pty.waitFor(ENTER_API_KEY);
    await pty.type(key);
    await pty.waitFor("*".repeat(8));
    const typed = await pty.waitFor("*".repeat(8));
    assert.ok(!typed.includes(key.slice(4, 12)), typed);
    await pty.keys("Enter");
    const { code, screen, tty } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(key.slice(4, 12)), screen);
    assert.equal(await Deno.readTextFile(sb.credentials), key);
    assert.deepEqual(tty.sort(), ["echo", "icanon"], "the terminal is left sane");
  } finally {
    await pty.close();
    await server.close();
    await sb.cleanup();
  }
});
