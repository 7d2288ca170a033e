import assert from "node:assert/strict";
import {
  AuthenticationError,
  ExpiredError,
  InterruptedError,
  InvalidOtpError,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "../errors.ts";
import { createEmulatedCli } from "../../testing/emulated.ts";
import type { FetchInit } from "../context.ts";
import { configureMode, runConfigure } from "./auth_configure.ts";
import { CHECK_EMAIL, CHOOSE_METHOD, ENTER_API_KEY, KEY_SAVED } from "../seed_text.ts";
import { TYPED_API_KEY } from "../validate.ts";

const PATH = "/home/user/.lua-cli/credentials";
const EMAIL = "ada@example.com";

function dashboardKey(
  e: ReturnType<typeof createEmulatedCli>,
  kind: "legacy" | "typed" = "legacy",
): Promise<string> {
  return e.issueKey(EMAIL, kind);
}

function lastCode(e: ReturnType<typeof createEmulatedCli>): string {
  return e.emulator.outbox().at(-1)!.code;
}

Deno.test("configureMode rejects senseless combinations", () => {
  assert.equal(configureMode({}), "interactive");
  assert.equal(configureMode({ apiKey: "k" }), "api-key");
  assert.equal(configureMode({ email: "e" }), "email-request");
  assert.equal(configureMode({ email: "e", otp: "1" }), "email-verify");
  assert.throws(() => configureMode({ otp: "123456" }), UsageError);
  assert.throws(() => configureMode({ apiKey: "k", email: "e" }), UsageError);
  assert.throws(() => configureMode({ apiKey: "k", otp: "123456" }), UsageError);
});

Deno.test("--api-key: checks a legacy key with both routes at once, stores it 0600, names the account", async () => {
  const e = createEmulatedCli();
  const key = await dashboardKey(e);
  await runConfigure({ apiKey: `  ${key}\n` }, e.cli);
  assert.equal(e.cli.fs.peek(PATH), key);
  assert.equal(e.cli.fs.modeOf(PATH), 0o600);
  assert.equal(e.cli.fs.modeOf("/home/user/.lua-cli"), 0o700);
  assert.match(e.cli.io.stderr, new RegExp(`Authenticated as ${EMAIL}`));
  assert.ok(!e.cli.io.stderr.includes(key) && !e.cli.io.stdout.includes(key));
  assert.deepEqual(e.requests.toSorted(), [
    "GET /admin/me/authorization",
    "GET /admin/me/authorization/context",
  ]);
});

Deno.test("--api-key: a typed key is checked with the projection alone and named by its id", async () => {
  const e = createEmulatedCli();
  const key = await dashboardKey(e, "typed");
  assert.match(key, TYPED_API_KEY);
  await runConfigure({ apiKey: key }, e.cli);
  assert.equal(e.cli.fs.peek(PATH), key);
  assert.match(
    e.cli.io.stderr,
    /Authenticated as typed API key key_[0-9a-f]{8}; API key saved to /,
  );
  assert.deepEqual(e.requests, ["GET /admin/me/authorization"]);
});

Deno.test("--api-key: a principal of the wrong kind is a rejected key, nothing stored", async () => {
  const e = createEmulatedCli();
  const key = await dashboardKey(e);
  await e.call("POST", "/_emulator/faults", {
    path: "/admin/me/authorization",
    mode: "respond",
    body: {
      version: 1,
      generatedAt: "2026-01-01T00:00:00.000Z",
      authorizationPrincipal: { subjectType: "apiKey", subjectId: "key_00000000" },
      orgs: [],
      capabilityProfiles: {},
    },
  });
  await assert.rejects(runConfigure({ apiKey: key }, e.cli), AuthenticationError);
  assert.equal(e.cli.fs.peek(PATH), undefined);
});

Deno.test("--api-key: LUA_API_KEY set gives a priority warning after saving", async () => {
  const e = createEmulatedCli({ env: { LUA_API_KEY: "api_other_0000000000" } });
  await runConfigure({ apiKey: await dashboardKey(e) }, e.cli);
  assert.match(e.cli.io.stderr, /LUA_API_KEY is set in your environment and takes priority/);
});

Deno.test("--api-key -: reads the key from stdin", async () => {
  const e = createEmulatedCli();
  const key = await dashboardKey(e);
  e.cli.io.readStdinLine = () => Promise.resolve(key);
  await runConfigure({ apiKey: "-" }, e.cli);
  assert.equal(e.cli.fs.peek(PATH), key);
});

Deno.test("--api-key: a rejected key is 'Authentication failed' with hints, nothing stored", async () => {
  const e = createEmulatedCli();
  e.cli.fs.putDir("/home/user/.lua-cli", 0o700);
  e.cli.fs.putFile(PATH, "api_previous_1234");
  await assert.rejects(
    runConfigure({ apiKey: "api_ffffffffffffffffffffffffffffffff" }, e.cli),
    (err) => {
      assert.ok(err instanceof AuthenticationError);
      assert.equal(err.message, "Authentication failed");
      assert.equal(err.exitCode, 9);
      assert.equal(err.hints.length, 4);
      return true;
    },
  );
  assert.equal(e.cli.fs.peek(PATH), "api_previous_1234");
});

Deno.test("--api-key: bad input is a usage error and sends nothing", async () => {
  for (const apiKey of ["", "   ", "api bad", "api\u0007bell", "a".repeat(4097)]) {
    const e = createEmulatedCli();
    await assert.rejects(runConfigure({ apiKey }, e.cli), UsageError, JSON.stringify(apiKey));
    assert.deepEqual(e.requests, []);
    assert.equal(e.cli.fs.peek(PATH), undefined);
  }
});

Deno.test("--api-key: unreachable platform is exit 11 and nothing stored", async () => {
  const e = createEmulatedCli();
  const key = await dashboardKey(e);
  await e.call("POST", "/_emulator/faults", {
    path: "/admin/me/authorization",
    mode: "500",
    count: 5,
  });
  await assert.rejects(runConfigure({ apiKey: key }, e.cli), UnavailableError);
  assert.equal(e.cli.fs.peek(PATH), undefined);
});

Deno.test("--email: checks the address, requests a code, prints the next command", async () => {
  const e = createEmulatedCli();
  await runConfigure({ email: EMAIL }, e.cli);
  assert.equal(e.emulator.outbox().length, 1);
  assert.ok(e.cli.io.stderr.includes(`${CHECK_EMAIL}\n`));
  assert.ok(e.cli.io.stderr.includes(`lua auth configure --email ${EMAIL} --otp <code>`));
  await assert.rejects(runConfigure({ email: EMAIL }, e.cli), (err) => {
    assert.ok(err instanceof RateLimitedError);
    assert.ok(err.retryAfterSeconds! > 0 && err.retryAfterSeconds! <= 30);
    assert.match(err.message, /wait \d+ s/);
    return true;
  });
  for (const email of ["nope", "a@b", "a b@c.de", ""]) {
    await assert.rejects(runConfigure({ email }, e.cli), UsageError);
  }
  assert.equal(e.emulator.outbox().length, 1);
});

Deno.test("--email --otp: verifies, creates a key, stores it", async () => {
  const e = createEmulatedCli();
  await runConfigure({ email: EMAIL }, e.cli);
  const code = lastCode(e);
  await runConfigure({ email: EMAIL, otp: code }, e.cli);
  const key = e.cli.fs.peek(PATH)!;
  assert.match(key, /^api_[0-9a-f]{32}$/);
  assert.ok(e.cli.io.stderr.includes(`${KEY_SAVED} (${PATH})`), e.cli.io.stderr);
  assert.ok(!e.cli.io.stderr.includes(key));
  assert.deepEqual(e.requests, ["POST /otp", "POST /otp/verify", "POST /profile/apiKey"]);
});

Deno.test("--email --otp: a platform that no longer issues keys by code says what to do, exit 11", async () => {
  for (const status of [404, 405, 410]) {
    const e = createEmulatedCli();
    await runConfigure({ email: EMAIL }, e.cli);
    await e.call("POST", "/_emulator/faults", {
      path: "/profile/apiKey",
      mode: "respond",
      status,
      body: { message: "Not Found" },
    });
    await assert.rejects(runConfigure({ email: EMAIL, otp: lastCode(e) }, e.cli), (err) => {
      assert.ok(err instanceof UnavailableError, String(err));
      assert.equal(err.exitCode, 11);
      assert.match(err.message, /no longer issues API keys by email code/);
      assert.ok(err.hints.some((h) => h.includes("https://admin.heylua.ai")));
      assert.ok(err.hints.some((h) => h.includes("lua auth configure --api-key -")));
      return true;
    });
    assert.equal(e.cli.fs.peek(PATH), undefined);
  }
});

Deno.test("--email --otp: wrong, reused and malformed codes", async () => {
  const e = createEmulatedCli();
  await runConfigure({ email: EMAIL }, e.cli);
  const code = lastCode(e);
  const wrong = code === "000000" ? "111111" : "000000";
  await assert.rejects(runConfigure({ email: EMAIL, otp: wrong }, e.cli), (err) => {
    assert.ok(err instanceof InvalidOtpError);
    assert.equal(err.message, "Invalid OTP code");
    assert.deepEqual(err.hints.length, 3);
    return true;
  });
  await runConfigure({ email: EMAIL, otp: code }, e.cli);
  await assert.rejects(runConfigure({ email: EMAIL, otp: code }, e.cli), InvalidOtpError);
  const before = e.requests.length;
  for (const otp of ["12345", "1234567", "abcdef", ""]) {
    await assert.rejects(runConfigure({ email: EMAIL, otp }, e.cli), UsageError);
  }
  assert.equal(e.requests.length, before, "no request for a malformed code");
});

Deno.test("--email --otp: an expired code says codes expire after 10 minutes", async () => {
  const e = createEmulatedCli();
  await runConfigure({ email: EMAIL }, e.cli);
  const code = lastCode(e);
  e.advance(10 * 60_000 + 1_000);
  await assert.rejects(runConfigure({ email: EMAIL, otp: code }, e.cli), (err) => {
    assert.ok(err instanceof ExpiredError);
    assert.match(err.message, /expire after 10 minutes/);
    assert.match(err.hints.join("\n"), new RegExp(`lua auth configure --email ${EMAIL}`));
    return true;
  });
  assert.equal(e.cli.fs.peek(PATH), undefined);
});

Deno.test("--email --otp: a server failure is never reported as a wrong code", async () => {
  for (const mode of ["500", "html502", "not-json"]) {
    const e = createEmulatedCli();
    await runConfigure({ email: EMAIL }, e.cli);
    const code = lastCode(e);
    await e.call("POST", "/_emulator/faults", { path: "/otp/verify", mode });
    await assert.rejects(runConfigure({ email: EMAIL, otp: code }, e.cli), (err) => {
      assert.ok(err instanceof UnavailableError, mode);
      assert.ok(!(err as Error).message.includes("Invalid OTP"));
      return true;
    });
  }
});

Deno.test("interactive: no terminal lists the non-interactive forms", async () => {
  const e = createEmulatedCli();
  await assert.rejects(runConfigure({}, e.cli), (err) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.hints.join("\n"), /--api-key/);
    assert.match(err.hints.join("\n"), /--email <address> --otp <code>/);
    return true;
  });
});

Deno.test("interactive: API key, re-asked until valid, then stored", async () => {
  let key = "";
  const e = createEmulatedCli({ terminal: true, answers: ["api-key", "bad key", () => key] });
  key = await dashboardKey(e);
  await runConfigure({}, e.cli);
  assert.equal(e.cli.fs.peek(PATH), key);
  assert.deepEqual(e.cli.io.asked, [CHOOSE_METHOD, ENTER_API_KEY]);
  assert.match(e.cli.io.stderr, /must not contain spaces/);
});

Deno.test("interactive: email, one wrong code, then the right one", async () => {
  const code = () => e.emulator.outbox().at(-1)!.code;
  const wrong = () => code() === "000000" ? "111111" : "000000";
  const e = createEmulatedCli({
    terminal: true,
    answers: ["email", "not-an-email", EMAIL, wrong, code],
  });
  await runConfigure({}, e.cli);
  assert.match(e.cli.io.stderr, /is not a valid email address/);
  assert.match(e.cli.io.stderr, /❌ Invalid OTP code: 2 attempts left\n/);
  assert.match(e.cli.fs.peek(PATH)!, /^api_[0-9a-f]{32}$/);
  assert.equal(e.emulator.outbox().length, 1);
});

Deno.test("interactive: three wrong codes fail with exit 9; Ctrl-C is exit 130", async () => {
  const e = createEmulatedCli({
    terminal: true,
    answers: ["email", EMAIL, "000001", "000002", "000003"],
  });
  await assert.rejects(runConfigure({}, e.cli), InvalidOtpError);
  assert.equal(e.cli.fs.peek(PATH), undefined);

  const c = createEmulatedCli({ terminal: true, answers: ["api-key", { ctrlC: true }] });
  await assert.rejects(runConfigure({}, c.cli), (err) => {
    assert.ok(err instanceof InterruptedError);
    assert.equal(err.exitCode, 130);
    return true;
  });
  assert.equal(c.cli.fs.peek(PATH), undefined);
});

/** An endless stdin repeating `chunk` (`yes`, or a flood without newlines). */
function endless(chunk: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(chunk);
  return new ReadableStream({ pull: (controller) => controller.enqueue(bytes) });
}

Deno.test("--api-key -: `yes |` ends at the first line; a flood without newline is exit 2", async () => {
  const yes = createEmulatedCli({ stdin: endless("y\n") });
  await assert.rejects(runConfigure({ apiKey: "-" }, yes.cli), AuthenticationError);
  const flood = createEmulatedCli({ stdin: endless("x".repeat(65_536)) });
  await assert.rejects(runConfigure({ apiKey: "-" }, flood.cli), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /^Cannot read the key from stdin: more than 64 KiB/);
    return true;
  });
  assert.deepEqual(flood.requests, [], "nothing is sent");
});

Deno.test("--api-key -: only the first line is the key", async () => {
  const e = createEmulatedCli();
  const key = await dashboardKey(e);
  const piped = createEmulatedCli({ stdin: `${key}\r\nsecond line\n` });
  Object.assign(piped.cli, { fetch: e.cli.fetch });
  await runConfigure({ apiKey: "-" }, piped.cli);
  assert.equal(piped.cli.fs.peek(PATH), key);
});

Deno.test("--api-key - on a terminal: asked masked, never read as echoed text", async () => {
  const e = createEmulatedCli({ terminal: true, answers: [() => key] });
  const key = await dashboardKey(e);
  await runConfigure({ apiKey: "-" }, e.cli);
  assert.deepEqual(e.cli.io.asked, [ENTER_API_KEY]);
  assert.equal(e.cli.fs.peek(PATH), key);
  // stdin a terminal but no terminal to prompt on (stderr redirected): refused.
  const refused = createEmulatedCli({ stdinTerminal: true });
  await assert.rejects(runConfigure({ apiKey: "-" }, refused.cli), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /^Cannot read the key from stdin: it is a terminal/);
    return true;
  });
});

Deno.test("hints quote the address for the shell", async () => {
  const e = createEmulatedCli();
  const email = "a$(id)b@example.com";
  await runConfigure({ email }, e.cli);
  assert.match(
    e.cli.io.stderr,
    /Then run: lua auth configure --email 'a\$\(id\)b@example\.com' --otp <code>/,
  );
});

Deno.test("configure on a terminal: a spinner says what each request waits for, and is cleared", async () => {
  const e = createEmulatedCli({ progress: true });
  const fetch = e.cli.fetch;
  const labels: string[] = [];
  Object.assign(e.cli, {
    fetch: (url: string, init: FetchInit) => {
      labels.push(e.cli.io.terminal!.screen().at(-1)!);
      return fetch(url, init);
    },
  });
  await runConfigure({ email: "ada@example.com" }, e.cli);
  await runConfigure({ email: "ada@example.com", otp: e.emulator.outbox().at(-1)!.code }, e.cli);
  await runConfigure({ apiKey: await e.issueKey("ada@example.com") }, e.cli);
  // A legacy key is checked with two requests at once, under one spinner.
  assert.deepEqual([...new Set(labels)], [
    "⠋ Sending the code…",
    "⠋ Verifying the code…",
    "⠋ Creating an API key…",
    "⠋ Checking the key with the Lua platform…",
  ]);
  assert.doesNotMatch(e.cli.io.terminal!.screen().join("\n"), /⠋/, "every spinner is cleared");
  assert.equal(e.cli.io.terminal!.cursorHidden, false);
});

Deno.test("--api-key: LUA_API_KEY_FILE set gives the same priority warning, naming it", async () => {
  const e = createEmulatedCli({ env: { LUA_API_KEY_FILE: "/run/secrets/lua" } });
  e.cli.fs.putDir("/run/secrets", 0o700);
  e.cli.fs.putFile("/run/secrets/lua", "api_from_secret_file_0000", 0o600);
  await runConfigure({ apiKey: await dashboardKey(e) }, e.cli);
  assert.match(e.cli.io.stderr, /LUA_API_KEY_FILE is set in your environment and takes priority/);
});
