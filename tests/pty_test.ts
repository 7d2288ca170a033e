import assert from "node:assert/strict";
import { exists, sandbox, storeKey } from "./_helpers.ts";
import { startPty } from "./_pty.ts";

const KEY = "api_pty_0123456789abcdef0123456789ab";
const KEY_PROMPT = "This will display your API key. Are you sure you want to continue?";
const LOGOUT_PROMPT = "Are you sure you want to delete your API key?";

Deno.test("pty: auth key, answered yes, shows the key", async () => {
  const sb = await sandbox();
  await storeKey(sb, KEY);
  const pty = await startPty(sb, ["auth", "key"]);
  try {
    await pty.waitFor(KEY_PROMPT);
    await pty.keys("y", "Enter");
    const { code, screen } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.match(screen, /🔑 Your API key:/);
    assert.ok(screen.includes(KEY), screen);
  } finally {
    await pty.close();
    await sb.cleanup();
  }
});

Deno.test("pty: auth key, answered no, shows nothing", async () => {
  const sb = await sandbox();
  await storeKey(sb, KEY);
  const pty = await startPty(sb, ["auth", "key"]);
  try {
    await pty.waitFor(KEY_PROMPT);
    await pty.keys("n", "Enter");
    const { code, screen } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(KEY), screen);
    assert.match(screen, /Cancelled/);
  } finally {
    await pty.close();
    await sb.cleanup();
  }
});

Deno.test("pty: Ctrl-C at the logout prompt exits 130 and keeps the file", async () => {
  const sb = await sandbox();
  await storeKey(sb, KEY);
  const pty = await startPty(sb, ["auth", "logout"]);
  try {
    await pty.waitFor(LOGOUT_PROMPT);
    await pty.keys("C-c");
    const { code, screen, tty } = await pty.exit();
    assert.equal(code, 130, screen);
    assert.match(screen, /^Cancelled$/m, "a plain line");
    assert.doesNotMatch(screen, /Error:/);
    assert.ok(await exists(sb.credentials));
    assert.deepEqual(tty.sort(), ["echo", "icanon"], "the terminal is left sane");
  } finally {
    await pty.close();
    await sb.cleanup();
  }
});
