import assert from "node:assert/strict";
import { issueKey } from "../testing/issue_key.ts";
import { createEmulator, type Emulator } from "../emulator/handler.ts";
import { startEmulator } from "../emulator/server.ts";
import {
  type ClientOptions,
  createClient,
  DEFAULT_API_URL,
  DEFAULT_AUTH_URL,
  isConnectFailure,
  type LuaClient,
  MAX_RESPONSE_BYTES,
  MAX_RETRY_AFTER_SECONDS,
  retryAfterSeconds,
} from "./client.ts";
import {
  AuthenticationError,
  ExitCode,
  ExpiredError,
  InvalidInputError,
  InvalidOtpError,
  LuaError,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "./errors.ts";
import { ADMIN_DASHBOARD_URL, INVALID_OTP_HINTS } from "./seed_text.ts";
import { createMemoryContext, type MemoryContext } from "../testing/memory_context.ts";
import { VERSION } from "./version.ts";

const START = Date.parse("2026-01-01T00:00:00.000Z");
const AUTH = "http://auth.test";
const API = "http://api.test";
const ADA = "ada@example.com";
const LEGACY_KEY = /^api_[0-9a-f]{32}$/;
/** A typed key's shape, as the platform issues them. */
const TYPED = `api_0b4c6a3e-1f2d-4c5b-9a8e-7d6c5b4a3f2e.${"A".repeat(43)}`;
/** Small timeouts so hangs end quickly; enough deadline for three attempts. */
const FAST: ClientOptions = { timeoutMs: 200, deadlineMs: 1_500, backoffMs: 10 };
/** What Deno's fetch rejects with when nothing listens on the port (older wording). */
const REFUSED = "error sending request: tcp connect error: Connection refused";

/** One request as the fetch saw it. */
interface Seen {
  method: string;
  url: string;
  path: string;
  authorization: string | null;
  /** Every header but `authorization`, as `name: value` lines. */
  otherHeaders: string;
  body: string;
  /** The `redirect` option the client passed. */
  redirect: RequestRedirect | undefined;
}

/**
 * Decides what one request gets. `forward` hands it to the emulator (abortable like a real
 * fetch); `n` counts requests from 1.
 */
type Intercept = (
  request: Request,
  n: number,
  forward: () => Promise<Response>,
  signal: AbortSignal | undefined,
) => Promise<Response>;

interface Harness {
  emulator: Emulator;
  client: LuaClient;
  ctx: MemoryContext;
  seen: Seen[];
  /** Moves the emulator's clock (and the context's). */
  advance(ms: number): void;
  /** Requests seen on a path. */
  count(path: string): number;
  /** Queues a fault through the control route `POST /_emulator/faults`. */
  fault(path: string, mode: string, extra?: Record<string, unknown>): Promise<void>;
  /** Mints a key through the control route `POST /_emulator/api-keys`. */
  mint(kind: "typed" | "legacy", email?: string): Promise<string>;
}

/** Rejects with the signal's reason once it aborts, as a real fetch does; else `response`. */
function abortable(
  response: Promise<Response>,
  signal: AbortSignal | undefined,
): Promise<Response> {
  if (signal === undefined) return response;
  return new Promise((resolve, reject) => {
    // Rejects only once the emulator's work for the request has ended (its body cancelled), as
    // a real fetch leaves nothing running: otherwise its key hashing can outlive the test.
    const onAbort = (): void =>
      void response.then((r) => r.body?.cancel(), () => {}).finally(() => reject(signal.reason));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    response.then((r) => {
      if (signal.aborted) return;
      signal.removeEventListener("abort", onAbort);
      resolve(r);
    }, (error) => signal.aborted || reject(error));
  });
}

/** Waits until the signal aborts, then rejects like a fetch whose server never answers. */
function never(signal: AbortSignal | undefined): Promise<Response> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    else signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function record(seen: Seen[], input: RequestInfo | URL, init?: RequestInit): Promise<Request> {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const otherHeaders = [...request.headers].filter(([name]) => name !== "authorization")
    .map(([name, value]) => `${name}: ${value}`).join("\n");
  return request.clone().text().then((body) => {
    seen.push({
      method: request.method,
      url: request.url,
      path: url.pathname,
      authorization: request.headers.get("authorization"),
      otherHeaders,
      body,
      redirect: init?.redirect,
    });
    return request;
  });
}

/** A fetch that records each request and answers it with the in-process emulator. */
function recordingFetch(emulator: Emulator, seen: Seen[], intercept?: Intercept): typeof fetch {
  let n = 0;
  return async (input, init) => {
    const request = await record(seen, input, init);
    const signal = init?.signal ?? undefined;
    const forward = (): Promise<Response> => abortable(emulator.handler(request), signal);
    n++;
    return intercept === undefined ? await forward() : await intercept(request, n, forward, signal);
  };
}

function setup(
  options: ClientOptions = FAST,
  intercept?: Intercept,
  env: Record<string, string> = {},
): Harness {
  let t = START;
  const emulator = createEmulator({ now: () => t });
  const seen: Seen[] = [];
  const ctx = createMemoryContext({ fetch: recordingFetch(emulator, seen, intercept), env });
  const client = createClient(ctx, { authUrl: AUTH, apiUrl: API, ...options });
  return {
    emulator,
    client,
    ctx,
    seen,
    advance(ms) {
      t += ms;
      ctx.advance(ms);
    },
    count: (path) => seen.filter((s) => s.path === path).length,
    fault: (path, mode, extra = {}) =>
      control(emulator, "/_emulator/faults", { path, mode, ...extra }),
    mint: (kind, email = ADA) => issueKey(emulator, email, kind),
  };
}

async function control(emulator: Emulator, path: string, body: unknown): Promise<void> {
  const response = await emulator.handler(
    new Request(`http://emulator${path}`, { method: "POST", body: JSON.stringify(body) }),
  );
  assert.equal(response.status, 204, await response.text());
}

/** A client whose fetch is `answer`, recording every request in `seen`. */
function stubbed(
  answer: (request: Request, n: number) => Response | Promise<Response>,
  options: ClientOptions = FAST,
): { client: LuaClient; seen: Seen[] } {
  const seen: Seen[] = [];
  let n = 0;
  const ctx = createMemoryContext({
    fetch: async (input, init) => {
      const request = await record(seen, input, init);
      return await answer(request, ++n);
    },
  });
  return { client: createClient(ctx, { authUrl: AUTH, apiUrl: API, ...options }), seen };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Every user-facing text of an error: message, hints and the messages of its causes. */
function texts(error: LuaError): string {
  const parts = [error.message, ...error.hints];
  for (let e: unknown = error.cause, i = 0; e instanceof Error && i < 4; e = e.cause, i++) {
    parts.push(e.message);
  }
  return parts.join("\n");
}

/** Awaits a call that must fail with exactly `type` (not a subclass); returns the error. */
async function failure<E extends LuaError>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${describe(error)}`);
    assert.doesNotMatch(error.message, /<|html|doctype/i, "no markup in a message");
    return error;
  }
  assert.fail(`expected ${type.name}, but it resolved with ${JSON.stringify(value)}`);
}

/** Asserts a failure is a network/server one: exit 11, never a bad key or a wrong code. */
function assertUnavailable(error: LuaError, label = ""): void {
  assert.equal(error.exitCode, ExitCode.Unavailable, `${label}: ${describe(error)}`);
  assert.ok(!(error instanceof AuthenticationError), `${label}: not a rejected key or code`);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Requests a code for `email` and returns it from the outbox. */
async function sendCode(h: Harness, email = ADA): Promise<string> {
  const before = h.emulator.outbox().length;
  await h.client.requestOtp(email);
  const sent = h.emulator.outbox();
  assert.equal(sent.length, before + 1);
  const entry = sent.at(-1)!;
  assert.equal(entry.to, email);
  assert.match(entry.code, /^\d{6}$/);
  return entry.code;
}

async function signInToken(h: Harness): Promise<string> {
  return await h.client.verifyOtp(ADA, await sendCode(h));
}

async function newApiKey(h: Harness): Promise<string> {
  return await h.client.createApiKey(await signInToken(h));
}

/** A projection the real client's schema accepts, for a principal of `subjectType`. */
function projection(subjectType: string, subjectId = "usr_1", orgs = 1): Record<string, unknown> {
  return {
    version: 1,
    generatedAt: "2026-01-01T00:00:00.000Z",
    authorizationPrincipal: { subjectType, subjectId },
    orgs: Array.from({ length: orgs }, (_, i) => ({
      orgId: `org_${i}`,
      archived: false,
      capabilityProfile: "p",
      displayRoles: [],
      membership: { rostered: true, active: true },
      discoveredVia: "org-grant",
    })),
    capabilityProfiles: { p: ["org:read"] },
  };
}

/** Answers the two key-checking GETs with `auth` and `context` (JSON, 200 unless Responses). */
function keyRoutes(
  auth: unknown,
  context: unknown = { email: ADA, fullName: "Ada" },
): (request: Request) => Response {
  return (request) => {
    const path = new URL(request.url).pathname;
    const value = path.endsWith("/context") ? context : auth;
    return value instanceof Response ? value.clone() : Response.json(value);
  };
}

// ---------------------------------------------------------------------------------------------
// The flow against the emulator

Deno.test("client: code, sign-in token, legacy key, check, then a revoked key is refused", async () => {
  const h = setup();
  await h.client.requestOtp(ADA);
  const outbox = h.emulator.outbox();
  assert.equal(outbox.length, 1);
  const token = await h.client.verifyOtp(ADA, outbox[0]!.code);
  assert.ok(token.length > 0);
  const key = await h.client.createApiKey(token);
  assert.match(key, LEGACY_KEY);
  const [stored] = h.emulator.keys();
  assert.equal(stored?.kind, "legacy");

  const account = await h.client.checkKey(key);
  assert.deepEqual(account, {
    kind: "legacy",
    subjectType: "user",
    subjectId: stored!.userId,
    email: ADA,
    fullName: "Ada",
    orgCount: 1,
  });

  await control(h.emulator, "/_emulator/revoke", { apiKey: key });
  const error = await failure(h.client.checkKey(key), AuthenticationError);
  assert.equal(error.exitCode, ExitCode.Auth);
  assert.deepEqual(h.seen.slice(0, 3).map((s) => `${s.method} ${s.path}`), [
    "POST /otp",
    "POST /otp/verify",
    "POST /profile/apiKey",
  ]);
  assert.deepEqual(h.seen.slice(3, 5).map((s) => `${s.method} ${s.path}`).sort(), [
    "GET /admin/me/authorization",
    "GET /admin/me/authorization/context",
  ]);
});

Deno.test("client: a typed key is checked with the projection alone, as its own principal", async () => {
  const h = setup();
  const key = await h.mint("typed");
  const account = await h.client.checkKey(key);
  assert.deepEqual(account, {
    kind: "typed",
    subjectType: "apiKey",
    subjectId: h.emulator.keys()[0]!.keyId,
    email: null,
    fullName: null,
    orgCount: 1,
  });
  assert.deepEqual(h.seen.map((s) => `${s.method} ${s.path}`), ["GET /admin/me/authorization"]);
});

Deno.test("client: a legacy key minted by the dashboard checks like an emailed one", async () => {
  const h = setup();
  const key = await h.mint("legacy", "ada.lovelace@example.com");
  const account = await h.client.checkKey(key);
  assert.equal(account.kind, "legacy");
  assert.equal(account.email, "ada.lovelace@example.com");
  assert.equal(account.fullName, "Ada Lovelace");
});

Deno.test("client: the two GETs of a legacy key are sent at once", async () => {
  let inFlight = 0;
  let most = 0;
  const h = setup(FAST, async (_request, _n, forward) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await sleep(30);
    try {
      return await forward();
    } finally {
      inFlight--;
    }
  });
  const key = await h.mint("legacy");
  await h.client.checkKey(key);
  assert.equal(most, 2, "both requests were in flight together");
  assert.equal(h.seen.length, 2);
});

Deno.test("client: the wire format is the documented one", async () => {
  const h = setup();
  const code = await sendCode(h);
  const token = await h.client.verifyOtp(ADA, code);
  const key = await h.client.createApiKey(token);
  await h.client.checkKey(key);
  const [otp, verify, apiKey, ...gets] = h.seen;
  assert.deepEqual(JSON.parse(otp!.body), { email: ADA, type: "email" });
  assert.deepEqual(JSON.parse(verify!.body), { email: ADA, pin: code, type: "email" });
  assert.equal(apiKey!.body, "", "an empty body");
  assert.equal(apiKey!.authorization, `Bearer ${token}`);
  assert.match(apiKey!.otherHeaders, /content-type: application\/json/);
  for (const s of [otp!, verify!]) {
    assert.match(s.otherHeaders, /content-type: application\/json/);
    assert.equal(s.authorization, null);
  }
  for (const s of gets) {
    assert.equal(s.method, "GET");
    assert.equal(s.body, "");
    assert.equal(s.authorization, `Bearer ${key}`);
    assert.doesNotMatch(s.otherHeaders, /content-type/, "a GET has no body to type");
  }
  for (const s of h.seen) {
    assert.match(s.otherHeaders, /accept: application\/json/);
    assert.equal(s.redirect, "manual", `${s.path}: redirects are not followed`);
  }
});

Deno.test("client: User-Agent names this CLI, its version, the runtime and the OS", async () => {
  for (const os of ["linux", "darwin", "windows"]) {
    const agents: string[] = [];
    const ctx = createMemoryContext({
      os,
      fetch: (input, init) => {
        agents.push(new Request(input, init).headers.get("user-agent") ?? "");
        return Promise.resolve(Response.json({ ok: true }));
      },
    });
    await createClient(ctx, { authUrl: AUTH }).requestOtp(ADA);
    assert.deepEqual(agents, [`lua-cli-deno/${VERSION} (deno; ${os})`]);
    assert.doesNotMatch(agents[0]!, /node|lua-cli\//i, "no other client's identity");
  }
});

// ---------------------------------------------------------------------------------------------
// Statuses, per call

Deno.test("client: 400 invalid email is InvalidInputError (exit 2), no email sent", async () => {
  const h = setup();
  const error = await failure(h.client.requestOtp("not-an-email"), InvalidInputError);
  assert.equal(error.exitCode, ExitCode.Usage);
  assert.equal(h.emulator.outbox().length, 0);
});

Deno.test("client: 429 within 30 s is RateLimitedError with Retry-After (exit 11)", async () => {
  const h = setup();
  await sendCode(h);
  const first = await failure(h.client.requestOtp(ADA), RateLimitedError);
  assert.equal(first.retryAfterSeconds, 30);
  assert.equal(first.exitCode, ExitCode.Unavailable);
  assert.match(first.message, /30 s/);
  h.advance(12_500);
  const second = await failure(h.client.requestOtp(ADA), RateLimitedError);
  assert.equal(second.retryAfterSeconds, 18);
  assert.equal(h.emulator.outbox().length, 1, "no email while rate limited");
  assert.equal(h.count("/otp"), 3, "a 429 is not retried");
  h.advance(17_500);
  await sendCode(h);
});

Deno.test("client: a wrong code is InvalidOtpError (exit 9); the right one still works", async () => {
  const h = setup();
  const code = await sendCode(h);
  const wrong = code === "000000" ? "111111" : "000000";
  const error = await failure(h.client.verifyOtp(ADA, wrong), InvalidOtpError);
  assert.equal(error.exitCode, ExitCode.Auth);
  assert.deepEqual(error.hints, INVALID_OTP_HINTS);
  assert.ok((await h.client.verifyOtp(ADA, code)).length > 0);
  await failure(h.client.verifyOtp(ADA, code), InvalidOtpError); // used up
});

Deno.test("client: a burned code (5 wrong tries) is InvalidOtpError even with the right code", async () => {
  const h = setup();
  const code = await sendCode(h);
  const wrong = code === "000000" ? "111111" : "000000";
  for (let i = 0; i < 5; i++) await failure(h.client.verifyOtp(ADA, wrong), InvalidOtpError);
  const error = await failure(h.client.verifyOtp(ADA, code), InvalidOtpError);
  assert.equal(error.exitCode, 9);
  assert.match(error.message, /5 wrong tries/);
});

Deno.test("client: a code older than 10 min is ExpiredError (exit 9)", async () => {
  const h = setup();
  const code = await sendCode(h);
  h.advance(10 * 60_000 + 1);
  const error = await failure(h.client.verifyOtp(ADA, code), ExpiredError);
  assert.equal(error.exitCode, ExitCode.Auth);
});

Deno.test("client: the platform's refusal of a code, whatever its 4xx and body, is a wrong code", async () => {
  // The real client only checks `success`: the status and body of a refusal are not known.
  for (const status of [400, 401, 404, 410, 422]) {
    for (
      const body of [{ message: "Invalid OTP" }, {
        success: false,
        error: { message: "x", statusCode: status },
      }, null]
    ) {
      const { client } = stubbed(() => Response.json(body, { status }));
      const error = await failure(client.verifyOtp(ADA, "123456"), InvalidOtpError);
      assert.equal(error.exitCode, 9, `HTTP ${status}`);
    }
  }
});

Deno.test("client: 401 is AuthenticationError (exit 9) on both key routes and on a used sign-in token", async () => {
  const h = setup();
  const unknown = await failure(
    h.client.checkKey("api_0123456789abcdef0123456789abcdef"),
    AuthenticationError,
  );
  assert.equal(unknown.name, "AuthenticationError", "not an OTP error");
  assert.equal(unknown.exitCode, 9);
  assert.equal(
    (await failure(h.client.checkKey(TYPED), AuthenticationError)).exitCode,
    9,
    "a typed key",
  );
  const token = await signInToken(h);
  await h.client.createApiKey(token);
  const reused = await failure(h.client.createApiKey(token), AuthenticationError);
  assert.equal(reused.exitCode, 9);
  assert.equal(h.emulator.keys().length, 1);
  // A 401 from /context alone (projection fine) is a rejected key too.
  const { client } = stubbed(keyRoutes(projection("user"), new Response("{}", { status: 401 })));
  assert.equal((await failure(client.checkKey("lk_legacy"), AuthenticationError)).exitCode, 9);
});

Deno.test("client: 403 is AuthenticationError (exit 9) saying the key may not do this", async () => {
  const { client } = stubbed(() => Response.json({ message: "Forbidden" }, { status: 403 }));
  const calls: [string, () => Promise<unknown>][] = [
    ["requestOtp", () => client.requestOtp(ADA)],
    ["verifyOtp", () => client.verifyOtp(ADA, "123456")],
    ["createApiKey", () => client.createApiKey("sit_x")],
    ["checkKey legacy", () => client.checkKey("lk_legacy")],
    ["checkKey typed", () => client.checkKey(TYPED)],
  ];
  for (const [label, call] of calls) {
    const error = await failure(call(), AuthenticationError);
    assert.ok(!(error instanceof InvalidOtpError), label);
    assert.equal(error.exitCode, 9, label);
    assert.match(error.message, /403.*may not do this/, label);
  }
});

Deno.test("client: 429 on every call is RateLimitedError (exit 11), not retried", async () => {
  const { client, seen } = stubbed(() =>
    Response.json({ message: "slow" }, { status: 429, headers: { "retry-after": "12" } })
  );
  const calls: (() => Promise<unknown>)[] = [
    () => client.requestOtp(ADA),
    () => client.verifyOtp(ADA, "123456"),
    () => client.createApiKey("sit_x"),
    () => client.checkKey(TYPED),
  ];
  for (const call of calls) {
    const error = await failure(call(), RateLimitedError);
    assert.equal(error.exitCode, 11);
    assert.equal(error.retryAfterSeconds, 12);
  }
  assert.equal(seen.length, 4, "one request each");
});

Deno.test("client: a Retry-After beyond the cap is reported as 'later', not as hours", async () => {
  for (const header of [String(MAX_RETRY_AFTER_SECONDS + 1), "99999999", "Infinity", "1e9"]) {
    const { client } = stubbed(() =>
      new Response(null, { status: 429, headers: { "retry-after": header } })
    );
    const error = await failure(client.requestOtp(ADA), RateLimitedError);
    assert.equal(error.retryAfterSeconds, undefined, header);
    assert.doesNotMatch(error.message, /\d/, header);
    // A number beyond the cap is "later"; what is not a number is no wait at all.
    assert.match(
      error.message,
      /^\d+$/.test(header) ? /try again later$/ : /wait a moment/,
      header,
    );
  }
});

Deno.test("retryAfterSeconds(): seconds, dates, and what is not a wait", () => {
  const now = Date.parse("2026-10-21T07:28:00Z");
  const cases: [string | null | undefined, number | undefined][] = [
    [undefined, undefined],
    [null, undefined],
    ["", undefined],
    ["  ", undefined],
    ["7", 7],
    [" 7 ", 7],
    ["2.5", 3],
    ["0", 0],
    ["3600", 3600],
    ["3601", undefined],
    ["abc", undefined],
    ["0x10", undefined],
    ["Wed, 21 Oct 2026 07:28:30 GMT", 30],
    ["Wed, 21 Oct 2026 07:27:00 GMT", 0],
    ["Wed, 21 Oct 2026 09:28:01 GMT", undefined],
  ];
  for (const [header, expected] of cases) {
    assert.equal(retryAfterSeconds(header, now), expected, JSON.stringify(header));
  }
});

Deno.test("client: 5xx, whatever the call, is UnavailableError (exit 11), never a bad key or code", async () => {
  for (const status of [500, 502, 503, 504, 599]) {
    for (const body of ["", "<html>bad gateway</html>", '{"message":"Invalid API key"}']) {
      const { client } = stubbed(() => new Response(body === "" ? null : body, { status }));
      const calls: [string, () => Promise<unknown>][] = [
        ["requestOtp", () => client.requestOtp(ADA)],
        ["verifyOtp", () => client.verifyOtp(ADA, "123456")],
        ["createApiKey", () => client.createApiKey("sit_x")],
        ["checkKey", () => client.checkKey("lk_legacy")],
        ["checkKey typed", () => client.checkKey(TYPED)],
      ];
      for (const [label, call] of calls) {
        const error = await failure(call(), UnavailableError);
        assertUnavailable(error, `${label} HTTP ${status}`);
        assert.match(error.message, new RegExp(`HTTP ${status}`));
      }
    }
  }
});

Deno.test("client: 404, 405 or 410 on /profile/apiKey says to use the admin dashboard (exit 11)", async () => {
  for (const status of [404, 405, 410]) {
    const { client, seen } = stubbed(() =>
      Response.json({ message: "Cannot POST /profile/apiKey" }, { status })
    );
    const error = await failure(client.createApiKey("sit_token"), UnavailableError);
    assertUnavailable(error, `HTTP ${status}`);
    assert.match(error.message, /no longer issues API keys by email code/);
    const hints = error.hints.join("\n");
    assert.ok(hints.includes(ADMIN_DASHBOARD_URL), hints);
    assert.equal(ADMIN_DASHBOARD_URL, "https://admin.heylua.ai");
    assert.match(hints, /lua auth configure --api-key -/);
    assert.doesNotMatch(texts(error), /Cannot POST/, "the server's text is not echoed");
    assert.equal(seen.length, 1, "not retried");
  }
  // The same statuses elsewhere are not that message.
  const { client } = stubbed(() => Response.json({}, { status: 404 }));
  const elsewhere = await failure(client.checkKey(TYPED), UnavailableError);
  assert.doesNotMatch(elsewhere.message, /email code/);
  assert.match(elsewhere.message, /HTTP 404/);
});

Deno.test("retryAfterSeconds(): a negative number is not a wait (nor a date)", () => {
  // `Date.parse("-5")` is a date in year -5 in V8: only HTTP dates may be read as dates.
  const now = Date.parse("2026-10-21T07:28:00Z");
  for (const header of ["-5", "-1", "2026", "1 2"]) {
    assert.equal(retryAfterSeconds(header, now), header === "2026" ? 2026 : undefined, header);
  }
});

Deno.test("client: any 2xx on /otp is success, whatever its body (as the real client reads it)", async () => {
  for (const body of ["<html>oops", "", "[]", '{"success":true}']) {
    const { client } = stubbed(() => new Response(body === "" ? null : body, { status: 200 }));
    await client.requestOtp(ADA);
  }
});

Deno.test("client: a 2xx other than 200 is success", async () => {
  for (const status of [201, 202, 204]) {
    const { client } = stubbed(() =>
      new Response(status === 204 ? null : JSON.stringify({ signInToken: "sit_1" }), { status })
    );
    await client.requestOtp(ADA);
    if (status !== 204) assert.equal(await client.verifyOtp(ADA, "123456"), "sit_1");
  }
});

// ---------------------------------------------------------------------------------------------
// Body shapes

Deno.test("client: answers wrapped in {success: true, data} work on every route", async () => {
  const h = setup();
  for (
    const path of [
      "/otp",
      "/otp/verify",
      "/profile/apiKey",
      "/admin/me/authorization",
      "/admin/me/authorization/context",
    ]
  ) {
    await h.fault(path, "wrapped");
  }
  const key = await newApiKey(h);
  assert.match(key, LEGACY_KEY);
  const account = await h.client.checkKey(key);
  assert.equal(account.email, ADA);
  assert.equal(account.orgCount, 1);
  const typed = await h.mint("typed");
  await h.fault("/admin/me/authorization", "wrapped");
  assert.equal((await h.client.checkKey(typed)).subjectType, "apiKey");
});

Deno.test("client: both error shapes are read, bare {message} and {success: false, error}", async () => {
  const shapes = (message: string, status: number): unknown[] => [
    { message },
    { error: "bad_request", message },
    { success: false, error: { message, statusCode: status } },
  ];
  for (const body of shapes("That is not a valid email address.", 400)) {
    const { client } = stubbed(() => Response.json(body, { status: 400 }));
    const error = await failure(client.requestOtp(ADA), InvalidInputError);
    assert.match(error.message, /That is not a valid email address\./, JSON.stringify(body));
  }
  for (const body of shapes("Invalid API key", 401)) {
    const { client } = stubbed(() => Response.json(body, { status: 401 }));
    assert.equal((await failure(client.checkKey(TYPED), AuthenticationError)).exitCode, 9);
  }
});

Deno.test("client: a 2xx saying success: false is a failure, by the status it names", async () => {
  const wrapped = (statusCode?: number) =>
    Response.json({
      success: false,
      error: statusCode === undefined ? { message: "x" } : { message: "x", statusCode },
    });
  const otp = stubbed(() => wrapped(401)).client;
  await failure(otp.verifyOtp(ADA, "123456"), InvalidOtpError);
  await failure(stubbed(() => wrapped(401)).client.checkKey(TYPED), AuthenticationError);
  await failure(stubbed(() => wrapped(403)).client.checkKey(TYPED), AuthenticationError);
  await failure(stubbed(() => wrapped(429)).client.requestOtp(ADA), RateLimitedError);
  const gone = await failure(
    stubbed(() => wrapped(404)).client.createApiKey("sit"),
    UnavailableError,
  );
  assert.match(gone.message, /no longer issues/);
  // No status, status 0 (the real client's "network error") or 200: a server failure.
  for (const statusCode of [undefined, 0, 200, 700]) {
    for (
      const call of [(c: LuaClient) => c.requestOtp(ADA), (c: LuaClient) => c.verifyOtp(ADA, "1")]
    ) {
      const error = await failure(
        call(stubbed(() => wrapped(statusCode)).client),
        UnavailableError,
      );
      assertUnavailable(error, String(statusCode));
    }
  }
});

Deno.test("client: a success without the expected fields is UnavailableError", async () => {
  const bodies: unknown[] = [{}, { signInToken: "" }, { signInToken: 5 }, [], "text", null];
  for (const body of bodies) {
    const { client } = stubbed(() => Response.json(body));
    assertUnavailable(await failure(client.verifyOtp(ADA, "123456"), UnavailableError));
    assertUnavailable(await failure(client.createApiKey("sit"), UnavailableError));
    assertUnavailable(await failure(client.checkKey(TYPED), UnavailableError));
  }
  const { client } = stubbed(() => new Response("<html>oops", { status: 200 }));
  assertUnavailable(await failure(client.verifyOtp(ADA, "123456"), UnavailableError));
});

Deno.test("client: an invalid projection or identity context is UnavailableError", async () => {
  const good = projection("user");
  const badProjections: unknown[] = [
    { ...good, version: 2 },
    { ...good, generatedAt: "" },
    { ...good, authorizationPrincipal: { subjectType: "robot", subjectId: "x" } },
    { ...good, authorizationPrincipal: { subjectType: "user", subjectId: "" } },
    { ...good, orgs: undefined },
    { ...good, orgs: [{ orgId: "" }] },
    { ...good, capabilityProfiles: undefined },
  ];
  for (const bad of badProjections) {
    const { client } = stubbed(keyRoutes(bad));
    const error = await failure(client.checkKey("lk_legacy"), UnavailableError);
    assert.match(error.message, /authorization projection/);
  }
  for (const context of [{ email: 5, fullName: null }, { email: null, fullName: {} }, [], "x"]) {
    const { client } = stubbed(keyRoutes(good, context));
    const error = await failure(client.checkKey("lk_legacy"), UnavailableError);
    assert.match(error.message, /identity context/);
  }
  // null (or missing) email and name are allowed.
  const { client } = stubbed(keyRoutes(projection("user", "usr_9", 3), { email: null }));
  assert.deepEqual(await client.checkKey("lk_legacy"), {
    kind: "legacy",
    subjectType: "user",
    subjectId: "usr_9",
    email: null,
    fullName: null,
    orgCount: 3,
  });
  // Unknown extra fields are allowed.
  const extra = stubbed(keyRoutes({ ...projection("apiKey", "key_1", 0), future: 1 })).client;
  assert.equal((await extra.checkKey(TYPED)).orgCount, 0);
});

Deno.test("client: a principal of the wrong kind is a rejected key (exit 9)", async () => {
  for (const subjectType of ["apiKey", "service", "staff"]) {
    const { client } = stubbed(keyRoutes(projection(subjectType)));
    const error = await failure(client.checkKey("lk_legacy"), AuthenticationError);
    assert.equal(error.exitCode, 9, subjectType);
  }
  for (const subjectType of ["user", "service", "endUser"]) {
    const { client } = stubbed(keyRoutes(projection(subjectType)));
    const error = await failure(client.checkKey(TYPED), AuthenticationError);
    assert.equal(error.exitCode, 9, subjectType);
  }
});

Deno.test("client: a malformed key from the server is UnavailableError, not the user's fault", async () => {
  const bad = [
    "",
    "has space",
    "tab\tkey",
    "\u001b[31mred",
    "ключ",
    "k".repeat(4097),
    "LUA_API_KEY=api_x",
  ];
  for (const apiKey of bad) {
    const { client } = stubbed(() =>
      Response.json({ message: "ok", userId: "u", apiKey, apiId: "a" })
    );
    const error = await failure(client.createApiKey("sit_x"), UnavailableError);
    assertUnavailable(error, JSON.stringify(apiKey));
    assert.ok(!(error instanceof UsageError));
    if (apiKey.length > 3) assert.ok(!texts(error).includes(apiKey), "the bad key is not shown");
  }
  for (const apiKey of [42, null, ["api_x"]]) {
    const { client } = stubbed(() => Response.json({ apiKey }));
    assertUnavailable(await failure(client.createApiKey("sit_x"), UnavailableError));
  }
  // A well-formed key of a shape never seen is stored as given (trimmed).
  const { client } = stubbed(() => Response.json({ apiKey: " zz_new-shape:1 " }));
  assert.equal(await client.createApiKey("sit_x"), "zz_new-shape:1");
});

// ---------------------------------------------------------------------------------------------
// Redirects and oversized answers

Deno.test("client: a redirect is never followed; the error names the status and target host", async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    const { client, seen } = stubbed(() =>
      new Response(null, {
        status,
        headers: { location: "https://collector.evil.example/grab?x=1" },
      })
    );
    const calls: [string, () => Promise<unknown>][] = [
      ["requestOtp", () => client.requestOtp(ADA)],
      ["verifyOtp", () => client.verifyOtp(ADA, "123456")],
      ["createApiKey", () => client.createApiKey("sit_secret_token")],
      ["checkKey", () => client.checkKey(TYPED)],
    ];
    for (const [label, call] of calls) {
      const before = seen.length;
      const error = await failure(call(), UnavailableError);
      assertUnavailable(error, `${label} ${status}`);
      assert.match(error.message, new RegExp(`HTTP ${status}`), label);
      assert.match(error.message, /collector\.evil\.example/, label);
      assert.doesNotMatch(error.message, /grab|x=1/, "only the host is named");
      assert.equal(seen.length, before + 1, `${label}: exactly one request, no second one`);
      assert.ok(!texts(error).includes("sit_secret_token") && !texts(error).includes(TYPED));
    }
    assert.ok(seen.every((s) => !s.url.includes("evil")), "nothing went to the target");
    assert.ok(seen.every((s) => s.redirect === "manual"));
  }
  // A redirect without a usable Location still fails clearly.
  for (const headers of [{}, { location: "http://[::1" }]) {
    const { client } = stubbed(() => new Response(null, { status: 302, headers }));
    const error = await failure(client.checkKey(TYPED), UnavailableError);
    assert.match(error.message, /HTTP 302/);
  }
});

Deno.test("client over loopback: a redirect fault sends nothing on to the target", async () => {
  const server = await startEmulator();
  const target = await startEmulator();
  try {
    const client = createClient(createMemoryContext({ fetch: (i, init) => fetch(i, init) }), {
      ...FAST,
      authUrl: server.url,
      apiUrl: server.url,
    });
    const key = await issueKey(server.emulator, ADA, "typed");
    const location = `${target.url}/admin/me/authorization`;
    for (const path of ["/admin/me/authorization", "/profile/apiKey", "/otp"]) {
      await control(server.emulator, "/_emulator/faults", {
        path,
        mode: "redirect",
        status: 307,
        headers: { location },
      });
    }
    const checked = await failure(client.checkKey(key), UnavailableError);
    assert.match(checked.message, new RegExp(`HTTP 307.*127\\.0\\.0\\.1:${target.port}`));
    await failure(client.createApiKey("sit_x"), UnavailableError);
    await failure(client.requestOtp(ADA), UnavailableError);
    // The target would have recorded a mint, a code or a capture; it saw nothing at all.
    assert.deepEqual(target.emulator.keys(), []);
    assert.deepEqual(target.emulator.outbox(), []);
    const probe = await fetch(`${target.url}/_emulator/outbox`);
    assert.deepEqual(await probe.json(), []);
  } finally {
    await server.close();
    await target.close();
  }
});

Deno.test("client: an answer over 1 MiB is UnavailableError; exactly 1 MiB is read", async () => {
  const body = (size: number): string => {
    const json = JSON.stringify({ signInToken: "sit_1" });
    return json + " ".repeat(size - json.length);
  };
  const { client } = stubbed(() => new Response(body(MAX_RESPONSE_BYTES)));
  assert.equal(await client.verifyOtp(ADA, "123456"), "sit_1");
  const big = stubbed(() => new Response(body(MAX_RESPONSE_BYTES + 1))).client;
  const error = await failure(big.verifyOtp(ADA, "123456"), UnavailableError);
  assertUnavailable(error);
  assert.match(error.message, /larger than 1 MiB/);
});

Deno.test("client: an endless answer ends promptly, on every call, and is not retried", async () => {
  const h = setup({ ...FAST, timeoutMs: 5_000, deadlineMs: 10_000 });
  const code = await sendCode(h);
  h.advance(30_000);
  const cases: [string, () => Promise<unknown>][] = [
    ["/otp", () => h.client.requestOtp(ADA)],
    ["/otp/verify", () => h.client.verifyOtp(ADA, code)],
    ["/profile/apiKey", () => h.client.createApiKey("sit_x")],
    ["/admin/me/authorization", () => h.client.checkKey(TYPED)],
  ];
  for (const [path, call] of cases) {
    await h.fault(path, "endless", { count: 3 });
    const [error, ms] = await timed(() => failure(call(), UnavailableError));
    assert.match(error.message, /larger than 1 MiB/, path);
    assert.ok(ms < 2_000, `${path}: ${ms} ms`);
    assert.equal(h.count(path), path === "/otp" ? 2 : 1, `${path}: one request`);
  }
});

Deno.test("client over loopback: an endless answer is cut at 1 MiB and the connection closed", async () => {
  const server = await startEmulator();
  try {
    const client = createClient(createMemoryContext({ fetch: (i, init) => fetch(i, init) }), {
      timeoutMs: 5_000,
      deadlineMs: 10_000,
      apiUrl: server.url,
    });
    await control(server.emulator, "/_emulator/faults", {
      path: "/admin/me/authorization",
      mode: "endless",
    });
    const [error, ms] = await timed(() => failure(client.checkKey(TYPED), UnavailableError));
    assert.match(error.message, /larger than 1 MiB/);
    assert.ok(ms < 3_000, `${ms} ms`);
  } finally {
    await server.close();
  }
});

Deno.test("client over loopback: a body that drips forever ends at the timeout and the deadline", async () => {
  const timers = new Set<ReturnType<typeof setInterval>>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{"));
        const timer = setInterval(() => {
          try {
            controller.enqueue(new TextEncoder().encode(" "));
          } catch {
            clearInterval(timer);
            timers.delete(timer);
          }
        }, 20);
        timers.add(timer);
      },
      cancel() {
        for (const timer of timers) clearInterval(timer);
        timers.clear();
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const client = createClient(createMemoryContext({ fetch: (i, init) => fetch(i, init) }), {
      timeoutMs: 300,
      deadlineMs: 1_000,
      backoffMs: 10,
      authUrl: url,
      apiUrl: url,
    });
    const [post, postMs] = await timed(() => failure(client.verifyOtp(ADA, "1"), UnavailableError));
    assertUnavailable(post);
    assert.match(post.message, /did not answer within 0\.3 s/);
    assert.ok(postMs >= 280 && postMs < 800, `one attempt (${postMs} ms)`);
    const [get, getMs] = await timed(() => failure(client.checkKey(TYPED), UnavailableError));
    assertUnavailable(get);
    assert.ok(getMs < 1_000 + 300, `within the deadline (${getMs} ms)`);
  } finally {
    for (const timer of timers) clearInterval(timer);
    await server.shutdown();
  }
});

// ---------------------------------------------------------------------------------------------
// Every fault mode, for every call

interface MethodCase {
  name: string;
  path: string;
  /** GET: retried after a 5xx or timeout. */
  retried: boolean;
  /** Sets up what the call needs; returns the call and a check that the server did nothing. */
  prepare(h: Harness): Promise<{ call: () => Promise<unknown>; unchanged: () => Promise<void> }>;
}

const METHODS: MethodCase[] = [
  {
    name: "requestOtp",
    path: "/otp",
    retried: false,
    prepare(h) {
      return Promise.resolve({
        call: () => h.client.requestOtp(ADA),
        unchanged: async () => {
          assert.equal(h.emulator.outbox().length, 0, "no email sent");
          await sendCode(h);
        },
      });
    },
  },
  {
    name: "verifyOtp",
    path: "/otp/verify",
    retried: false,
    async prepare(h) {
      const code = await sendCode(h);
      return {
        call: () => h.client.verifyOtp(ADA, code),
        unchanged: async () => {
          assert.ok((await h.client.verifyOtp(ADA, code)).length > 0, "the code still works");
        },
      };
    },
  },
  {
    name: "createApiKey",
    path: "/profile/apiKey",
    retried: false,
    async prepare(h) {
      const token = await signInToken(h);
      return {
        call: () => h.client.createApiKey(token),
        unchanged: async () => {
          assert.equal(h.emulator.keys().length, 0, "no key created");
          assert.match(await h.client.createApiKey(token), LEGACY_KEY);
        },
      };
    },
  },
  {
    name: "checkKey (projection)",
    path: "/admin/me/authorization",
    retried: true,
    async prepare(h) {
      const key = await h.mint("legacy");
      return {
        call: () => h.client.checkKey(key),
        unchanged: async () => assert.equal((await h.client.checkKey(key)).email, ADA),
      };
    },
  },
  {
    name: "checkKey (identity context)",
    path: "/admin/me/authorization/context",
    retried: true,
    async prepare(h) {
      const key = await h.mint("legacy");
      return {
        call: () => h.client.checkKey(key),
        unchanged: async () => assert.equal((await h.client.checkKey(key)).email, ADA),
      };
    },
  },
];

interface FaultCase {
  mode: string;
  delayMs?: number;
  /** The client waits for its timeout. */
  slow: boolean;
  /** A GET retries it (a 200 with a bad body is not retried). */
  retryable: boolean;
  message: RegExp;
}

const FAULTS: FaultCase[] = [
  { mode: "500", slow: false, retryable: true, message: /answered with an error \(HTTP 500\)/ },
  { mode: "html502", slow: false, retryable: true, message: /answered with an error \(HTTP 502\)/ },
  { mode: "not-json", slow: false, retryable: false, message: /does not understand/ },
  { mode: "hang", slow: true, retryable: true, message: /did not answer within 0\.2 s/ },
  {
    mode: "delay",
    delayMs: 5_000,
    slow: true,
    retryable: true,
    message: /did not answer within 0\.2 s/,
  },
];

for (const method of METHODS) {
  // Any 2xx on /otp is success (see above), so "not-json" is not a fault there.
  for (const fault of FAULTS.filter((f) => f.retryable || method.path !== "/otp")) {
    const label = fault.mode === "delay" ? `delay ${fault.delayMs} ms > timeout` : fault.mode;
    Deno.test(`client fault ${label}: ${method.name} is UnavailableError (exit 11)`, async () => {
      const h = setup();
      const { call, unchanged } = await method.prepare(h);
      // A retried call would succeed on its second attempt if it saw only one fault.
      const attempts = method.retried && fault.retryable ? 3 : 1;
      const extra = fault.delayMs === undefined
        ? { count: attempts }
        : { count: attempts, delayMs: fault.delayMs };
      await h.fault(method.path, fault.mode, extra);
      const [error, ms] = await timed(() => failure(call(), UnavailableError));
      assertUnavailable(error, method.name);
      assert.match(error.message, fault.message);
      const host = method.path.startsWith("/otp") || method.path === "/profile/apiKey" ? AUTH : API;
      assert.ok(error.message.includes(`(${host})`), `names ${host}: ${error.message}`);
      assert.equal(h.count(method.path), attempts, "requests seen");
      if (fault.slow) {
        assert.ok(ms >= 180 * attempts, `waited for the timeout (${ms} ms)`);
        assert.ok(ms < 200 * attempts + 600, `gave up soon after the timeout (${ms} ms)`);
      } else {
        assert.ok(ms < 500, `failed at once (${ms} ms)`);
      }
      assert.equal(h.emulator.pending(), 0, "no request left held");
      await unchanged();
    });
  }

  Deno.test(`client fault delay shorter than the timeout: ${method.name} succeeds`, async () => {
    const h = setup({ ...FAST, timeoutMs: 1_000 });
    const { call } = await method.prepare(h);
    await h.fault(method.path, "delay", { delayMs: 50 });
    const [, ms] = await timed(call);
    assert.ok(ms >= 40, `the delay was applied (${ms} ms)`);
    assert.equal(h.count(method.path), 1);
  });
}

// ---------------------------------------------------------------------------------------------
// Retry rules

Deno.test("client retry: the GETs of checkKey are retried after a 500 and succeed", async () => {
  for (const path of ["/admin/me/authorization", "/admin/me/authorization/context"]) {
    const h = setup();
    const key = await h.mint("legacy");
    await h.fault(path, "500", { count: 1 });
    assert.equal((await h.client.checkKey(key)).email, ADA);
    assert.equal(h.count(path), 2, path);
  }
});

Deno.test("client retry: checkKey is retried after a timeout and succeeds", async () => {
  const h = setup();
  const key = await h.mint("typed");
  await h.fault("/admin/me/authorization", "hang", { count: 1 });
  const [account, ms] = await timed(() => h.client.checkKey(key));
  assert.equal(account.kind, "typed");
  assert.equal(h.count("/admin/me/authorization"), 2);
  assert.ok(ms >= 180 && ms < 1_000, `${ms} ms`);
});

Deno.test("client retry: checkKey gives up after maxAttempts", async () => {
  const h = setup({ ...FAST, maxAttempts: 2 });
  const key = await h.mint("typed");
  await h.fault("/admin/me/authorization", "500", { count: 5 });
  await failure(h.client.checkKey(key), UnavailableError);
  assert.equal(h.count("/admin/me/authorization"), 2);
});

Deno.test("client retry: a 4xx is never retried", async () => {
  for (const status of [400, 401, 403, 404, 429]) {
    const { client, seen } = stubbed(() => Response.json({}, { status }), {
      ...FAST,
      maxAttempts: 5,
    });
    await assert.rejects(client.checkKey(TYPED), LuaError);
    assert.equal(seen.length, 1, `HTTP ${status}`);
  }
});

/** Forwards the request (the server acts on it), then loses the answer as `how` says. */
function afterProcessing(path: string, how: "500" | "hang" | "reset"): Intercept {
  return async (request, _n, forward, signal) => {
    const response = await forward();
    if (new URL(request.url).pathname !== path) return response;
    await response.body?.cancel();
    if (how === "500") return Response.json({ error: "internal_error" }, { status: 500 });
    if (how === "hang") return await never(signal);
    throw new TypeError("fetch failed", {
      cause: new Error(
        `error sending request for url (${request.url}): client error (SendRequest): ` +
          "connection closed before message completed",
      ),
    });
  };
}

for (const how of ["500", "hang", "reset"] as const) {
  Deno.test(`client retry: requestOtp is not repeated after ${how} (exactly one email)`, async () => {
    const h = setup(FAST, afterProcessing("/otp", how));
    assertUnavailable(await failure(h.client.requestOtp(ADA), UnavailableError));
    assert.equal(h.count("/otp"), 1);
    assert.equal(h.emulator.outbox().length, 1, "exactly one email");
  });

  Deno.test(`client retry: verifyOtp is not repeated after ${how}`, async () => {
    const h = setup(FAST, afterProcessing("/otp/verify", how));
    const code = await sendCode(h);
    assertUnavailable(await failure(h.client.verifyOtp(ADA, code), UnavailableError));
    assert.equal(h.count("/otp/verify"), 1);
  });

  Deno.test(`client retry: createApiKey is not repeated after ${how} (one key)`, async () => {
    const h = setup(FAST, afterProcessing("/profile/apiKey", how));
    const token = await signInToken(h);
    assertUnavailable(await failure(h.client.createApiKey(token), UnavailableError));
    assert.equal(h.count("/profile/apiKey"), 1);
    assert.equal(h.emulator.keys().length, 1, "exactly one key");
  });

  Deno.test(`client retry: checkKey is repeated after ${how} (a GET is safe)`, async () => {
    let lost = false;
    const inner = afterProcessing("/admin/me/authorization", how);
    const h = setup(FAST, (request, n, forward, signal) => {
      if (lost || new URL(request.url).pathname !== "/admin/me/authorization") return forward();
      lost = true;
      return inner(request, n, forward, signal);
    });
    const key = await h.mint("typed");
    assert.equal((await h.client.checkKey(key)).kind, "typed");
    assert.equal(h.count("/admin/me/authorization"), 2);
  });
}

Deno.test("client retry: POSTs are not repeated after an injected 500 or hang", async () => {
  for (const mode of ["500", "hang"]) {
    const h = setup({ ...FAST, maxAttempts: 5 });
    await h.fault("/otp", mode, { count: 1 });
    await failure(h.client.requestOtp(ADA), UnavailableError);
    assert.equal(h.count("/otp"), 1, mode);
    assert.equal(h.emulator.outbox().length, 0, mode);
    await h.client.requestOtp(ADA);
    assert.equal(h.count("/otp"), 2, mode);
    assert.equal(h.emulator.outbox().length, 1, mode);
  }
});

/** Fails the first request the way a refused connection does, then forwards. */
function refuseFirst(error: () => Error): Intercept {
  return (_request, n, forward) => n === 1 ? Promise.reject(error()) : forward();
}

const CONNECT_FAILURES: [string, () => Error][] = [
  ["refused (plain)", () => new TypeError(REFUSED)],
  [
    "refused (Deno 2.9 fetch failed + cause)",
    () =>
      new TypeError("fetch failed", {
        cause: new Error(
          "error sending request for url (http://auth.test/otp): client error (Connect): " +
            "tcp connect error: Connection refused (os error 111)",
        ),
      }),
  ],
  [
    "dns",
    () =>
      new TypeError("fetch failed", {
        cause: new Error(
          "client error (Connect): dns error: failed to lookup address information: " +
            "Temporary failure in name resolution",
        ),
      }),
  ],
];

for (const [label, error] of CONNECT_FAILURES) {
  Deno.test(`client retry: a POST whose connection failed (${label}) is retried`, async () => {
    const h = setup(FAST, refuseFirst(error));
    await h.client.requestOtp(ADA);
    assert.equal(h.count("/otp"), 2);
    assert.equal(h.emulator.outbox().length, 1, "one email");
  });
}

Deno.test("client retry: verifyOtp and createApiKey are retried on a refused connect", async () => {
  let refuse = false;
  const h = setup(FAST, (_request, _n, forward) => {
    if (!refuse) return forward();
    refuse = false;
    return Promise.reject(new TypeError(REFUSED));
  });
  const code = await sendCode(h);
  refuse = true;
  const token = await h.client.verifyOtp(ADA, code);
  assert.equal(h.count("/otp/verify"), 2);
  refuse = true;
  await h.client.createApiKey(token);
  assert.equal(h.count("/profile/apiKey"), 2);
  assert.equal(h.emulator.keys().length, 1);
});

Deno.test("client retry: a connection that always fails is UnavailableError, never a bad code or key", async () => {
  const h = setup(FAST, () => Promise.reject(new TypeError(REFUSED)));
  const otp = await failure(h.client.verifyOtp(ADA, "123456"), UnavailableError);
  assertUnavailable(otp);
  assert.match(otp.message, /connection was refused/);
  assert.equal(h.count("/otp/verify"), 3);
  assertUnavailable(await failure(h.client.createApiKey("sit_x"), UnavailableError));
  assertUnavailable(await failure(h.client.checkKey("lk_legacy"), UnavailableError));
  assertUnavailable(await failure(h.client.checkKey(TYPED), UnavailableError));
});

Deno.test("client retry: isConnectFailure tells connect failures from later ones", () => {
  for (const [label, error] of CONNECT_FAILURES) assert.ok(isConnectFailure(error()), label);
  assert.ok(isConnectFailure(Object.assign(new Error("x"), { code: "ECONNREFUSED" })));
  assert.ok(!isConnectFailure(new TypeError("connection reset by peer")));
  assert.ok(!isConnectFailure(new DOMException("aborted", "AbortError")));
  assert.ok(!isConnectFailure("Connection refused"), "not an Error");
});

Deno.test("client retry: a hanging checkKey ends within the deadline (timeout 200, deadline 700)", async () => {
  const h = setup({ timeoutMs: 200, deadlineMs: 700 });
  const key = await h.mint("legacy");
  await h.fault("/admin/me/authorization", "hang", { count: 10 });
  const [error, ms] = await timed(() => failure(h.client.checkKey(key), UnavailableError));
  assert.equal(error.exitCode, 11);
  assert.ok(ms >= 180, `${ms} ms`);
  assert.ok(ms <= 700 + 250, `ended within the deadline + slack (${ms} ms)`);
  assert.ok(h.count("/admin/me/authorization") <= 3);
  assert.equal(h.emulator.pending(), 0);
});

Deno.test("client retry: the deadline is real time, not the context's clock", async () => {
  // A context clock that jumps (or is frozen) must neither cut retries short nor stretch them.
  const h = setup({ ...FAST, deadlineMs: 60_000 }, (request, _n, forward) => {
    if (new URL(request.url).pathname !== "/admin/me/authorization") return forward();
    h.ctx.advance(3_600_000);
    return Promise.resolve(Response.json({ error: "internal_error" }, { status: 500 }));
  });
  const key = await h.mint("typed");
  await failure(h.client.checkKey(key), UnavailableError);
  assert.equal(h.count("/admin/me/authorization"), 3);
});

// ---------------------------------------------------------------------------------------------
// Real network: a loopback emulator, a closed port, an unknown host

function realFetchContext(env: Record<string, string> = {}): MemoryContext {
  return createMemoryContext({ fetch: (input, init) => fetch(input, init), env });
}

Deno.test("client over loopback: the whole flow against startEmulator()", async () => {
  const server = await startEmulator();
  try {
    const ctx = realFetchContext({ LUA_AUTH_URL: `${server.url}/`, LUA_API_URL: server.url });
    const client = createClient(ctx, FAST);
    assert.equal(client.authUrl, server.url);
    await client.requestOtp(ADA);
    const code = server.emulator.outbox()[0]!.code;
    const key = await client.createApiKey(await client.verifyOtp(ADA, code));
    assert.match(key, LEGACY_KEY);
    assert.equal((await client.checkKey(key)).email, ADA);
    const typed = await issueKey(server.emulator, ADA, "typed");
    assert.equal((await client.checkKey(typed)).subjectType, "apiKey");
    await control(server.emulator, "/_emulator/revoke", { apiKey: key });
    assert.equal((await failure(client.checkKey(key), AuthenticationError)).exitCode, 9);
  } finally {
    await server.close();
  }
});

Deno.test("client over loopback: a hang times out, a 502 page is not shown", async () => {
  const server = await startEmulator();
  try {
    const client = createClient(realFetchContext(), {
      ...FAST,
      authUrl: server.url,
      apiUrl: server.url,
    });
    await control(server.emulator, "/_emulator/faults", { path: "/otp", mode: "hang" });
    const [error, ms] = await timed(() => failure(client.requestOtp(ADA), UnavailableError));
    assert.match(error.message, /did not answer/);
    assert.ok(ms >= 180 && ms < 1_000, `${ms} ms`);
    await control(server.emulator, "/_emulator/faults", { path: "/otp", mode: "html502" });
    const bad = await failure(client.requestOtp(ADA), UnavailableError);
    assert.match(bad.message, /HTTP 502/);
    assert.equal(server.emulator.outbox().length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("client over loopback: a closed port is UnavailableError within 2 s (defaults)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const url = `http://127.0.0.1:${port}`;
  const client = createClient(realFetchContext({ LUA_AUTH_URL: url, LUA_API_URL: url }));
  for (const call of [() => client.requestOtp(ADA), () => client.checkKey("lk_legacy")]) {
    const [error, ms] = await timed(() => failure(call(), UnavailableError));
    assert.equal(error.exitCode, 11);
    assert.match(error.message, /connection was refused/);
    assert.ok(ms < 2_000, `${ms} ms`);
  }
});

Deno.test("client over the network: an unknown host is UnavailableError within 2 s", async () => {
  const url = "http://nonexistent.invalid";
  const client = createClient(realFetchContext({ LUA_AUTH_URL: url, LUA_API_URL: url }));
  for (const call of [() => client.requestOtp(ADA), () => client.checkKey(TYPED)]) {
    const [error, ms] = await timed(() => failure(call(), UnavailableError));
    assert.equal(error.exitCode, 11);
    assert.match(error.message, /nonexistent\.invalid/);
    assert.match(error.message, /host name was not found/);
    assert.ok(ms < 2_000, `${ms} ms`);
  }
});

// ---------------------------------------------------------------------------------------------
// Base URLs

Deno.test("client URLs: defaults are the platform's", async () => {
  assert.equal(DEFAULT_AUTH_URL, "https://auth.heylua.ai");
  assert.equal(DEFAULT_API_URL, "https://api.heylua.ai");
  const emulator = createEmulator({ now: () => START });
  const seen: Seen[] = [];
  const client = createClient(createMemoryContext({ fetch: recordingFetch(emulator, seen) }));
  assert.equal(client.authUrl, "https://auth.heylua.ai");
  assert.equal(client.apiUrl, "https://api.heylua.ai");
  await client.requestOtp(ADA);
  await failure(client.createApiKey("sit_x"), AuthenticationError);
  await failure(client.checkKey(TYPED), AuthenticationError);
  assert.deepEqual(seen.map((s) => s.url), [
    "https://auth.heylua.ai/otp",
    "https://auth.heylua.ai/profile/apiKey",
    "https://api.heylua.ai/admin/me/authorization",
  ]);
});

Deno.test("client URLs: empty or blank variables mean the defaults", () => {
  const client = createClient(
    createMemoryContext({ env: { LUA_AUTH_URL: "", LUA_API_URL: "  " } }),
  );
  assert.equal(client.authUrl, DEFAULT_AUTH_URL);
  assert.equal(client.apiUrl, DEFAULT_API_URL);
});

Deno.test("client URLs: LUA_AUTH_URL and LUA_API_URL override, trailing slashes ok", async () => {
  const urls: string[] = [];
  const ctx = createMemoryContext({
    env: {
      LUA_AUTH_URL: "http://auth.example.test/",
      LUA_API_URL: "https://api.example.test/v1//",
    },
    fetch: (input, init) => {
      const request = new Request(input, init);
      urls.push(`${request.method} ${request.url}`);
      const path = new URL(request.url).pathname;
      if (path.endsWith("/authorization")) {
        return Promise.resolve(Response.json(projection("apiKey")));
      }
      return Promise.resolve(Response.json({ ok: true }));
    },
  });
  const client = createClient(ctx);
  assert.equal(client.authUrl, "http://auth.example.test");
  assert.equal(client.apiUrl, "https://api.example.test/v1");
  await client.requestOtp(ADA);
  assert.equal((await client.checkKey(TYPED)).kind, "typed");
  assert.deepEqual(urls, [
    "POST http://auth.example.test/otp",
    "GET https://api.example.test/v1/admin/me/authorization",
  ]);
});

Deno.test("client URLs: options beat the environment", () => {
  const ctx = createMemoryContext({
    env: { LUA_AUTH_URL: "http://env-auth.test", LUA_API_URL: "http://env-api.test" },
  });
  const client = createClient(ctx, { authUrl: "http://opt-auth.test/", apiUrl: API });
  assert.equal(client.authUrl, "http://opt-auth.test");
  assert.equal(client.apiUrl, API);
  const fromEnv = createClient(ctx);
  assert.equal(fromEnv.authUrl, "http://env-auth.test");
  assert.equal(fromEnv.apiUrl, "http://env-api.test");
});

Deno.test("client URLs: an invalid URL is UsageError (exit 2) naming the variable", () => {
  for (const bad of ["not a url", "auth.heylua.ai", "ftp://auth.example.test", "file:///etc"]) {
    for (const variable of ["LUA_AUTH_URL", "LUA_API_URL"]) {
      const ctx = createMemoryContext({ env: { [variable]: bad } });
      assert.throws(() => createClient(ctx), (error: unknown) => {
        assert.ok(error instanceof UsageError, describe(error));
        assert.equal(error.exitCode, 2);
        assert.match(error.message, new RegExp(variable));
        return true;
      });
    }
  }
});

Deno.test("client URLs: credentials, a query or a fragment in a base URL are UsageErrors that do not show it", () => {
  const cases: [string, RegExp][] = [
    ["https://ada:s3cret-pw@api.example.test", /holds a user name or password/],
    ["https://ada@api.example.test", /holds a user name or password/],
    ["https://api.example.test/?token=s3cret-pw", /has a query or fragment/],
    ["https://api.example.test/#s3cret-pw", /has a query or fragment/],
  ];
  for (const [bad, why] of cases) {
    const ctx = createMemoryContext({ env: { LUA_API_URL: bad } });
    assert.throws(() => createClient(ctx), (error: unknown) => {
      assert.ok(error instanceof UsageError, describe(error));
      assert.match(error.message, /^LUA_API_URL /);
      assert.match(error.message, why);
      assert.ok(!error.message.includes("s3cret") && !error.message.includes("ada"), error.message);
      return true;
    });
  }
  // A path stays: the platform may live below one.
  const ctx = createMemoryContext({ env: { LUA_API_URL: "https://example.test/lua/" } });
  assert.doesNotThrow(() => createClient(ctx));
});

Deno.test("client URLs: the OTP and key-issuing routes go to the auth URL, key checks to the API URL", async () => {
  const h = setup();
  const key = await newApiKey(h);
  await h.client.checkKey(key);
  assert.deepEqual(h.seen.map((s) => `${s.method} ${s.url}`).sort(), [
    `GET ${API}/admin/me/authorization`,
    `GET ${API}/admin/me/authorization/context`,
    `POST ${AUTH}/otp`,
    `POST ${AUTH}/otp/verify`,
    `POST ${AUTH}/profile/apiKey`,
  ]);
});

// ---------------------------------------------------------------------------------------------
// Secret hygiene

Deno.test("client secrets: key and token travel only in the Authorization header", async () => {
  const h = setup();
  const code = await sendCode(h);
  const token = await h.client.verifyOtp(ADA, code);
  const key = await h.client.createApiKey(token);
  await h.client.checkKey(key);
  const expected: Record<string, string | null> = {
    "/otp": null,
    "/otp/verify": null,
    "/profile/apiKey": `Bearer ${token}`,
    "/admin/me/authorization": `Bearer ${key}`,
    "/admin/me/authorization/context": `Bearer ${key}`,
  };
  assert.equal(h.seen.length, 5);
  for (const s of h.seen) {
    assert.equal(s.authorization, expected[s.path], s.path);
    for (const secret of [key, token]) {
      assert.ok(!s.url.includes(secret), `not in the URL of ${s.path}`);
      assert.ok(!decodeURIComponent(s.url).includes(secret), `not in the URL of ${s.path}`);
      assert.ok(!s.body.includes(secret), `not in the body of ${s.path}`);
      assert.ok(!s.otherHeaders.includes(secret), `not in other headers of ${s.path}`);
    }
  }
});

Deno.test("client secrets: a key no header can carry is a UsageError, nothing sent", async () => {
  const { client, seen } = stubbed(() => Response.json({}));
  const error = await failure(client.checkKey("api_\u201ckey\u201d"), UsageError);
  assert.equal(error.exitCode, 2);
  assert.ok(!error.message.includes("\u201c"));
  assert.equal(seen.length, 0);
});

Deno.test("client secrets: no error message contains the key or the sign-in token", async () => {
  const h = setup();
  const token = await signInToken(h);
  const key = await h.client.createApiKey(token);
  const errors: LuaError[] = [];
  const collect = async (promise: Promise<unknown>): Promise<void> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof LuaError, describe(error));
      errors.push(error);
      return;
    }
    assert.fail("expected a failure");
  };
  await collect(h.client.createApiKey(token)); // used token: 401
  for (const mode of ["500", "html502", "not-json", "hang", "endless", "redirect"]) {
    await h.fault("/admin/me/authorization", mode, { count: 3 });
    await collect(h.client.checkKey(key));
    await h.fault("/profile/apiKey", mode);
    await collect(h.client.createApiKey(token));
  }
  await control(h.emulator, "/_emulator/reset", {});
  await collect(h.client.checkKey(key)); // unknown key: 401

  // Servers that echo the credential in their messages, in both error shapes, and a redirect
  // whose target carries it.
  for (const status of [400, 401, 403, 404, 410, 429, 500, 200]) {
    for (const shape of ["bare", "wrapped"]) {
      const echo = createClient(
        createMemoryContext({
          fetch: (input, init) => {
            const auth = new Request(input, init).headers.get("authorization") ?? "";
            const message = `bad credential ${auth}`;
            const body = shape === "bare"
              ? { error: "x", message }
              : { success: false, error: { message, statusCode: status } };
            return Promise.resolve(Response.json(body, { status }));
          },
        }),
        { ...FAST, apiUrl: API, authUrl: AUTH },
      );
      await collect(echo.checkKey(key));
      await collect(echo.createApiKey(token));
    }
  }
  const redirecting = stubbed((request) =>
    new Response(null, {
      status: 302,
      headers: { location: `https://x.example/?k=${request.headers.get("authorization")}` },
    })
  ).client;
  await collect(redirecting.checkKey(key));
  await collect(redirecting.createApiKey(token));
  const refused = createClient(createMemoryContext(), { ...FAST, apiUrl: API, authUrl: AUTH });
  await collect(refused.checkKey(key));
  await collect(refused.createApiKey(token));

  assert.equal(errors.length, 1 + 12 + 1 + 32 + 2 + 2);
  for (const error of errors) {
    const text = texts(error);
    assert.ok(!text.includes(key), `key in: ${text}`);
    assert.ok(!text.includes(token), `token in: ${text}`);
    assert.ok(!text.includes(key.slice(4)), `key body in: ${text}`);
  }
});

Deno.test("client: when one GET of a legacy key fails, the other is not left running", async () => {
  const h = setup({ ...FAST, timeoutMs: 1_000, deadlineMs: 3_000 });
  await h.fault("/admin/me/authorization/context", "hang");
  try {
    const [error, ms] = await timed(() =>
      failure(h.client.checkKey("lk_unknown"), AuthenticationError)
    );
    assert.equal(error.exitCode, 9);
    assert.ok(ms < 500, `the refusal is reported at once (${ms} ms)`);
    await sleep(20);
    assert.equal(h.emulator.pending(), 0, "the hanging /context request was abandoned");
  } finally {
    // Let a request the client left behind end (its retry meets the route: 401) before the
    // sanitizers look.
    h.emulator.releasePending();
    await sleep(50);
  }
});

Deno.test("client: checkKey settles both GETs before it throws, even on a network that ignores the abort", async () => {
  let contextEnded = false;
  const ctx = createMemoryContext({
    fetch: async (input) => {
      const path = new URL(input).pathname;
      if (path.endsWith("/context")) {
        // This network ignores the abort signal: the answer comes when it comes.
        await sleep(100);
        contextEnded = true;
        return new Response("{}", { status: 401 });
      }
      return new Response('{"error":"unauthorized"}', { status: 401 });
    },
  });
  const client = createClient(ctx, { authUrl: AUTH, apiUrl: API, ...FAST, timeoutMs: 1_000 });
  const error = await failure(client.checkKey("lk_unknown"), AuthenticationError);
  assert.equal(error.message, "Authentication failed");
  assert.ok(contextEnded, "the identity request had ended before checkKey threw");
});

Deno.test("client: every request's timeout is whole milliseconds (Node's AbortSignal.timeout throws on others)", async () => {
  const asked: number[] = [];
  const original = AbortSignal.timeout;
  AbortSignal.timeout = (ms: number): AbortSignal => {
    asked.push(ms);
    return original.call(AbortSignal, ms);
  };
  try {
    // A deadline that leaves a fraction of a millisecond once time has passed.
    const h = setup({ ...FAST, timeoutMs: 60_000, deadlineMs: 2_000.5 });
    await h.client.checkKey(await h.mint("legacy"));
    await h.client.requestOtp(ADA);
  } finally {
    AbortSignal.timeout = original;
  }
  assert.ok(asked.length >= 3, `${asked.length} timeouts`);
  for (const ms of asked) assert.ok(Number.isInteger(ms) && ms >= 1, `timeout ${ms}`);
});
