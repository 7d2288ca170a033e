/**
 * Interactive `lua auth configure` in a real pseudo-terminal (tmux), against the emulator
 * listening on a loopback port in this process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator } from "../emulator/server.ts";
import type { RunningEmulator } from "../emulator/server.ts";
import { exists, modeOf, platformEnv, type Sandbox, sandbox } from "./_helpers.ts";
import { type PtySession, startPty } from "./_pty.ts";
import { authorization, issueKey as issueKeyFor } from "./_world.ts";

const EMAIL = "ada@example.com";
// The seed's prompts and progress lines, word for word.
const METHOD_PROMPT = "Choose authentication method:";
const KEY_PROMPT = "Enter your API key";
const EMAIL_PROMPT = "Enter your email address:";
const CODE_PROMPT = "Enter the OTP code:";
const EMAIL_LINES = [
  "📧 Sending OTP to your email...",
  "✅ OTP sent successfully!",
  "🔐 Verifying OTP...",
  "✅ OTP verified successfully!",
  "🔑 Generating API key...",
  "✅ API key generated and saved securely.",
];

async function withPty(
  fn: (server: RunningEmulator, sb: Sandbox, pty: PtySession) => Promise<void>,
): Promise<void> {
  const server = await startEmulator();
  const sb = await sandbox();
  let pty: PtySession | undefined;
  try {
    pty = await startPty(sb, ["auth", "configure"], platformEnv(server.url));
    await fn(server, sb, pty);
  } finally {
    await pty?.close();
    await server.close();
    await sb.cleanup();
  }
}

function issueKey(server: RunningEmulator): Promise<string> {
  return issueKeyFor(server, EMAIL);
}

/** Waits until the emulator has emailed a code to `email`, and returns it. */
async function waitForCode(server: RunningEmulator, email = EMAIL): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = server.emulator.outbox().find((entry) => entry.to === email);
    if (mail) return mail.code;
    if (Date.now() > deadline) throw new Error("no code was emailed");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("pty: configure, choose API key with the arrow keys, type it masked, stored", async () => {
  await withPty(async (server, sb, pty) => {
    const key = await issueKey(server);
    const menu = await pty.waitFor(METHOD_PROMPT);
    assert.match(menu, /API Key/);
    assert.match(menu, /Email/);
    // Move down to "Email" and back up to "API Key", then choose it.
    await pty.keys("Down");
    await pty.keys("Up");
    await pty.keys("Enter");
    await pty.waitFor(KEY_PROMPT);
    await pty.type(key);
    const typed = await pty.waitFor("*".repeat(key.length));
    assert.ok(!typed.includes(key), `the key is shown while typed:\n${typed}`);
    assert.ok(!typed.includes(key.slice(4)), "no part of the key is echoed");
    await pty.keys("Enter");
    const { code, screen } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.ok(screen.includes(`Authenticated as ${EMAIL}`), screen);
    assert.ok(!screen.includes(key), `the key is on the screen:\n${screen}`);
    assert.equal(await Deno.readTextFile(sb.credentials), key);
    assert.equal(await modeOf(sb.credentials), 0o600);
  });
});

Deno.test("pty: configure, an ill-formed key is refused at the prompt, then a good one", async () => {
  await withPty(async (server, sb, pty) => {
    const key = await issueKey(server);
    await pty.waitFor(METHOD_PROMPT);
    await pty.keys("Enter");
    await pty.waitFor(KEY_PROMPT);
    await pty.type("api_with space");
    await pty.keys("Enter");
    const refused = await pty.waitFor("must not contain spaces");
    assert.ok(!refused.includes("api_with"), "the refused input is masked too");
    // Clear what was typed.
    for (let i = 0; i < 20; i++) await pty.keys("BSpace");
    await pty.type(key);
    await pty.keys("Enter");
    const { code, screen } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.equal(await Deno.readTextFile(sb.credentials), key);
    assert.ok(!screen.includes(key));
  });
});

Deno.test("pty: Ctrl-C at the first prompt exits 130 and stores nothing", async () => {
  await withPty(async (server, sb, pty) => {
    await pty.waitFor(METHOD_PROMPT);
    await pty.keys("C-c");
    const { code, screen } = await pty.exit();
    assert.equal(code, 130, screen);
    assert.equal(await exists(sb.credentials), false);
    assert.equal(await exists(join(sb.home, ".lua-cli")), false);
    assert.deepEqual(server.emulator.outbox(), []);
  });
});

Deno.test("pty: Ctrl-C at the key prompt exits 130 and stores nothing", async () => {
  await withPty(async (_server, sb, pty) => {
    await pty.waitFor(METHOD_PROMPT);
    await pty.keys("Enter");
    await pty.waitFor(KEY_PROMPT);
    await pty.type("api_partial");
    await pty.keys("C-c");
    const { code, screen } = await pty.exit();
    assert.equal(code, 130, screen);
    assert.equal(await exists(sb.credentials), false);
  });
});

Deno.test("pty: configure by email, a wrong code, then the right code", async () => {
  await withPty(async (server, sb, pty) => {
    await pty.waitFor(METHOD_PROMPT);
    await pty.keys("Down");
    await pty.keys("Enter");
    await pty.waitFor(EMAIL_PROMPT);
    await pty.type(EMAIL);
    await pty.keys("Enter");
    await pty.waitFor(EMAIL_LINES[1]!);
    const code = await waitForCode(server);
    await pty.waitFor(CODE_PROMPT);
    const wrong = [...code].map((d) => String((Number(d) + 1) % 10)).join("");
    await pty.type(wrong);
    await pty.keys("Enter");
    await pty.waitFor("❌ Invalid OTP code: 2 attempts left");
    // The prompt is asked again.
    await pty.waitFor(new RegExp(`${CODE_PROMPT}[\\s\\S]*${CODE_PROMPT}`));
    await pty.type(code);
    await pty.keys("Enter");
    const result = await pty.exit();
    assert.equal(result.code, 0, result.screen);
    // The seed's transcript, in its order.
    let at = 0;
    for (const line of EMAIL_LINES) {
      const found = result.screen.indexOf(line, at);
      assert.ok(found >= 0, `missing or out of order: ${line}\n${result.screen}`);
      at = found + line.length;
    }
    const key = await Deno.readTextFile(sb.credentials);
    assert.match(key, /^api_[0-9a-f]{32}$/);
    assert.ok(!result.screen.includes(key), "the new key is not shown");
    assert.equal((await authorization(server, key)).subjectType, "user");
  });
});
