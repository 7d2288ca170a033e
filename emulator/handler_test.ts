import assert from "node:assert/strict";
import { sha256Hex } from "./crypto.ts";
import { createEmulator, type Emulator, type EmulatorOptions } from "./handler.ts";
import { authorizationProjection, resourcePage } from "./projection.ts";
import { type Account, type KeyKind, LEGACY_KEY_PATTERN, TYPED_KEY_PATTERN } from "./store.ts";

const START = Date.parse("2026-01-01T00:00:00.000Z");
const ORIGIN = "http://emulator.test";
const ADA = "ada@example.com";
/** A PostHog capture body. */
const EVENT = { api_key: "phc_test", event: "cli_command_executed", distinct_id: "anon_1" };
/** The real client's `TYPED_API_KEY` (lua-cli 3.37.0, `@lua/shared-types`), verbatim. */
const REAL_TYPED_API_KEY =
  /^api_([0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

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

/** A legacy key through the email flow (`/profile/apiKey`). */
async function createKey(h: Harness, email = ADA): Promise<string> {
  const token = await signIn(h, email);
  const body = await expectJson(await h.call("POST", "/profile/apiKey", "", bearer(token)), 200);
  return body.apiKey as string;
}

/** A key of either kind through the control route, as the admin dashboard would make it. */
async function mintKey(h: Harness, email: string, kind?: KeyKind): Promise<string> {
  const body = await expectJson(await h.call("POST", "/_emulator/api-keys", { email, kind }), 201);
  assert.deepEqual(Object.keys(body), ["apiKey"]);
  return body.apiKey as string;
}

function getWith(h: Harness, path: string, apiKey: string): Promise<Response> {
  return h.call("GET", path, undefined, bearer(apiKey));
}

/**
 * Asserts that the projection `body` (and the key's resource page) is exactly what
 * `projection.ts` builds for the stored key and its account; `projection_test.ts` checks those
 * shapes against the real client's schemas.
 */
async function expectProjection(
  h: Harness,
  apiKey: string,
  body: Record<string, unknown>,
): Promise<void> {
  const hash = await sha256Hex(apiKey);
  const key = h.emulator.keys().find((stored) => stored.keyHash === hash);
  assert.ok(key, "the key is stored");
  const identity = await expectJson(
    await getWith(h, "/admin/me/authorization/context", apiKey),
    200,
  );
  const [org] = body.orgs as { orgId: string; name: string }[];
  assert.ok(org);
  const page = await expectJson(
    await getWith(h, `/admin/me/authorization/orgs/${org.orgId}/resources`, apiKey),
    200,
  );
  const [agent] = page.resources as { resourceId: string; name: string }[];
  assert.ok(agent);
  const account: Account = {
    userId: key.userId,
    email: identity.email as string,
    fullName: identity.fullName as string,
    orgId: org.orgId,
    orgName: org.name,
    agentId: agent.resourceId,
    agentName: agent.name,
  };
  assert.deepEqual(body, authorizationProjection({ key, account }, body.generatedAt as string));
  assert.deepEqual(page, resourcePage({ key, account }, org.orgId, page.generatedAt as string));
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

// ------------------------------------------------------- POST /profile/apiKey

Deno.test("POST /profile/apiKey exchanges a sign-in token for a legacy key", async () => {
  const h = setup();
  const token = await signIn(h);
  const response = await h.call("POST", "/profile/apiKey", undefined, bearer(token));
  const body = await expectJson(response, 200);
  assert.deepEqual(Object.keys(body), ["message", "userId", "apiKey", "apiId"]);
  assert.equal(typeof body.message, "string");
  assert.match(body.apiKey as string, LEGACY_KEY_PATTERN);
  assert.doesNotMatch(body.apiKey as string, REAL_TYPED_API_KEY);
  const [stored] = h.emulator.keys();
  assert.ok(stored);
  assert.deepEqual([stored.kind, stored.keyId, stored.userId, stored.email], [
    "legacy",
    body.apiId,
    body.userId,
    ADA,
  ]);
});

Deno.test("POST /profile/apiKey: an empty body, as the platform's clients send, is fine", async () => {
  const h = setup();
  const token = await signIn(h);
  const init = {
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  };
  await expectJson(await h.call("POST", "/profile/apiKey", "", init), 200);
});

Deno.test("POST /profile/apiKey: a sign-in token works once", async () => {
  const h = setup();
  const token = await signIn(h);
  await expectJson(await h.call("POST", "/profile/apiKey", "", bearer(token)), 200);
  const again = await h.call("POST", "/profile/apiKey", "", bearer(token));
  assert.equal(again.headers.get("www-authenticate"), "Bearer");
  await expectError(again, 401, "invalid_token");
  assert.equal(h.emulator.keys().length, 1);
});

Deno.test("POST /profile/apiKey: sign-in tokens expire after 5 minutes", async () => {
  const h = setup();
  const early = await signIn(h, "a@example.com");
  const late = await signIn(h, "b@example.com");
  h.clock.t += 5 * 60_000;
  await expectJson(await h.call("POST", "/profile/apiKey", "", bearer(early)), 200);
  h.clock.t += 1;
  const expired = await expectError(
    await h.call("POST", "/profile/apiKey", "", bearer(late)),
    401,
    "invalid_token",
  );
  assert.match(expired.message as string, /expired/);
  // Used up by the refusal, too.
  h.clock.t -= 1;
  await expectError(
    await h.call("POST", "/profile/apiKey", "", bearer(late)),
    401,
    "invalid_token",
  );
});

Deno.test("POST /profile/apiKey answers 401 for missing or unknown tokens", async () => {
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
    await expectError(await h.call("POST", "/profile/apiKey", "", init), 401, "invalid_token");
  }
  // None of those used the real token up.
  await expectJson(await h.call("POST", "/profile/apiKey", "", bearer(token)), 200);
});

Deno.test("POST /profile/apiKey: an API key is not a sign-in token", async () => {
  const h = setup();
  const apiKey = await createKey(h);
  await expectError(
    await h.call("POST", "/profile/apiKey", "", bearer(apiKey)),
    401,
    "invalid_token",
  );
});

Deno.test("API keys of both kinds are stored only as SHA-256 hashes", async () => {
  const h = setup();
  const first = await createKey(h, "a@example.com");
  const second = await mintKey(h, "b@example.com", "typed");
  const stored = h.emulator.keys();
  assert.equal(stored.length, 2);
  const dump = JSON.stringify(stored);
  for (const apiKey of [first, second]) {
    assert.equal(dump.includes(apiKey), false, "plaintext key in the store");
    assert.equal(dump.includes(apiKey.slice(4)), false, "key material in the store");
    assert.equal(dump.includes(apiKey.slice(-20)), false, "key secret in the store");
  }
  assert.deepEqual(stored.map((key) => [key.kind, key.keyHash]), [
    ["legacy", await sha256Hex(first)],
    ["typed", await sha256Hex(second)],
  ]);
  for (const key of stored) {
    assert.match(key.keyId, /^key_[0-9a-f]{8}$/);
    assert.equal(key.revoked, false);
  }
  assert.notEqual(stored[0]?.keyId, stored[1]?.keyId);
});

// --------------------------------------------- GET /admin/me/authorization

Deno.test("GET /admin/me/authorization: a legacy key resolves to its owner (user)", async () => {
  const h = setup();
  h.clock.t += 1234;
  const token = await signIn(h, "Ada@Example.com");
  const created = await expectJson(
    await h.call("POST", "/profile/apiKey", "", bearer(token)),
    200,
  );
  const apiKey = created.apiKey as string;
  const body = await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200);
  assert.deepEqual(body.authorizationPrincipal, { subjectType: "user", subjectId: created.userId });
  const context = body.credentialContext as Record<string, unknown>;
  assert.deepEqual(context.compatibility, { mode: "legacy-owner-delegation" });
  assert.equal(context.id, created.apiId);
  assert.equal(body.generatedAt, "2026-01-01T00:00:01.234Z", "the emulator's clock");
  await expectProjection(h, apiKey, body);
});

Deno.test("GET /admin/me/authorization: a typed key is its own principal (apiKey)", async () => {
  const h = setup();
  const apiKey = await mintKey(h, ADA, "typed");
  const body = await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200);
  const [stored] = h.emulator.keys();
  assert.deepEqual(body.authorizationPrincipal, {
    subjectType: "apiKey",
    subjectId: stored?.keyId,
  });
  assert.equal((body.credentialContext as Record<string, unknown>).compatibility, undefined);
  await expectProjection(h, apiKey, body);
});

Deno.test("GET /admin/me/authorization: keys of one address share one account", async () => {
  const h = setup();
  const legacy = await mintKey(h, ADA, "legacy");
  const typed = await mintKey(h, ADA, "typed");
  const other = await mintKey(h, "bob@example.com", "legacy");
  const orgOf = async (key: string) =>
    ((await expectJson(await getWith(h, "/admin/me/authorization", key), 200))
      .orgs as { orgId: string }[])[0]?.orgId;
  assert.equal(await orgOf(legacy), await orgOf(typed));
  assert.notEqual(await orgOf(legacy), await orgOf(other));
});

Deno.test("the key-checking routes answer 401 for missing, unknown or revoked keys", async () => {
  const h = setup();
  const apiKey = await createKey(h);
  const typed = await mintKey(h, ADA, "typed");
  const orgs = (await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200))
    .orgs as { orgId: string }[];
  h.clock.t += 30_000;
  const token = await signIn(h);
  await expectEmpty(await h.call("POST", "/_emulator/revoke", { apiKey }));
  await expectEmpty(await h.call("POST", "/_emulator/revoke", { apiKey: typed }));
  const attempts: RequestInit[] = [
    {},
    { headers: { authorization: `Token ${apiKey}` } },
    bearer(`api_${"0".repeat(32)}`),
    bearer(apiKey), // revoked above
    bearer(typed), // revoked above
    bearer(token), // a sign-in token is not an API key
  ];
  const paths = [
    "/admin/me/authorization",
    "/admin/me/authorization/context",
    `/admin/me/authorization/orgs/${orgs[0]?.orgId}/resources`,
  ];
  for (const path of paths) {
    for (const init of attempts) {
      const response = await h.call("GET", path, undefined, init);
      assert.equal(response.headers.get("www-authenticate"), "Bearer", path);
      await expectError(response, 401, "Unauthorized");
    }
  }
});

// ------------------------------------- GET /admin/me/authorization/context

Deno.test("GET /admin/me/authorization/context gives the owner's email and full name", async () => {
  const h = setup();
  for (const kind of ["legacy", "typed"] as const) {
    const apiKey = await mintKey(h, "Ada.Lovelace@Example.com", kind);
    const body = await expectJson(await getWith(h, "/admin/me/authorization/context", apiKey), 200);
    assert.deepEqual(body, { email: "ada.lovelace@example.com", fullName: "Ada Lovelace" }, kind);
  }
});

// ------------------------- GET /admin/me/authorization/orgs/:orgId/resources

Deno.test("GET …/orgs/:orgId/resources lists the organisation's one agent", async () => {
  const h = setup();
  const apiKey = await mintKey(h, ADA, "typed");
  const projection = await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200);
  const [org] = projection.orgs as { orgId: string }[];
  assert.ok(org);
  const page = await expectJson(
    await getWith(
      h,
      `/admin/me/authorization/orgs/${encodeURIComponent(org.orgId)}/resources`,
      apiKey,
    ),
    200,
  );
  assert.equal(page.orgId, org.orgId);
  assert.equal(page.nextCursor, null);
  assert.equal((page.resources as unknown[]).length, 1);
  // The query string the real client may add is ignored.
  const queried = await expectJson(
    await getWith(
      h,
      `/admin/me/authorization/orgs/${org.orgId}/resources?kind=agent&limit=50`,
      apiKey,
    ),
    200,
  );
  assert.deepEqual(queried, page);
});

Deno.test("GET …/orgs/:orgId/resources answers 403 for another organisation", async () => {
  const h = setup();
  const ada = await mintKey(h, ADA);
  const bob = await mintKey(h, "bob@example.com");
  const bobs = (await expectJson(await getWith(h, "/admin/me/authorization", bob), 200))
    .orgs as { orgId: string }[];
  for (const orgId of [bobs[0]?.orgId, "org_nope"]) {
    await expectError(
      await getWith(h, `/admin/me/authorization/orgs/${orgId}/resources`, ada),
      403,
      "RESOURCE_NOT_PROJECTED",
    );
  }
  await expectError(
    await getWith(h, "/admin/me/authorization/orgs//resources", ada),
    404,
    "not_found",
  );
});

// ------------------------------------------------- PostHog capture routes

Deno.test("POST /i/v0/e/ and /capture/ record a PostHog event with its project key", async () => {
  const h = setup();
  for (const path of ["/i/v0/e/", "/capture/"]) {
    const event = {
      api_key: "phc_test",
      event: "cli_command_executed",
      distinct_id: "anon_1",
      properties: { command: path, success: true },
    };
    assert.deepEqual(await expectJson(await h.call("POST", path, event), 200), { status: 1 });
  }
  const recorded = h.emulator.telemetry() as Record<string, unknown>[];
  assert.deepEqual(
    recorded.map((e) => [e.api_key, (e.properties as { command: string }).command]),
    [
      ["phc_test", "/i/v0/e/"],
      ["phc_test", "/capture/"],
    ],
  );
  assert.deepEqual(await expectJson(await h.call("GET", "/_emulator/telemetry"), 200), recorded);
});

Deno.test("POST /batch/ records each event of the batch with the batch's project key", async () => {
  const h = setup();
  const body = { api_key: "phc_b", batch: [{ event: "a" }, { event: "b", api_key: "phc_own" }] };
  await expectJson(await h.call("POST", "/batch/", body), 200);
  assert.deepEqual(h.emulator.telemetry(), [
    { api_key: "phc_b", event: "a" },
    { api_key: "phc_own", event: "b" },
  ]);
});

Deno.test("PostHog capture accepts `token` for the project key", async () => {
  const h = setup();
  await expectJson(await h.call("POST", "/i/v0/e/", { token: "phc_t", event: "x" }), 200);
  assert.deepEqual(h.emulator.telemetry(), [{ api_key: "phc_t", token: "phc_t", event: "x" }]);
});

Deno.test("PostHog capture refuses a body without a project key, or not JSON", async () => {
  const h = setup();
  for (const path of ["/i/v0/e/", "/capture/", "/batch/"]) {
    for (const body of [{ event: "x" }, { api_key: "", event: "x" }, { api_key: 1, event: "x" }]) {
      await expectError(await h.call("POST", path, body), 401, "invalid_api_key");
    }
    for (const body of ["", "{", "<html>", "[1]", "null"]) {
      await expectError(await h.call("POST", path, body), 400, "invalid_request");
    }
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

Deno.test("POST /_emulator/api-keys creates a legacy key by default", async () => {
  const h = setup();
  const apiKey = await mintKey(h, "Ada@Example.com");
  assert.match(apiKey, LEGACY_KEY_PATTERN);
  assert.doesNotMatch(apiKey, REAL_TYPED_API_KEY);
  const context = await expectJson(
    await getWith(h, "/admin/me/authorization/context", apiKey),
    200,
  );
  assert.equal(context.email, ADA);
  assert.equal(h.emulator.keys()[0]?.kind, "legacy");
  assert.match(await mintKey(h, ADA, "legacy"), LEGACY_KEY_PATTERN);
});

Deno.test("POST /_emulator/api-keys creates typed keys the real client sees as typed", async () => {
  const h = setup();
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const apiKey = await mintKey(h, ADA, "typed");
    assert.match(apiKey, TYPED_KEY_PATTERN);
    assert.match(apiKey, REAL_TYPED_API_KEY);
    seen.add(apiKey);
  }
  assert.equal(seen.size, 20);
  assert.ok(h.emulator.keys().every((key) => key.kind === "typed"));
});

Deno.test("POST /_emulator/api-keys answers 400 for bad bodies and unknown kinds", async () => {
  const h = setup();
  await expectError(await h.call("POST", "/_emulator/api-keys", "x"), 400, "invalid_request");
  await expectError(await h.call("POST", "/_emulator/api-keys", {}), 400, "invalid_request");
  await expectError(
    await h.call("POST", "/_emulator/api-keys", { email: "nope" }),
    400,
    "invalid_email",
  );
  for (const kind of ["Typed", "session", "", 1, ["typed"]]) {
    const body = await expectError(
      await h.call("POST", "/_emulator/api-keys", { email: ADA, kind }),
      400,
      "invalid_request",
    );
    assert.match(body.message as string, /kind/, JSON.stringify(kind));
  }
  assert.deepEqual(h.emulator.keys(), []);
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
  const other = await mintKey(h, "bob@example.com", "typed");
  await expectEmpty(await h.call("POST", "/_emulator/revoke", { apiKey }));
  assert.deepEqual(h.emulator.keys().map((key) => key.revoked), [true, false]);
  await expectError(await getWith(h, "/admin/me/authorization", apiKey), 401, "Unauthorized");
  await expectJson(await getWith(h, "/admin/me/authorization", other), 200);
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
  await expectJson(await h.call("POST", "/i/v0/e/", { api_key: "phc", event: "e" }), 200);
  await expectEmpty(await h.call("POST", "/_emulator/faults", { path: "/otp", mode: "500" }));
  await expectEmpty(await h.call("POST", "/_emulator/reset"));
  assert.deepEqual(h.emulator.outbox(), []);
  assert.deepEqual(h.emulator.telemetry(), []);
  assert.deepEqual(h.emulator.keys(), []);
  await expectError(await getWith(h, "/admin/me/authorization", apiKey), 401, "Unauthorized");
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
  await addFault(h, { path: "/admin/me/authorization", mode: "html502" });
  const response = await h.call("GET", "/admin/me/authorization");
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

Deno.test('fault "wrapped" wraps a success in {success: true, data}', async () => {
  const h = setup();
  const apiKey = await mintKey(h, ADA, "typed");
  const bare = await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200);
  await addFault(h, { path: "/admin/me/authorization", mode: "wrapped", count: 2 });
  const wrapped = await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200);
  assert.deepEqual(wrapped, { success: true, data: bare });
  // A failure passes through unwrapped (and uses up the fault).
  await expectError(await getWith(h, "/admin/me/authorization", "nope"), 401, "Unauthorized");
  assert.deepEqual(
    await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200),
    bare,
  );
  // The route behind a wrapped fault still does its work.
  await addFault(h, { path: "/otp", mode: "wrapped" });
  const sent = await expectJson(await h.call("POST", "/otp", { email: ADA, type: "email" }), 200);
  assert.deepEqual(sent, { success: true, data: { ok: true } });
  assert.equal(h.emulator.outbox().length, 1);
});

Deno.test('fault "redirect" answers 307 to elsewhere, or the given status and location', async () => {
  const h = setup();
  await addFault(h, { path: "/profile/apiKey", mode: "redirect" });
  await addFault(h, {
    path: "/profile/apiKey",
    mode: "redirect",
    status: 301,
    headers: { location: "https://evil.example/steal" },
  });
  const first = await h.call("POST", "/profile/apiKey", "", bearer("sit_x"));
  assert.equal(first.status, 307);
  assert.equal(first.headers.get("location"), "http://elsewhere.invalid/profile/apiKey");
  assert.equal(await first.text(), "");
  const second = await h.call("POST", "/profile/apiKey", "", bearer("sit_x"));
  assert.equal(second.status, 301);
  assert.equal(second.headers.get("location"), "https://evil.example/steal");
  await second.body?.cancel();
  await expectError(await h.call("POST", "/profile/apiKey", ""), 401, "invalid_token");
});

Deno.test('fault "endless" streams a JSON-looking body until the reader stops', async () => {
  const h = setup();
  await addFault(h, { path: "/otp", mode: "endless" });
  const response = await h.call("POST", "/otp", { email: ADA, type: "email" });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  const reader = response.body!.getReader();
  let total = 0;
  while (total <= 2 * 1024 * 1024) {
    const { done, value } = await reader.read();
    assert.equal(done, false, "it does not end by itself within 2 MiB");
    total += value!.byteLength;
  }
  await reader.cancel();
  assert.deepEqual(h.emulator.outbox(), [], "the route was not processed");
  await requestCode(h);
});

Deno.test('fault "respond" answers the given status, body and headers', async () => {
  const h = setup();
  await addFault(h, {
    path: "/profile/apiKey",
    mode: "respond",
    status: 404,
    body: { success: false, error: { message: "Cannot POST /profile/apiKey", statusCode: 404 } },
    headers: { "x-request-id": "r1" },
  });
  await addFault(h, { path: "/otp/verify", mode: "respond", body: "<html>plain" });
  await addFault(h, { path: "/otp", mode: "respond" });
  await addFault(h, {
    path: "/otp",
    mode: "respond",
    status: 429,
    headers: { "retry-after": "99999", "content-type": "text/plain" },
    body: "slow down",
  });
  const gone = await expectJson(await h.call("POST", "/profile/apiKey", ""), 404);
  assert.deepEqual(gone, {
    success: false,
    error: { message: "Cannot POST /profile/apiKey", statusCode: 404 },
  });
  const text = await h.call("POST", "/otp/verify", {});
  assert.equal(text.status, 200);
  assert.equal(await text.text(), "<html>plain", "a string body is sent as it is");
  assert.deepEqual(await expectJson(await h.call("POST", "/otp", {}), 200), {}, "defaults");
  const limited = await h.call("POST", "/otp", {});
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "99999");
  assert.equal(limited.headers.get("content-type"), "text/plain");
  assert.equal(await limited.text(), "slow down");
  assert.deepEqual(h.emulator.outbox(), [], "no route behind a respond fault ran");
});

Deno.test("faults apply to a path with a parameter, by its exact pathname", async () => {
  const h = setup();
  const apiKey = await mintKey(h, ADA);
  const projection = await expectJson(await getWith(h, "/admin/me/authorization", apiKey), 200);
  const orgId = (projection.orgs as { orgId: string }[])[0]!.orgId;
  const path = `/admin/me/authorization/orgs/${orgId}/resources`;
  await addFault(h, { path, mode: "500" });
  await expectError(
    await getWith(h, "/admin/me/authorization/orgs/org_other/resources", apiKey),
    403,
    "RESOURCE_NOT_PROJECTED",
  );
  await expectError(await getWith(h, path, apiKey), 500, "internal_error");
  await expectJson(await getWith(h, path, apiKey), 200);
});

Deno.test("faults apply `count` times, then requests succeed", async () => {
  const h = setup();
  await addFault(h, { path: "/i/v0/e/", mode: "500", count: 3 });
  for (let i = 0; i < 3; i++) {
    await expectError(await h.call("POST", "/i/v0/e/", EVENT), 500, "internal_error");
  }
  await expectJson(await h.call("POST", "/i/v0/e/", EVENT), 200);
  assert.equal(h.emulator.telemetry().length, 1);
});

Deno.test("faults queue per path in order", async () => {
  const h = setup();
  await addFault(h, { path: "/i/v0/e/", mode: "500" });
  await addFault(h, { path: "/otp", mode: "not-json" });
  await addFault(h, { path: "/i/v0/e/", mode: "html502", count: 2 });
  assert.equal((await h.call("POST", "/i/v0/e/", EVENT)).status, 500);
  assert.equal(await (await h.call("POST", "/otp", {})).text(), "<html>oops");
  assert.equal((await h.call("POST", "/i/v0/e/", EVENT)).status, 502);
  assert.equal((await h.call("POST", "/i/v0/e/", EVENT)).status, 502);
  assert.equal((await h.call("POST", "/i/v0/e/", EVENT)).status, 200);
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
  await addFault(h, { path: "/admin/me/authorization", mode: "hang", count: 2 });
  const first = h.call("GET", "/admin/me/authorization");
  const second = h.call("GET", "/admin/me/authorization");
  assert.equal(h.emulator.pending(), 2);
  await expectEmpty(await h.call("POST", "/_emulator/reset"));
  await expectError(await first, 503, "request_released");
  await expectError(await second, 503, "request_released");
  assert.equal(h.emulator.pending(), 0);
});

Deno.test('fault "hang" is released by releasePending(), keeping state', async () => {
  const h = setup();
  await requestCode(h);
  await addFault(h, { path: "/i/v0/e/", mode: "hang" });
  const held = h.call("POST", "/i/v0/e/", EVENT);
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
  await addFault(h, { path: "/i/v0/e/", mode: "delay" });
  const controller = new AbortController();
  const pending = h.call("POST", "/i/v0/e/", EVENT, { signal: controller.signal });
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
    ["/profile/apiKey", "POST"],
    ["/admin/me/authorization", "GET"],
    ["/admin/me/authorization/context", "GET"],
    ["/admin/me/authorization/orgs/org_x/resources", "GET"],
    ["/i/v0/e/", "POST"],
    ["/capture/", "POST"],
    ["/batch/", "POST"],
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

Deno.test("the full flow: code, token, key, projection, identity, resources", async () => {
  const h = setup();
  await expectJson(await h.call("POST", "/otp", { email: ADA, type: "email" }), 200);
  const outbox = await expectJson(await h.call("GET", `/_emulator/outbox?email=${ADA}`), 200);
  const code = (outbox as unknown as { code: string }[])[0]?.code ?? "";
  h.clock.t += 9 * 60_000;
  const { signInToken } = await expectJson(await verify(h, code), 200);
  h.clock.t += 4 * 60_000;
  const { apiKey } = await expectJson(
    await h.call("POST", "/profile/apiKey", "", bearer(signInToken as string)),
    200,
  );
  const projection = await expectJson(
    await getWith(h, "/admin/me/authorization", apiKey as string),
    200,
  );
  assert.equal((projection.authorizationPrincipal as { subjectType: string }).subjectType, "user");
  await expectProjection(h, apiKey as string, projection);
  const context = await expectJson(
    await getWith(h, "/admin/me/authorization/context", apiKey as string),
    200,
  );
  assert.deepEqual(context, { email: ADA, fullName: "Ada" });
  await expectEmpty(await h.call("POST", "/_emulator/revoke", { apiKey }));
  await expectError(
    await getWith(h, "/admin/me/authorization", apiKey as string),
    401,
    "Unauthorized",
  );
});
