/**
 * End-to-end tests of `lua auth configure` (typed and legacy keys, the email code through
 * `/profile/apiKey`) and of what `lua auth logout` now does instead of revoking: the real CLI
 * in a subprocess against the emulator listening on a loopback port in this process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunningEmulator } from "../emulator/server.ts";
import {
  exists,
  lua,
  modeOf,
  SAMPLE_KEY,
  type Sandbox,
  sandbox,
  storeKey,
  storeSession,
} from "./_helpers.ts";
import {
  authorization,
  closedPort,
  control,
  fault,
  issueKey as issueKeyFor,
  outbox as outboxOf,
  withWorld,
} from "./_world.ts";

const EMAIL = "ada@example.com";
const OLD_KEY = "api_old_0000000000000000000000000000aaaa";
const CHECK_EMAIL = "Check your email for a 6-digit code.";
/** The lines of `--email --otp`, in the seed's words and order. */
const VERIFY_LINES = [
  "🔐 Verifying OTP...",
  "✅ OTP verified successfully!",
  "🔑 Generating API key...",
  "✅ API key generated and saved securely.",
];
const ADMIN_DASHBOARD = "https://admin.heylua.ai";
const LEGACY_KEY = /^api_[0-9a-f]{32}$/;
const AUTH_FAILED_HINTS = [
  "Verify you copied the complete key",
  "Check key hasn't been revoked",
  "Ensure no extra spaces",
  "Generate new key via email method",
];
const INVALID_OTP_HINTS = [
  "Double-check the code from email",
  "OTP expires after 10 minutes",
  "Request new OTP by running command again",
];
const NON_INTERACTIVE_FORMS = [
  "lua auth configure --api-key <key>",
  "lua auth configure --api-key -",
  "lua auth configure --email <address>",
  "lua auth configure --email <address> --otp <code>",
];

/** A key, as the admin dashboard would issue it (legacy unless `kind` says typed). */
function issueKey(
  server: RunningEmulator,
  email = EMAIL,
  kind: "legacy" | "typed" = "legacy",
): Promise<string> {
  return issueKeyFor(server, email, kind);
}

async function revoke(server: RunningEmulator, apiKey: string): Promise<void> {
  const { status } = await control(server, "/_emulator/revoke", { apiKey });
  assert.equal(status, 204);
}

function outbox(server: RunningEmulator, email = EMAIL): Promise<{ code: string }[]> {
  return outboxOf(server, email);
}

/** The principal type the platform resolves a key to, or its error status. */
async function principal(server: RunningEmulator, apiKey: string): Promise<string | number> {
  const answer = await authorization(server, apiKey);
  return answer.status === 200 ? answer.subjectType ?? "none" : answer.status;
}

function assertIncludesAll(text: string, parts: readonly string[]): void {
  for (const part of parts) assert.ok(text.includes(part), `missing ${part}:\n${text}`);
}

/** A code that differs from `code` in every digit. */
function wrongCode(code: string): string {
  return [...code].map((d) => String((Number(d) + 1) % 10)).join("");
}

async function listDir(path: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(path))).map((entry) => entry.name).sort();
}

async function readStored(sb: Sandbox): Promise<string> {
  return await Deno.readTextFile(sb.credentials);
}

// ---------------------------------------------------------------------------------------------
// --api-key

Deno.test("configure --api-key: a valid key is stored alone, 0600 in a 0700 directory", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const key = await issueKey(server);
    const result = await run(["auth", "configure", "--api-key", key]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readStored(sb), key, "the file holds exactly the key");
    assert.equal(await modeOf(sb.credentials), 0o600);
    assert.equal(await modeOf(join(sb.home, ".lua-cli")), 0o700);
    assert.ok(result.stderr.includes(`Authenticated as ${EMAIL}`), result.stderr);
    assert.ok(result.stderr.includes(sb.credentials), "names the file");
    assert.equal(result.stdout, "");
    assert.ok(!`${result.stdout}${result.stderr}`.includes(key), "the key is not echoed");
    assert.deepEqual(await listDir(join(sb.home, ".lua-cli")), ["credentials"], "no temp file");
    assert.doesNotMatch(result.stderr, /Warning/);
  });
});

Deno.test("configure --api-key: a typed key is checked with the projection alone and stored", async () => {
  await withWorld(async ({ server, sb, requests, run }) => {
    const key = await issueKey(server, EMAIL, "typed");
    assert.match(key, /^api_[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    const result = await run(["auth", "configure", "--api-key", key]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readStored(sb), key, "the file holds exactly the key");
    assert.equal(await modeOf(sb.credentials), 0o600);
    assert.match(
      result.stderr,
      /✅ Authenticated as typed API key key_[0-9a-f]{8}; API key saved/,
    );
    assert.ok(result.stderr.includes(sb.credentials), "names the file");
    assert.ok(!result.stderr.includes(EMAIL), "a typed key has no email to show");
    assert.deepEqual(requests, ["GET /admin/me/authorization"], "no identity context asked");
    assert.ok(!`${result.stdout}${result.stderr}`.includes(key), "the key is not echoed");
  });
});

Deno.test("configure --api-key: a legacy key is checked with the projection and the context at once", async () => {
  await withWorld(async ({ server, sb, requests, run }) => {
    const key = await issueKey(server, EMAIL, "legacy");
    assert.match(key, LEGACY_KEY);
    const result = await run(["auth", "configure", "--api-key", key]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readStored(sb), key);
    assert.ok(
      result.stderr.includes(
        `✅ Authenticated as ${EMAIL} (Ada); API key saved to ${sb.credentials}`,
      ),
      result.stderr,
    );
    assert.deepEqual([...requests].sort(), [
      "GET /admin/me/authorization",
      "GET /admin/me/authorization/context",
    ]);
  });
});

Deno.test("configure --api-key: a key that resolves to the wrong kind of principal exits 9", async () => {
  await withWorld(async ({ server, sb, run }) => {
    // A legacy-looking key whose projection names an API-key principal: not what it claims.
    const key = await issueKey(server, EMAIL, "legacy");
    await fault(server, {
      path: "/admin/me/authorization",
      mode: "respond",
      count: 3,
      body: {
        version: 1,
        generatedAt: "2026-01-01T00:00:00.000Z",
        authorizationPrincipal: { subjectType: "apiKey", subjectId: "key_00000000" },
        orgs: [],
        capabilityProfiles: {},
      },
    });
    const result = await run(["auth", "configure", "--api-key", key]);
    assert.equal(result.code, 9, result.stderr);
    assert.match(result.stderr, /❌ Authentication failed/);
    assert.equal(await exists(sb.credentials), false);
  });
});

Deno.test("configure --api-key: a 0644 file in a 0755 directory ends 0600 in 0700", async () => {
  await withWorld(async ({ server, sb, run }) => {
    await storeKey(sb, OLD_KEY, 0o644);
    await Deno.chmod(join(sb.home, ".lua-cli"), 0o755);
    const key = await issueKey(server);
    const result = await run(["auth", "configure", "--api-key", key]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readStored(sb), key);
    assert.equal(await modeOf(sb.credentials), 0o600);
    assert.equal(await modeOf(join(sb.home, ".lua-cli")), 0o700);
  });
});

Deno.test("configure --api-key: LUA_API_KEY set warns that it takes priority", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const key = await issueKey(server);
    const result = await run(["auth", "configure", "--api-key", key], {
      env: { LUA_API_KEY: SAMPLE_KEY },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readStored(sb), key);
    assert.match(result.stderr, /Warning: LUA_API_KEY .*takes priority/);
    assert.ok(!result.stderr.includes(SAMPLE_KEY), "the environment key is not echoed");
  });
});

Deno.test("configure --api-key -: the key from stdin is stored and never printed", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const key = await issueKey(server);
    const result = await run(["auth", "configure", "--api-key", "-"], { stdin: `${key}\n` });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readStored(sb), key, "trimmed, no newline");
    assert.equal(await modeOf(sb.credentials), 0o600);
    assert.ok(result.stderr.includes(`Authenticated as ${EMAIL}`), result.stderr);
    assert.ok(!result.stdout.includes(key) && !result.stderr.includes(key), "key not printed");
  });
});

/** A key the platform rejects: one it revoked, or one it never issued. */
async function rejectedKey(
  server: RunningEmulator,
  which: "revoked" | "unknown",
): Promise<string> {
  if (which === "unknown") return SAMPLE_KEY;
  const key = await issueKey(server);
  await revoke(server, key);
  return key;
}

Deno.test("configure --api-key: a revoked or unknown key exits 9 and stores nothing", async (t) => {
  for (const which of ["revoked", "unknown"] as const) {
    await t.step(`${which}, no previous file`, async () => {
      await withWorld(async ({ server, sb, run }) => {
        const key = await rejectedKey(server, which);
        const result = await run(["auth", "configure", "--api-key", key]);
        assert.equal(result.code, 9, result.stderr);
        assert.match(result.stderr, /❌ Authentication failed/);
        assertIncludesAll(result.stderr, AUTH_FAILED_HINTS);
        assert.ok(!result.stderr.includes(key), "the key is not echoed");
        assert.equal(await exists(sb.credentials), false);
      });
    });
    await t.step(`${which}, a previous file is untouched`, async () => {
      await withWorld(async ({ server, sb, run }) => {
        await storeKey(sb, OLD_KEY, 0o600);
        const before = await Deno.stat(sb.credentials);
        const key = await rejectedKey(server, which);
        const result = await run(["auth", "configure", "--api-key", key]);
        assert.equal(result.code, 9, result.stderr);
        assert.equal(await readStored(sb), OLD_KEY);
        const after = await Deno.stat(sb.credentials);
        assert.equal(after.ino, before.ino, "the file was not replaced");
        assert.equal(after.mode, before.mode);
      });
    });
  }
});

Deno.test("configure --api-key: an unreachable platform exits 11 quickly, nothing stored", async () => {
  const sb = await sandbox();
  try {
    const url = `http://127.0.0.1:${closedPort()}`;
    const result = await lua(sb, ["auth", "configure", "--api-key", SAMPLE_KEY], {
      env: { LUA_AUTH_URL: url, LUA_API_URL: url },
    });
    assert.equal(result.code, 11, result.stderr);
    assert.ok(result.ms < 3000, `took ${Math.round(result.ms)} ms`);
    assert.match(result.stderr, /Cannot reach the Lua platform/);
    assert.ok(!result.stderr.includes("    at "), "no stack trace");
    assert.equal(await exists(sb.credentials), false);
    assert.equal(await exists(join(sb.home, ".lua-cli")), false, "not even the directory");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("configure --api-key: a malformed key exits 2 before any request", async (t) => {
  const cases: [string, string][] = [
    ["empty", ""],
    ["blank", "   "],
    ["inner space", "a b"],
    ["control character", "api_0123\x07456789abcdef"],
    ["escape sequence", "api_0123\x1b[2J456789"],
    ["longer than 4 KiB", `api_${"a".repeat(4100)}`],
  ];
  for (const [name, key] of cases) {
    await t.step(name, async () => {
      await withWorld(async ({ sb, requests, run }) => {
        const result = await run(["auth", "configure", "--api-key", key]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /^Error: The API key /);
        assert.deepEqual(requests, [], "no request reached the emulator");
        assert.equal(await exists(join(sb.home, ".lua-cli")), false, "nothing written");
        if (key.trim() !== "") assert.ok(!result.stderr.includes(key), "key not echoed");
      });
    });
  }
  await t.step("from stdin: empty, or two words", async () => {
    await withWorld(async ({ sb, requests, run }) => {
      for (const stdin of ["", "\n", "api_one api_two\n"]) {
        const result = await run(["auth", "configure", "--api-key", "-"], { stdin });
        assert.equal(result.code, 2, result.stderr);
      }
      assert.deepEqual(requests, []);
      assert.equal(await exists(join(sb.home, ".lua-cli")), false);
    });
  });
});

// BUG: a key with characters that cannot go in an HTTP header (the curly quotes a rich-text copy
// adds, or any character above U+00FF) passes the local checks, then fails inside fetch; the CLI
// reports "Cannot reach the Lua platform (...): the connection failed." and exits 11 after three
// attempts (~0.8 s), though nothing was sent. Expected: exit 2 before any request.
Deno.test({
  name: "configure --api-key: a key with curly quotes exits 2, not 11",
  ignore: false,
  fn: async () => {
    await withWorld(async ({ sb, requests, run }) => {
      const key = "\u201capi_0123456789abcdef0123456789abcdef\u201d";
      const result = await run(["auth", "configure", "--api-key", key]);
      assert.equal(result.code, 2, result.stderr);
      assert.doesNotMatch(result.stderr, /Cannot reach/);
      assert.deepEqual(requests, []);
      assert.equal(await exists(sb.credentials), false);
    });
  },
});

Deno.test("configure --api-key: a key of exactly 4 KiB passes the local checks and is asked about", async () => {
  await withWorld(async ({ sb, requests, run }) => {
    const key = `lk_${"a".repeat(4096 - 3)}`;
    const result = await run(["auth", "configure", "--api-key", key]);
    assert.equal(result.code, 9, result.stderr);
    assert.match(result.stderr, /❌ Authentication failed/);
    assert.ok(requests.includes("GET /admin/me/authorization"), `${requests}`);
    assert.equal(await exists(sb.credentials), false);
  });
});

Deno.test("configure --api-key: surrounding whitespace is trimmed before storing", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const key = await issueKey(server);
    const result = await run(["auth", "configure", "--api-key", ` ${key}\t\n`]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readStored(sb), key);
  });
});

// ---------------------------------------------------------------------------------------------
// --email (step 1)

Deno.test("configure --email: a malformed address exits 2 and sends nothing", async (t) => {
  for (const email of ["not-an-email", "ada@example", "a@b..co", "ada @example.com", ""]) {
    await t.step(JSON.stringify(email), async () => {
      await withWorld(async ({ server, requests, run }) => {
        const result = await run(["auth", "configure", "--email", email]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /not a valid email address/);
        assert.deepEqual(requests, []);
        assert.deepEqual(server.emulator.outbox(), []);
      });
    });
  }
});

// BUG (minor): validateEmail claims to check addresses "the way the platform does", but lets
// through a domain with an empty first label (`a@.b.co`); the request goes out and the platform's
// 400 comes back as exit 2 "That is not a valid email address." Exit code and outbox are right;
// only the "no request for malformed input" promise is broken.
Deno.test({
  name: "configure --email: a@.b.co is refused before any request",
  ignore: false,
  fn: async () => {
    await withWorld(async ({ requests, run }) => {
      const result = await run(["auth", "configure", "--email", "a@.b.co"]);
      assert.equal(result.code, 2, result.stderr);
      assert.deepEqual(requests, []);
    });
  },
});

Deno.test("configure --email: sends a code, says so, names step 2; again at once is rate limited", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const first = await run(["auth", "configure", "--email", EMAIL]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "");
    const lines = first.stderr.split("\n");
    assert.ok(lines.includes(CHECK_EMAIL), first.stderr);
    assert.ok(
      first.stderr.includes(`lua auth configure --email ${EMAIL} --otp <code>`),
      first.stderr,
    );
    assert.equal((await outbox(server)).length, 1);
    assert.equal(await exists(sb.credentials), false);

    const second = await run(["auth", "configure", "--email", EMAIL]);
    assert.equal(second.code, 11, second.stderr);
    assert.match(
      second.stderr,
      /wait 30 s and try again/,
      "the wait, in seconds, from the frozen clock",
    );
    assert.ok(!second.stderr.includes(CHECK_EMAIL), second.stderr);
    assert.equal((await outbox(server)).length, 1, "no second email");
  });
});

// ---------------------------------------------------------------------------------------------
// --email --otp (step 2)

Deno.test("configure --email --otp: the code becomes a key through /profile/apiKey, stored and accepted", async () => {
  await withWorld(async ({ server, sb, requests, run }) => {
    assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
    const [mail] = await outbox(server);
    assert.ok(mail);
    requests.length = 0;
    const result = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(requests, ["POST /otp/verify", "POST /profile/apiKey"]);
    const lines = result.stderr.trimEnd().split("\n");
    assert.deepEqual(lines.slice(0, 3), VERIFY_LINES.slice(0, 3), result.stderr);
    assert.equal(lines[3], `${VERIFY_LINES[3]} (${sb.credentials})`);
    assert.equal(result.stdout, "");
    const key = await readStored(sb);
    assert.match(key, LEGACY_KEY);
    assert.equal(await modeOf(sb.credentials), 0o600);
    assert.equal(await modeOf(join(sb.home, ".lua-cli")), 0o700);
    assert.equal(await principal(server, key), "user", "the platform accepts the new key");
    assert.equal(server.emulator.keys().length, 1, "exactly one key was created");
    assert.ok(!result.stdout.includes(key) && !result.stderr.includes(key), "key not printed");

    // The same code again: used up.
    const again = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
    assert.equal(again.code, 9, again.stderr);
    assert.match(again.stderr, /❌ Invalid OTP code/);
    assert.equal(await readStored(sb), key, "the stored key is untouched");
  });
});

Deno.test("configure --email --otp: a wrong code exits 9 with the seed's hints, then the right one works", async () => {
  await withWorld(async ({ server, sb, run }) => {
    assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
    const [mail] = await outbox(server);
    assert.ok(mail);
    const wrong = await run(["auth", "configure", "--email", EMAIL, "--otp", wrongCode(mail.code)]);
    assert.equal(wrong.code, 9, wrong.stderr);
    assert.match(wrong.stderr, /❌ Invalid OTP code/);
    assertIncludesAll(wrong.stderr, INVALID_OTP_HINTS);
    assert.equal(await exists(sb.credentials), false);
    const right = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
    assert.equal(right.code, 0, right.stderr);
    assert.equal(await principal(server, await readStored(sb)), "user");
  });
});

Deno.test("configure --email --otp: after 5 wrong tries even the right code is refused", async () => {
  await withWorld(async ({ server, sb, run }) => {
    assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
    const [mail] = await outbox(server);
    assert.ok(mail);
    for (let i = 0; i < 5; i++) {
      const wrong = await run([
        "auth",
        "configure",
        "--email",
        EMAIL,
        "--otp",
        wrongCode(mail.code),
      ]);
      assert.equal(wrong.code, 9, wrong.stderr);
    }
    const right = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
    assert.equal(right.code, 9, right.stderr);
    assert.match(right.stderr, /Request new OTP/);
    assert.equal(await exists(sb.credentials), false);
  });
});

// BUG (minor): after 5 wrong tries the platform answers 401 `code_burned` ("request a new
// code"), but the CLI treats it like a wrong code: "❌ Invalid OTP code" with "Double-check the
// code from email", although the right code can no longer work. Expected, as for an expired
// code: say so and give the command for a new code (lua auth configure --email <address>).
Deno.test({
  name: "configure --email --otp: a burned code says to request a new one, with the command",
  ignore: false,
  fn: async () => {
    await withWorld(async ({ server, run }) => {
      assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
      const [mail] = await outbox(server);
      assert.ok(mail);
      for (let i = 0; i < 5; i++) {
        await run(["auth", "configure", "--email", EMAIL, "--otp", wrongCode(mail.code)]);
      }
      const right = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
      assert.equal(right.code, 9, right.stderr);
      assert.doesNotMatch(right.stderr, /Double-check the code/);
      assert.ok(right.stderr.includes(`lua auth configure --email ${EMAIL}`), right.stderr);
    });
  },
});

Deno.test("configure --email --otp: a code that is not 6 digits exits 2 before any request", async (t) => {
  for (const code of ["12345", "abcdef", "1234567", "12 345", ""]) {
    await t.step(JSON.stringify(code), async () => {
      await withWorld(async ({ sb, requests, run }) => {
        const result = await run(["auth", "configure", "--email", EMAIL, "--otp", code]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /6 digits/);
        assert.deepEqual(requests, []);
        assert.equal(await exists(join(sb.home, ".lua-cli")), false);
      });
    });
  }
});

Deno.test("configure --email --otp: an expired code exits 9 saying codes last 10 minutes", async () => {
  await withWorld(async ({ server, sb, clock, run }) => {
    assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
    const [mail] = await outbox(server);
    assert.ok(mail);
    clock.now += 10 * 60 * 1000 + 1;
    const result = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
    assert.equal(result.code, 9, result.stderr);
    assert.match(result.stderr, /expire/);
    assert.match(result.stderr, /10 minutes/);
    assert.ok(
      result.stderr.includes(`lua auth configure --email ${EMAIL}`),
      "says how to get a new code",
    );
    assert.equal(await exists(sb.credentials), false);
  });
});

Deno.test("configure --email --otp: a code exactly 10 minutes old is still accepted", async () => {
  await withWorld(async ({ server, sb, clock, run }) => {
    assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
    const [mail] = await outbox(server);
    assert.ok(mail);
    clock.now += 10 * 60 * 1000;
    const result = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(await exists(sb.credentials));
  });
});

Deno.test("configure --email --otp: a failure during verification exits 11, not Invalid OTP", async (t) => {
  for (const mode of ["not-json", "500", "html502"]) {
    await t.step(mode, async () => {
      await withWorld(async ({ server, sb, run }) => {
        assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
        const [mail] = await outbox(server);
        assert.ok(mail);
        const fault = await control(server, "/_emulator/faults", { path: "/otp/verify", mode });
        assert.equal(fault.status, 204);
        const result = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
        assert.equal(result.code, 11, result.stderr);
        assert.doesNotMatch(result.stderr, /Invalid OTP/i);
        assert.doesNotMatch(result.stderr, /<html>/i, "no raw body");
        assert.equal(await exists(sb.credentials), false);
        // The fault kept the code alive: the retry works.
        const retry = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
        assert.equal(retry.code, 0, retry.stderr);
      });
    });
  }
  await t.step("unreachable", async () => {
    const sb = await sandbox();
    try {
      const url = `http://127.0.0.1:${closedPort()}`;
      const result = await lua(sb, ["auth", "configure", "--email", EMAIL, "--otp", "123456"], {
        env: { LUA_AUTH_URL: url, LUA_API_URL: url },
      });
      assert.equal(result.code, 11, result.stderr);
      assert.doesNotMatch(result.stderr, /Invalid OTP/i);
    } finally {
      await sb.cleanup();
    }
  });
});

Deno.test("configure --email --otp: a platform that no longer issues keys by code (404/405/410) exits 11, nothing stored", async (t) => {
  for (const status of [404, 405, 410]) {
    await t.step(String(status), async () => {
      await withWorld(async ({ server, sb, requests, run }) => {
        assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
        const [mail] = await outbox(server);
        assert.ok(mail);
        await fault(server, {
          path: "/profile/apiKey",
          mode: "respond",
          status,
          body: { message: "Not here." },
        });
        requests.length = 0;
        const result = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
        assert.equal(result.code, 11, result.stderr);
        assert.match(result.stderr, /no longer issues API keys by email code/);
        assert.ok(result.stderr.includes(ADMIN_DASHBOARD), result.stderr);
        assert.ok(result.stderr.includes("lua auth configure --api-key -"), result.stderr);
        assert.doesNotMatch(result.stderr, /saved securely/);
        assert.deepEqual(requests, ["POST /otp/verify", "POST /profile/apiKey"], "sent once");
        assert.equal(await exists(sb.credentials), false);
        assert.equal(await exists(join(sb.home, ".lua-cli")), false, "not even the directory");
        assert.deepEqual(server.emulator.keys(), []);
      });
    });
  }
});

Deno.test("configure: a redirect on /otp/verify or /admin/me/authorization stores nothing, exit 11", async (t) => {
  await t.step("--email --otp, 307 on /otp/verify", async () => {
    await withWorld(async ({ server, sb, requests, run }) => {
      assert.equal((await run(["auth", "configure", "--email", EMAIL])).code, 0);
      const [mail] = await outbox(server);
      assert.ok(mail);
      await fault(server, { path: "/otp/verify", mode: "redirect" });
      requests.length = 0;
      const result = await run(["auth", "configure", "--email", EMAIL, "--otp", mail.code]);
      assert.equal(result.code, 11, result.stderr);
      assert.match(result.stderr, /redirect \(HTTP 307\) to elsewhere\.invalid/);
      assert.match(result.stderr, /never follows redirects/);
      assert.doesNotMatch(result.stderr, /Invalid OTP/);
      assert.deepEqual(requests, ["POST /otp/verify"], "not followed, not repeated");
      assert.equal(await exists(sb.credentials), false);
      assert.deepEqual(server.emulator.keys(), []);
    });
  });
  await t.step("--api-key, 308 on /admin/me/authorization to another host", async () => {
    await withWorld(async ({ server, sb, requests, run }) => {
      await storeKey(sb, OLD_KEY);
      const key = await issueKey(server, EMAIL, "typed");
      await fault(server, {
        path: "/admin/me/authorization",
        mode: "redirect",
        status: 308,
        count: 3,
        headers: { location: "https://attacker.example/steal" },
      });
      const result = await run(["auth", "configure", "--api-key", key]);
      assert.equal(result.code, 11, result.stderr);
      assert.match(result.stderr, /redirect \(HTTP 308\) to attacker\.example/);
      assert.ok(!result.stderr.includes(key), "the key is not echoed");
      assert.ok(
        requests.every((r) => r === "GET /admin/me/authorization"),
        `only the check, never followed: ${requests}`,
      );
      assert.equal(await readStored(sb), OLD_KEY, "the previous file is untouched");
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Flag combinations

Deno.test("configure: flag combinations that make no sense exit 2 before any request", async (t) => {
  const cases: [string, string[], RegExp][] = [
    ["--otp without --email", ["--otp", "123456"], /--otp needs --email/],
    ["--api-key with --email", ["--api-key", SAMPLE_KEY, "--email", EMAIL], /cannot be combined/],
    ["--api-key with --otp", ["--api-key", SAMPLE_KEY, "--otp", "123456"], /cannot be combined/],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, async () => {
      await withWorld(async ({ sb, requests, run }) => {
        const result = await run(["auth", "configure", ...args]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, message);
        assert.deepEqual(requests, []);
        assert.equal(await exists(join(sb.home, ".lua-cli")), false);
      });
    });
  }
  await t.step("no flags and no terminal lists the non-interactive forms", async () => {
    await withWorld(async ({ requests, run }) => {
      const result = await run(["auth", "configure"]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /No terminal/);
      assertIncludesAll(result.stderr, NON_INTERACTIVE_FORMS);
      assert.deepEqual(requests, []);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// logout: nothing is revoked (no client of the platform can), the user is told where to do it

Deno.test("logout: the key is deleted, the reminder names the admin dashboard, no request is sent", async () => {
  await withWorld(async ({ server, sb, requests, run }) => {
    const key = await issueKey(server);
    await storeKey(sb, key);
    const result = await run(["auth", "logout", "--force"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /✅ API key deleted successfully\./);
    assert.match(result.stderr, /still works wherever else it is used/);
    assert.ok(result.stderr.includes(`admin dashboard (${ADMIN_DASHBOARD})`), result.stderr);
    assert.doesNotMatch(result.stderr, /Revoked/);
    assert.ok(!result.stderr.includes(key));
    assert.deepEqual(requests, [], "logout asks nothing of the platform");
    assert.equal(await principal(server, key), "user", "the key stays valid on the platform");
    assert.equal(await exists(sb.credentials), false);
  });
});

Deno.test("logout: an unreachable platform does not matter, the file is deleted at once", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, SAMPLE_KEY);
    const url = `http://127.0.0.1:${closedPort()}`;
    const result = await lua(sb, ["auth", "logout", "--force"], {
      env: { LUA_AUTH_URL: url, LUA_API_URL: url },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.ms < 3000, `took ${Math.round(result.ms)} ms`);
    assert.match(result.stderr, /API key deleted successfully\./);
    assert.equal(await exists(sb.credentials), false);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("logout --revoke is gone: exit 2, the file kept, nothing sent", async () => {
  await withWorld(async ({ server, sb, requests, run }) => {
    const key = await issueKey(server);
    await storeKey(sb, key);
    const result = await run(["auth", "logout", "--force", "--revoke"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /unknown option '--revoke'/);
    assert.equal(await readStored(sb), key);
    assert.deepEqual(requests, []);
  });
});

Deno.test("logout: a key the platform already rejects is deleted like any other, without a warning", async () => {
  await withWorld(async ({ server, sb, requests, run }) => {
    const key = await issueKey(server);
    await revoke(server, key);
    await storeKey(sb, key);
    const result = await run(["auth", "logout", "--force"]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /Warning/);
    assert.match(result.stderr, /API key deleted successfully\./);
    assert.deepEqual(requests, []);
    assert.equal(await exists(sb.credentials), false);
  });
});

Deno.test("logout: the other CLI's session files go too, only they, with the same confirmation", async () => {
  await withWorld(async ({ server, sb, requests, run }) => {
    const key = await issueKey(server);
    await storeKey(sb, key);
    const session = await storeSession(sb, "sess-1");
    const other = await storeSession(sb, "notes", { kind: "something-else" });
    const refused = await run(["auth", "logout"]);
    assert.equal(refused.code, 2, "no terminal, no --force: nothing is deleted");
    assert.ok(await exists(session) && await exists(sb.credentials));
    const result = await run(["auth", "logout", "--force"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Deleted 1 session file of the other Lua CLI/);
    assert.equal(await exists(session), false);
    assert.equal(await exists(other), true, "a file that is not a session is kept");
    assert.equal(await exists(sb.credentials), false);
    assert.deepEqual(requests, []);
  });
});
