/**
 * The spinner in a real pseudo-terminal (tmux): shown while the platform is asked, after the
 * local part of `auth status`; cleared before the answer; stopped by Ctrl-C with "Cancelled";
 * and the cursor is visible again whatever happened.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startEmulator } from "../emulator/server.ts";
import { platformEnv, sandbox, storeKey } from "./_helpers.ts";
import { startPty } from "./_pty.ts";
import { FRAMES } from "../src/cli/progress.ts";
import { fault, issueKey } from "./_world.ts";

const CHECKING = "Checking the key with the Lua platform…";

async function slowPlatform(delayMs: number) {
  const server = await startEmulator();
  const sb = await sandbox();
  const key = await issueKey(server, "ada@example.com");
  await storeKey(sb, key);
  for (const path of ["/admin/me/authorization", "/admin/me/authorization/context"]) {
    await fault(server, { path, mode: "delay", delayMs, count: 1 });
  }
  return {
    server,
    sb,
    cleanup: async () => {
      await server.close();
      await sb.cleanup();
    },
  };
}

Deno.test("pty: auth status shows the sources, then a spinner, then the answer in its place", async () => {
  const { server, sb, cleanup } = await slowPlatform(1500);
  const pty = await startPty(sb, ["auth", "status"], platformEnv(server.url));
  try {
    const during = await pty.waitFor(CHECKING);
    assert.match(during, /Key sources, in priority order:[\s\S]*credentials file .* \(in use\)/);
    assert.doesNotMatch(during, /Authenticated/);
    assert.equal(await pty.cursorVisible(), false, "the spinner hides the cursor");
    // It turns: within a second, a frame two or more after the one shown is drawn.
    const [shown] = during.match(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](?= Checking)/) ?? [];
    assert.ok(shown, during);
    const at = FRAMES.indexOf(shown);
    const later = FRAMES.filter((_, i) => i !== at && i !== (at + 1) % FRAMES.length).join("");
    await pty.waitFor(new RegExp(`[${later}] Checking`), 1000);
    const { code, screen } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.match(screen, /Authenticated as ada@example\.com/);
    assert.ok(!screen.includes(CHECKING), `the spinner is not cleared:\n${screen}`);
    assert.equal(await pty.cursorVisible(), true, "the cursor is shown again");
  } finally {
    await pty.close();
    await cleanup();
  }
});

Deno.test("pty: Ctrl-C while waiting prints Cancelled (no Error:), exit 130, cursor shown", async () => {
  const { server, sb, cleanup } = await slowPlatform(20_000);
  const pty = await startPty(sb, ["auth", "status"], platformEnv(server.url));
  try {
    await pty.waitFor(CHECKING);
    await pty.keys("C-c");
    const { code, screen } = await pty.exit();
    assert.equal(code, 130, screen);
    assert.match(screen, /^Cancelled$/m);
    assert.doesNotMatch(screen, /Error:/);
    assert.ok(!screen.includes(CHECKING), `the spinner is not cleared:\n${screen}`);
    assert.equal(await pty.cursorVisible(), true, "the cursor is shown again");
  } finally {
    await pty.close();
    await cleanup();
  }
});

Deno.test("pty: --json shows no spinner, even on a terminal", async () => {
  const { server, sb, cleanup } = await slowPlatform(2500);
  const pty = await startPty(sb, ["auth", "status", "--json"], platformEnv(server.url));
  try {
    // Well into the wait, where the spinner would be turning without --json.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const during = await pty.waitFor(/^/);
    assert.ok(!during.includes(CHECKING), during);
    assert.equal(await pty.cursorVisible(), true);
    const { code, screen } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(CHECKING), screen);
    assert.match(screen, /"valid": true/);
  } finally {
    await pty.close();
    await cleanup();
  }
});

Deno.test("pty: interactive configure, Ctrl-C while the code is being sent, after a prompt", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  await fault(server, { path: "/otp", mode: "delay", delayMs: 20_000, count: 1 });
  const pty = await startPty(sb, ["auth", "configure"], platformEnv(server.url));
  try {
    await pty.waitFor("Choose authentication method:");
    await pty.keys("Down");
    await pty.keys("Enter");
    await pty.waitFor("Enter your email address:");
    await pty.type("ada@example.com");
    await pty.keys("Enter");
    await pty.waitFor("Sending the code…");
    await pty.keys("C-c");
    const { code, screen, tty } = await pty.exit();
    assert.equal(code, 130, screen);
    assert.match(screen, /^Cancelled$/m);
    assert.ok(!screen.includes("Sending the code…"), screen);
    assert.equal(await pty.cursorVisible(), true, "the cursor is shown again");
    assert.deepEqual(tty.sort(), ["echo", "icanon"], "the terminal is left sane");
  } finally {
    await pty.close();
    await server.close();
    await sb.cleanup();
  }
});
