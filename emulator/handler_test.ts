import assert from "node:assert/strict";
import { createEmulator, type Emulator, type EmulatorOptions } from "./handler.ts";
import { sha256Hex } from "./hash.ts";

const START = Date.parse("2026-01-01T00:00:00.000Z");
const ORIGIN = "http://emulator.test";
const ADA = "ada@example.com";
const API_KEY = /^api_[0-9a-f]{32}$/;

interface Harness {
  emulator: Emulator;
  clock: { t: number };
  lines: string[];
  /** Sends a request; `body` objects are JSON-encoded, strings sent as is. */
  call(method: string, path: string, body?: unknown, init?: RequestInit): Promise<Response>;
}

function setup(options: EmulatorOptions = {}): Harness {
  const clock = { t: START };
  const lines: string[] = [];
  const emulator = createEmulator({
    now: () => clock.t,
    log: (line) => lines.push(line),
    ...options,
  });
  return {
    emulator,
    clock,
    lines,
    call(method, path, body, init = {}) {
      const encoded = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
      return emulator.handler(
        new Request(`${ORIGIN}${path}`, { method, body: encoded ?? null, ...init }),
      );
    },
  };
}

function bearer(credential: string): RequestInit {
  return { headers: { authorization: `Bearer ${credential}` } };
}

/** Asserts a JSON response and returns its parsed body. */
async function expectJson(response: Response, status: number): Promise<Record<string, unknown>> {
  const text = await response.text();
  assert.equal(response.status, status, `status of ${text}`);
  assert.equal(response.headers.get("content-type"), "application/json");
  return JSON.parse(text);
}

/** Asserts a JSON error response with the given code. */
async function expectError(
  response: Response,
  status: number,
  error: string,
): Promise<Record<string, unknown>> {
  const body = await expectJson(response, status);
  assert.equal(body.error, error);
  assert.equal(typeof body.message, "string");
  assert.ok((body.message as string).length > 0);
  return body;
}

async function expectEmpty(response: Response, status = 204): Promise<void> {
  assert.equal(response.status, status);
  assert.equal(await response.text(), "");
}

async function requestCode(h: Harness, email = ADA): Promise<string> {
  await expectJson(await h.call("POST", "/otp", { email, type: "email" }), 200);
  const code = h.emulator.outbox().at(-1)?.code;
  assert.ok(code);
  return code;
}

function verify(h: Harness, pin: string, email = ADA): Promise<Response> {
  return h.call("POST", "/otp/verify", { email, pin, type: "email" });
}

async function signIn(h: Harness, email = ADA): Promise<string> {
  const code = await requestCode(h, email);
  const body = await expectJson(await verify(h, code, email), 200);
  assert.equal(typeof body.signInToken, "string");
  return body.signInToken as string;
}

async function createKey(h: Harness, email = ADA): Promise<string> {
  const token = await signIn(h, email);
  const body = await expectJson(
    await h.call("POST", "/developer/api-keys", "", bearer(token)),
    201,
  );
  return body.apiKey as string;
}

function wrongCode(code: string): string {
  return code === "000000" ? "000001" : "000000";
}

// ---------------------------------------------------------------- POST /otp

Deno.test("POST /otp sends a six-digit code, records it and logs it", async () => {
  const h = setup();
  const body = await expectJson(await h.call("POST", "/otp", { email: ADA, type: "email" }), 200);
  assert.deepEqual(body, { ok: true });
  const outbox = h.emulator.outbox();
  assert.equal(outbox.length, 1);
  const [entry] = outbox;
  assert.ok(entry);
  assert.match(entry.code, /^\d{6}$/);
  assert.deepEqual(entry, { to: ADA, code: entry.code, sentAt: "2026-01-01T00:00:00.000Z" });
  assert.deepEqual(h.lines, [`[outbox] to=${ADA} code=${entry.code}`]);
});

Deno.test("POST /otp lowercases the address", async () => {
  const h = setup();
  await expectJson(await h.call("POST", "/otp", { email: "Ada@Example.COM", type: "email" }), 200);
  assert.equal(h.emulator.outbox()[0]?.to, ADA);
  assert.match(h.lines[0] ?? "", /^\[outbox\] to=ada@example\.com code=\d{6}$/);
});

Deno.test("POST /otp keeps leading zeros of the code", async () => {
  const h = setup({ randomBytes: (n) => new Uint8Array(n).fill(0).map((_, i) => i === 3 ? 7 : 0) });
  await expectJson(await h.call("POST", "/otp", { email: ADA, type: "email" }), 200);
  assert.equal(h.emulator.outbox()[0]?.code, "000007");
  assert.equal(h.lines[0], `[outbox] to=${ADA} code=000007`);
});

Deno.test("POST /otp answers 400 invalid_email for invalid addresses", async () => {
  const h = setup();
  const invalid = ["", "ada", "@example.com", "ada@", "ada@example", "a@b@c.co", "a b@c.co"];
  invalid.push(`${"a".repeat(243)}@example.com`); // 255 characters
  for (const email of invalid) {
    await expectError(await h.call("POST", "/otp", { email, type: "email" }), 400, "invalid_email");
  }
  assert.deepEqual(h.emulator.outbox(), []);
  assert.deepEqual(h.lines, []);
});

Deno.test("POST /otp answers 400 invalid_request for malformed bodies", async () => {
  const h = setup();
  const bodies: unknown[] = [
    "",
    "{not json",
    "[]",
    "null",
    { email: ADA },
    { email: ADA, type: "sms" },
    { type: "email" },
    { email: 42, type: "email" },
  ];
  for (const body of bodies) {
    await expectError(await h.call("POST", "/otp", body), 400, "invalid_request");
  }
  assert.deepEqual(h.emulator.outbox(), []);
});

Deno.test("POST /otp answers 429 with Retry-After within 30 s of the last code", async () => {
  const h = setup();
  await requestCode(h);
  h.clock.t += 10_500;
  const response = await h.call("POST", "/otp", { email: "ADA@example.com", type: "email" });
  assert.equal(response.headers.get("retry-after"), "20"); // 19.5 s rounded up
  const body = await expectError(response, 429, "rate_limited");
  assert.equal(body.retryAfter, 20);
  h.clock.t = START + 29_999;
  const late = await h.call("POST", "/otp", { email: ADA, type: "email" });
  assert.equal(late.headers.get("retry-after"), "1");
  assert.equal((await expectError(late, 429, "rate_limited")).retryAfter, 1);
  assert.equal(h.emulator.outbox().length, 1, "no email while rate limited");
  assert.equal(h.lines.length, 1);
  // Other addresses are not affected; at exactly 30 s a new code may be sent.
  await requestCode(h, "bob@example.com");
  h.clock.t = START + 30_000;
  await requestCode(h);
  assert.equal(h.emulator.outbox().length, 3);
});

Deno.test("POST /otp: a new code replaces the previous one", async () => {
  const h = setup();
  const first = await requestCode(h);
  h.clock.t += 30_000;
  let second = await requestCode(h);
  while (second === first) { // one chance in a million
    h.clock.t += 30_000;
    second = await requestCode(h);
  }
  await expectError(await verify(h, first), 401, "invalid_code");
  await expectJson(await verify(h, second), 200);
});

// --------------------------------------------------------- POST /otp/verify

Deno.test("POST /otp/verify exchanges the right code for a sign-in token", async () => {
  const h = setup();
  const code = await requestCode(h);
  const body = await expectJson(await verify(h, code, "ADA@EXAMPLE.com"), 200);
  assert.deepEqual(Object.keys(body), ["signInToken"]);
  assert.match(body.signInToken as string, /^sit_[0-9a-f]{64}$/);
});

Deno.test("POST /otp/verify: a code works once", async () => {
  const h = setup();
  const code = await requestCode(h);
  await expectJson(await verify(h, code), 200);
  await expectError(await verify(h, code), 401, "invalid_code");
});

Deno.test("POST /otp/verify answers 401 invalid_code when no code was requested", async () => {
  const h = setup();
  await expectError(await verify(h, "123456"), 401, "invalid_code");
});

Deno.test("POST /otp/verify answers 401 invalid_code for a wrong code", async () => {
  const h = setup();
  const code = await requestCode(h);
  const body = await expectError(await verify(h, wrongCode(code)), 401, "invalid_code");
  assert.equal(body.attemptsRemaining, 4);
  // Wrong lengths and non-digits are wrong tries too (4 more: 5 in all).
  for (const pin of ["", code.slice(0, 5), `${code}0`, ` ${code}`]) {
    await expectError(await verify(h, pin), 401, "invalid_code");
  }
  await expectError(await verify(h, code), 401, "code_burned");
});

Deno.test("POST /otp/verify burns the code after 5 wrong tries", async () => {
  const h = setup();
  const code = await requestCode(h);
  for (let i = 1; i <= 5; i++) {
    const body = await expectError(await verify(h, wrongCode(code)), 401, "invalid_code");
    assert.equal(body.attemptsRemaining, 5 - i);
  }
  const burned = await expectError(await verify(h, code), 401, "code_burned");
  assert.match(burned.message as string, /request a new code/i);
  await expectError(await verify(h, wrongCode(code)), 401, "code_burned");
  // A new code (after the resend window) starts afresh.
  h.clock.t += 30_000;
  const fresh = await requestCode(h);
  await expectJson(await verify(h, fresh), 200);
});

Deno.test("POST /otp/verify: 4 wrong tries then the right code still works", async () => {
  const h = setup();
  const code = await requestCode(h);
  for (let i = 0; i < 4; i++) {
    await expectError(await verify(h, wrongCode(code)), 401, "invalid_code");
  }
  await expectJson(await verify(h, code), 200);
});

Deno.test("POST /otp/verify answers 410 once the code is older than 10 minutes", async () => {
  const h = setup();
  const a = await requestCode(h, "a@example.com");
  const b = await requestCode(h, "b@example.com");
  h.clock.t += 10 * 60_000;
  await expectJson(await verify(h, a, "a@example.com"), 200);
  h.clock.t += 1;
  await expectError(await verify(h, b, "b@example.com"), 410, "expired_code");
  await expectError(await verify(h, wrongCode(b), "b@example.com"), 410, "expired_code");
});

Deno.test("POST /otp/verify answers 400 for malformed bodies", async () => {
  const h = setup();
  const code = await requestCode(h);
  const cases: [unknown, string][] = [
    ["", "invalid_request"],
    ["{", "invalid_request"],
    ["[1]", "invalid_request"],
    [{ email: ADA, pin: code }, "invalid_request"],
    [{ email: ADA, pin: code, type: "sms" }, "invalid_request"],
    [{ email: ADA, type: "email" }, "invalid_request"],
    [{ email: ADA, pin: Number(code), type: "email" }, "invalid_request"],
    [{ pin: code, type: "email" }, "invalid_request"],
    [{ email: "not-an-address", pin: code, type: "email" }, "invalid_email"],
  ];
  for (const [body, error] of cases) {
    await expectError(await h.call("POST", "/otp/verify", body), 400, error);
  }
  // Malformed requests are not wrong tries.
  await expectJson(await verify(h, code), 200);
});

// -------------------------------------------------- POST /developer/api-keys

Deno.test("POST /developer/api-keys exchanges a sign-in token for an API key", async () => {
  const h = setup();
  const token = await signIn(h);
  const response = await h.call("POST", "/developer/api-keys", undefined, bearer(token));
  const body = await expectJson(response, 201);
  assert.deepEqual(Object.keys(body), ["apiKey"]);
  assert.match(body.apiKey as string, API_KEY);
});

Deno.test("POST /developer/api-keys: a sign-in token works once", async () => {
  const h = setup();
  const token = await signIn(h);
  await expectJson(await h.call("POST", "/developer/api-keys", "", bearer(token)), 201);
  const again = await h.call("POST", "/developer/api-keys", "", bearer(token));
  assert.equal(again.headers.get("www-authenticate"), "Bearer");
  await expectError(again, 401, "invalid_token");
});

Deno.test("POST /developer/api-keys: sign-in tokens expire after 5 minutes", async () => {
  const h = setup();
  const early = await signIn(h, "a@example.com");
  const late = await signIn(h, "b@example.com");
  h.clock.t += 5 * 60_000;
  await expectJson(await h.call("POST", "/developer/api-keys", "", bearer(early)), 201);
  h.clock.t += 1;
  const expired = await expectError(
    await h.call("POST", "/developer/api-keys", "", bearer(late)),
    401,
    "invalid_token",
  );
  assert.match(expired.message as string, /expired/);
});

Deno.test("POST /developer/api-keys answers 401 for missing or unknown tokens", async () => {
  const h = setup();
  const token = await signIn(h);
  const attempts: RequestInit[] = [
    {},
    { headers: { authorization: "" } },
    { headers: { authorization: `Basic ${token}` } },
    { headers: { authorization: "Bearer" } },
    bearer(`sit_${"0".repeat(64)}`),
    bearer(token.toUpperCase()),
  ];
  for (const init of attempts) {
    await expectError(await h.call("POST", "/developer/api-keys", "", init), 401, "invalid_token");
  }
  // None of those used the real token up.
  await expectJson(await h.call("POST", "/developer/api-keys", "", bearer(token)), 201);
});

Deno.test("POST /developer/api-keys: an API key is not a sign-in token", async () => {
  const h = setup();
  const apiKey = await createKey(h);
  await expectError(
    await h.call("POST", "/developer/api-keys", "", bearer(apiKey)),
    401,
    "invalid_token",
  );
});

Deno.test("API keys are stored only as SHA-256 hashes", async () => {
  const h = setup();
  const first = await createKey(h, "a@example.com");
  const second = await createKey(h, "b@example.com");
  const stored = h.emulator.keys();
  assert.equal(stored.length, 2);
  const dump = JSON.stringify(stored);
  for (const apiKey of [first, second]) {
    assert.match(apiKey, API_KEY);
    assert.equal(dump.includes(apiKey), false, "plaintext key in the store");
    assert.equal(dump.includes(apiKey.slice(4)), false, "key material in the store");
  }
  assert.deepEqual(stored.map((key) => key.keyHash), [
    await sha256Hex(first),
    await sha256Hex(second),
  ]);
  for (const key of stored) {
    assert.deepEqual(Object.keys(key).sort(), [
      "createdAt",
      "email",
      "keyHash",
      "keyId",
      "revoked",
    ]);
    assert.match(key.keyId, /^key_[0-9a-f]{8}$/);
    assert.equal(key.revoked, false);
  }
  assert.notEqual(stored[0]?.keyId, stored[1]?.keyId);
});

Deno.test("API keys are 16 random bytes in lowercase hex", async () => {
  const h = setup();
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const body = await expectJson(await h.call("POST", "/_emulator/api-keys", { email: ADA }), 201);
    assert.match(body.apiKey as string, API_KEY);
    seen.add(body.apiKey as string);
  }
  assert.equal(seen.size, 20);
});

// --------------------------------------------------- GET /developer/whoami

Deno.test("GET /developer/whoami describes the key", async () => {
  const h = setup();
  h.clock.t += 1234;
  const apiKey = await createKey(h, "Ada@Example.com");
  const body = await expectJson(
    await h.call("GET", "/developer/whoami", undefined, bearer(apiKey)),
    200,
  );
  const [stored] = h.emulator.keys();
  assert.deepEqual(body, {
    email: ADA,
    keyId: stored?.keyId,
    createdAt: "2026-01-01T00:00:01.234Z",
  });
});

Deno.test("GET /developer/whoami answers 401 for missing, unknown or revoked keys", async () => {
  const h = setup();
  const apiKey = await createKey(h);
  h.clock.t += 30_000;
  const token = await signIn(h);
  await expectEmpty(await h.call("POST", "/_emulator/revoke", { apiKey }));
  const attempts: RequestInit[] = [
    {},
    { headers: { authorization: `Token ${apiKey}` } },
    bearer(`api_${"0".repeat(32)}`),
    bearer(apiKey), // revoked above
    bearer(token), // a sign-in token is not an API key
  ];
  for (const init of attempts) {
    const response = await h.call("GET", "/developer/whoami", undefined, init);
    assert.equal(response.headers.get("www-authenticate"), "Bearer");
    await expectError(response, 401, "invalid_api_key");
  }
});

// ---------------------------------------- DELETE /developer/api-keys/current

Deno.test("DELETE /developer/api-keys/current revokes the key", async () => {
  const h = setup();
  const apiKey = await createKey(h);
  const other = await createKey(h, "bob@example.com");
  await expectEmpty(
    await h.call("DELETE", "/developer/api-keys/current", undefined, bearer(apiKey)),
  );
  assert.deepEqual(h.emulator.keys().map((key) => key.revoked), [true, false]);
  await expectError(
    await h.call("GET", "/developer/whoami", undefined, bearer(apiKey)),
    401,
    "invalid_api_key",
  );
  await expectError(
    await h.call("DELETE", "/developer/api-keys/current", undefined, bearer(apiKey)),
    401,
    "invalid_api_key",
  );
  await expectJson(await h.call("GET", "/developer/whoami", undefined, bearer(other)), 200);
});

Deno.test("DELETE /developer/api-keys/current answers 401 for missing or unknown keys", async () => {
  const h = setup();
  for (const init of [{}, bearer(`api_${"f".repeat(32)}`)]) {
    await expectError(
      await h.call("DELETE", "/developer/api-keys/current", undefined, init),
      401,
      "invalid_api_key",
    );
  }
});

// ----------------------------------------------------------- POST /telemetry

Deno.test("POST /telemetry records any JSON body", async () => {
  const h = setup();
  const events: unknown[] = [{ event: "login", ok: true }, [1, 2], "text", 42, null];
  for (const event of events) {
    await expectJson(await h.call("POST", "/telemetry", JSON.stringify(event)), 202);
  }
  assert.deepEqual(h.emulator.telemetry(), events);
  const listed = await h.call("GET", "/_emulator/telemetry");
  assert.deepEqual(await expectJson(listed, 200), events);
});

Deno.test("POST /telemetry answers 400 when the body is not JSON", async () => {
  const h = setup();
  for (const body of ["", "{", "<html>"]) {
    await expectError(await h.call("POST", "/telemetry", body), 400, "invalid_request");
  }
  assert.deepEqual(h.emulator.telemetry(), []);
});

// ------------------------------------------------------------ control routes

Deno.test("GET /_emulator/outbox lists emails oldest first, filtered by ?email=", async () => {
  const h = setup();
  await requestCode(h, "a@example.com");
  h.clock.t += 1_000;
  await requestCode(h, "b@example.com");
  h.clock.t += 30_000;
  await requestCode(h, "a@example.com");
  const all = await expectJson(await h.call("GET", "/_emulator/outbox"), 200);
  assert.deepEqual(all, h.emulator.outbox());
  assert.deepEqual(
    h.emulator.outbox().map((entry) => [entry.to, entry.sentAt]),
    [
      ["a@example.com", "2026-01-01T00:00:00.000Z"],
      ["b@example.com", "2026-01-01T00:00:01.000Z"],
      ["a@example.com", "2026-01-01T00:00:31.000Z"],
    ],
  );
  const filtered = await expectJson(
    await h.call("GET", `/_emulator/outbox?email=${encodeURIComponent("A@Example.com")}`),
    200,
  ) as unknown as { to: string }[];
  assert.deepEqual(filtered.map((entry) => entry.to), ["a@example.com", "a@example.com"]);
  const none = await h.call("GET", "/_emulator/outbox?email=nobody%40example.com");
  assert.deepEqual(await expectJson(none, 200), []);
});

Deno.test("POST /_emulator/api-keys creates a key like the admin dashboard", async () => {
  const h = setup();
  const body = await expectJson(
    await h.call("POST", "/_emulator/api-keys", { email: "Ada@Example.com" }),
    201,
  );
  assert.deepEqual(Object.keys(body), ["apiKey"]);
  const whoami = await expectJson(
    await h.call("GET", "/developer/whoami", undefined, bearer(body.apiKey as string)),
    200,
  );
  assert.equal(whoami.email, ADA);
});

Deno.test("POST /_emulator/api-keys answers 400 for bad bodies", async () => {
  const h = setup();
  await expectError(await h.call("POST", "/_emulator/api-keys", "x"), 400, "invalid_request");
  await expectError(await h.call("POST", "/_emulator/api-keys", {}), 400, "invalid_request");
  await expectError(
    await h.call("POST", "/_emulator/api-keys", { email: "nope" }),
    400,
    "invalid_email",
  );
  assert.deepEqual(h.emulator.keys(), []);
});

Deno.test("POST /_emulator/revoke revokes a key; 404 when unknown", async () => {
  const h = setup();
  const apiKey = await createKey(h);
  await expectEmpty(await h.call("POST", "/_emulator/revoke", { apiKey }));
  await expectError(
    await h.call("GET", "/developer/whoami", undefined, bearer(apiKey)),
    401,
    "invalid_api_key",
  );
  await expectEmpty(await h.call("POST", "/_emulator/revoke", { apiKey }), 204);
  await expectError(
    await h.call("POST", "/_emulator/revoke", { apiKey: `api_${"1".repeat(32)}` }),
    404,
    "unknown_api_key",
  );
  await expectError(await h.call("POST", "/_emulator/revoke", {}), 400, "invalid_request");
  await expectError(await h.call("POST", "/_emulator/revoke", "]"), 400, "invalid_request");
});

Deno.test("POST /_emulator/reset forgets all state and faults", async () => {
  const h = setup();
  const apiKey = await createKey(h);
  const code = await requestCode(h, "b@example.com");
  await expectJson(await h.call("POST", "/telemetry", { e: 1 }), 202);
  await expectEmpty(await h.call("POST", "/_emulator/faults", { path: "/otp", mode: "500" }));
  await expectEmpty(await h.call("POST", "/_emulator/reset"));
  assert.deepEqual(h.emulator.outbox(), []);
  assert.deepEqual(h.emulator.telemetry(), []);
  assert.deepEqual(h.emulator.keys(), []);
  await expectError(
    await h.call("GET", "/developer/whoami", undefined, bearer(apiKey)),
    401,
    "invalid_api_key",
  );
  await expectError(await verify(h, code, "b@example.com"), 401, "invalid_code");
  // Fault gone and rate limit forgotten.
  await requestCode(h);
});

Deno.test("reset() forgets all state like POST /_emulator/reset", async () => {
  const h = setup();
  await createKey(h);
  await expectEmpty(await h.call("POST", "/_emulator/faults", { path: "/otp", mode: "500" }));
  h.emulator.reset();
  assert.deepEqual(h.emulator.outbox(), []);
  assert.deepEqual(h.emulator.keys(), []);
  await requestCode(h);
});

// -------------------------------------------------------------------- faults

function addFault(h: Harness, fault: Record<string, unknown>): Promise<void> {
  return h.call("POST", "/_emulator/faults", fault).then((response) => expectEmpty(response));
}

Deno.test('fault "500" answers a JSON 500 and skips the route', async () => {
  const h = setup();
  await addFault(h, { path: "/otp", mode: "500" });
  await expectError(
    await h.call("POST", "/otp", { email: ADA, type: "email" }),
    500,
    "internal_error",
  );
  assert.deepEqual(h.emulator.outbox(), [], "the request was not processed");
  await requestCode(h); // count defaults to 1
});

Deno.test('fault "html502" answers 502 with an HTML body', async () => {
  const h = setup();
  await addFault(h, { path: "/developer/whoami", mode: "html502" });
  const response = await h.call("GET", "/developer/whoami");
  assert.equal(response.status, 502);
  assert.equal(response.headers.get("content-type"), "text/html");
  assert.match(await response.text(), /^<!DOCTYPE html>/);
});

Deno.test('fault "not-json" answers 200 with a body that is not JSON', async () => {
  const h = setup();
  await addFault(h, { path: "/otp/verify", mode: "not-json" });
  const response = await verify(h, "123456");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  const text = await response.text();
  assert.equal(text, "<html>oops");
  assert.throws(() => JSON.parse(text), SyntaxError);
});

Deno.test("faults apply `count` times, then requests succeed", async () => {
  const h = setup();
  await addFault(h, { path: "/telemetry", mode: "500", count: 3 });
  for (let i = 0; i < 3; i++) {
    await expectError(await h.call("POST", "/telemetry", {}), 500, "internal_error");
  }
  await expectJson(await h.call("POST", "/telemetry", {}), 202);
  assert.equal(h.emulator.telemetry().length, 1);
});

Deno.test("faults queue per path in order", async () => {
  const h = setup();
  await addFault(h, { path: "/telemetry", mode: "500" });
  await addFault(h, { path: "/otp", mode: "not-json" });
  await addFault(h, { path: "/telemetry", mode: "html502", count: 2 });
  assert.equal((await h.call("POST", "/telemetry", {})).status, 500);
  assert.equal((await h.call("POST", "/otp", {})).status, 200); // not-json
  assert.equal((await h.call("POST", "/telemetry", {})).status, 502);
  assert.equal((await h.call("POST", "/telemetry", {})).status, 502);
  assert.equal((await h.call("POST", "/telemetry", {})).status, 202);
});

Deno.test("faults match the exact pathname, any method, even unknown routes", async () => {
  const h = setup();
  await addFault(h, { path: "/otp", mode: "500", count: 2 });
  await addFault(h, { path: "/nowhere", mode: "html502" });
  // Other paths, including /otp/verify and /otp/, are unaffected.
  await expectError(await verify(h, "000000"), 401, "invalid_code");
  await expectError(await h.call("POST", "/otp/", {}), 404, "not_found");
  // A GET would be 405, but the fault comes first; the query string is ignored.
  await expectError(await h.call("GET", "/otp?x=1"), 500, "internal_error");
  await expectError(await h.call("DELETE", "/otp"), 500, "internal_error");
  await expectError(await h.call("GET", "/otp"), 405, "method_not_allowed");
  assert.equal((await h.call("GET", "/nowhere")).status, 502);
  await expectError(await h.call("GET", "/nowhere"), 404, "not_found");
});

Deno.test("faults never apply to /_emulator routes", async () => {
  const h = setup();
  for (const path of ["/_emulator/outbox", "/_emulator/faults", "/_emulator"]) {
    await expectError(
      await h.call("POST", "/_emulator/faults", { path, mode: "500" }),
      400,
      "invalid_request",
    );
  }
  await expectJson(await h.call("GET", "/_emulator/outbox"), 200);
});

Deno.test("POST /_emulator/faults answers 400 for invalid specs", async () => {
  const h = setup();
  const bodies: unknown[] = [
    "",
    "{",
    [],
    { mode: "500" },
    { path: "otp", mode: "500" },
    { path: "/otp", mode: "teapot" },
    { path: "/otp", mode: "500", count: 0 },
    { path: "/otp", mode: "500", count: -1 },
    { path: "/otp", mode: "500", count: 1.5 },
    { path: "/otp", mode: "delay", delayMs: -5 },
    { path: "/otp", mode: "delay", delayMs: "5" },
  ];
  for (const body of bodies) {
    await expectError(await h.call("POST", "/_emulator/faults", body), 400, "invalid_request");
  }
  await requestCode(h); // nothing was queued
});

Deno.test('fault "hang" holds the request until the client aborts', async () => {
  const h = setup();
  await addFault(h, { path: "/otp", mode: "hang" });
  const controller = new AbortController();
  let settled = false;
  const pending = h.call("POST", "/otp", { email: ADA, type: "email" }, {
    signal: controller.signal,
  }).finally(() => settled = true);
  assert.equal(h.emulator.pending(), 1, "held synchronously");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(settled, false);
  controller.abort();
  const response = await pending;
  await expectError(response, 503, "request_aborted");
  assert.equal(h.emulator.pending(), 0);
  assert.deepEqual(h.emulator.outbox(), [], "a hung request is never processed");
  await requestCode(h); // the fault was used up
});

Deno.test('fault "hang" with an already aborted signal ends at once', async () => {
  const h = setup();
  await addFault(h, { path: "/otp", mode: "hang" });
  const response = await h.call("POST", "/otp", {}, { signal: AbortSignal.abort() });
  await expectError(response, 503, "request_aborted");
});

Deno.test('fault "hang" is released by reset', async () => {
  const h = setup();
  await addFault(h, { path: "/developer/whoami", mode: "hang", count: 2 });
  const first = h.call("GET", "/developer/whoami");
  const second = h.call("GET", "/developer/whoami");
  assert.equal(h.emulator.pending(), 2);
  await expectEmpty(await h.call("POST", "/_emulator/reset"));
  await expectError(await first, 503, "request_released");
  await expectError(await second, 503, "request_released");
  assert.equal(h.emulator.pending(), 0);
});

Deno.test('fault "hang" is released by releasePending(), keeping state', async () => {
  const h = setup();
  await requestCode(h);
  await addFault(h, { path: "/telemetry", mode: "hang" });
  const held = h.call("POST", "/telemetry", {});
  assert.equal(h.emulator.releasePending(), 1);
  await expectError(await held, 503, "request_released");
  assert.equal(h.emulator.outbox().length, 1);
  assert.equal(h.emulator.releasePending(), 0);
});

Deno.test('fault "delay" answers normally after delayMs', async () => {
  const h = setup();
  await addFault(h, { path: "/otp", mode: "delay", delayMs: 40 });
  const started = performance.now();
  const pending = h.call("POST", "/otp", { email: ADA, type: "email" });
  assert.equal(h.emulator.pending(), 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(h.emulator.outbox(), [], "processed only after the delay");
  assert.deepEqual(await expectJson(await pending, 200), { ok: true });
  assert.ok(performance.now() - started >= 35, "waited about delayMs");
  assert.equal(h.emulator.outbox().length, 1);
  assert.equal(h.emulator.pending(), 0);
});

Deno.test('fault "delay" defaults to 1000 ms', async () => {
  const h = setup();
  await addFault(h, { path: "/telemetry", mode: "delay" });
  const controller = new AbortController();
  const pending = h.call("POST", "/telemetry", {}, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(h.emulator.pending(), 1, "still held after 50 ms");
  controller.abort();
  await expectError(await pending, 503, "request_aborted");
});

Deno.test('fault "delay" clears its timer when the request aborts', async () => {
  // With a 60 s timer, the op sanitizer fails this test unless abort clears it.
  const h = setup();
  await addFault(h, { path: "/otp", mode: "delay", delayMs: 60_000 });
  const controller = new AbortController();
  const pending = h.call("POST", "/otp", { email: ADA, type: "email" }, {
    signal: controller.signal,
  });
  controller.abort();
  await expectError(await pending, 503, "request_aborted");
  assert.deepEqual(h.emulator.outbox(), [], "an aborted delayed request is not processed");
});

Deno.test('fault "delay" is released by reset', async () => {
  const h = setup();
  await addFault(h, { path: "/otp", mode: "delay", delayMs: 60_000 });
  const pending = h.call("POST", "/otp", { email: ADA, type: "email" });
  h.emulator.reset();
  await expectError(await pending, 503, "request_released");
});

// ------------------------------------------------------------- 404, 405, 500

Deno.test("unknown routes answer 404 JSON", async () => {
  const h = setup();
  for (const [method, path] of [["GET", "/"], ["POST", "/otp/verify/"], ["GET", "/_emulator"]]) {
    await expectError(await h.call(method ?? "GET", path ?? "/"), 404, "not_found");
  }
  await expectError(await h.call("GET", "/_emulator/nope"), 404, "not_found");
});

Deno.test("wrong methods on known paths answer 405 with Allow", async () => {
  const h = setup();
  const routes: [string, string][] = [
    ["/otp", "POST"],
    ["/otp/verify", "POST"],
    ["/developer/api-keys", "POST"],
    ["/developer/whoami", "GET"],
    ["/developer/api-keys/current", "DELETE"],
    ["/telemetry", "POST"],
    ["/_emulator/outbox", "GET"],
    ["/_emulator/api-keys", "POST"],
    ["/_emulator/revoke", "POST"],
    ["/_emulator/telemetry", "GET"],
    ["/_emulator/faults", "POST"],
    ["/_emulator/reset", "POST"],
  ];
  for (const [path, allowed] of routes) {
    const method = allowed === "GET" ? "POST" : "GET";
    const response = await h.call(method, path, method === "GET" ? undefined : "{}");
    assert.equal(response.headers.get("allow"), allowed, path);
    await expectError(response, 405, "method_not_allowed");
  }
  await expectError(await h.call("PUT", "/otp", "{}"), 405, "method_not_allowed");
});

Deno.test("the handler answers 500 instead of rejecting when something breaks", async () => {
  const h = setup({
    randomBytes: () => {
      throw new Error("entropy exhausted");
    },
  });
  const body = await expectError(
    await h.call("POST", "/otp", { email: ADA, type: "email" }),
    500,
    "internal_error",
  );
  assert.match(body.message as string, /entropy exhausted/);
});

Deno.test("createEmulator() works with default options", async () => {
  const emulator = createEmulator();
  const response = await emulator.handler(
    new Request(`${ORIGIN}/otp`, {
      method: "POST",
      body: JSON.stringify({ email: ADA, type: "email" }),
    }),
  );
  assert.equal(response.status, 200);
  await response.body?.cancel();
  const [entry] = emulator.outbox();
  assert.ok(entry);
  assert.ok(Math.abs(Date.parse(entry.sentAt) - Date.now()) < 60_000);
  assert.match(entry.code, /^\d{6}$/);
});

Deno.test("the full flow: code, token, key, whoami, revoke", async () => {
  const h = setup();
  await expectJson(await h.call("POST", "/otp", { email: ADA, type: "email" }), 200);
  const outbox = await expectJson(await h.call("GET", `/_emulator/outbox?email=${ADA}`), 200);
  const code = (outbox as unknown as { code: string }[])[0]?.code ?? "";
  h.clock.t += 9 * 60_000;
  const { signInToken } = await expectJson(await verify(h, code), 200);
  h.clock.t += 4 * 60_000;
  const { apiKey } = await expectJson(
    await h.call("POST", "/developer/api-keys", "", bearer(signInToken as string)),
    201,
  );
  const me = await expectJson(
    await h.call("GET", "/developer/whoami", undefined, bearer(apiKey as string)),
    200,
  );
  assert.equal(me.email, ADA);
  await expectEmpty(
    await h.call("DELETE", "/developer/api-keys/current", undefined, bearer(apiKey as string)),
  );
  await expectError(
    await h.call("GET", "/developer/whoami", undefined, bearer(apiKey as string)),
    401,
    "invalid_api_key",
  );
});
