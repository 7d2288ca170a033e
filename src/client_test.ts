import assert from "node:assert/strict";
import { createEmulator, type Emulator } from "../emulator/handler.ts";
import { startEmulator } from "../emulator/server.ts";
import {
  type ClientOptions,
  createClient,
  DEFAULT_API_URL,
  DEFAULT_AUTH_URL,
  isConnectFailure,
  type LuaClient,
} from "./client.ts";
import {
  AuthenticationError,
  ExitCode,
  ExpiredError,
  INVALID_OTP_HINTS,
  InvalidInputError,
  InvalidOtpError,
  LuaError,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "./errors.ts";
import { createMemoryContext, type MemoryContext } from "./testing/memory_context.ts";

const START = Date.parse("2026-01-01T00:00:00.000Z");
const AUTH = "http://auth.test";
const API = "http://api.test";
const ADA = "ada@example.com";
const API_KEY = /^api_[0-9a-f]{32}$/;
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
  fault(path: string, mode: string, extra?: { count?: number; delayMs?: number }): Promise<void>;
}

/** Rejects with the signal's reason once it aborts, as a real fetch does; else `response`. */
function abortable(
  response: Promise<Response>,
  signal: AbortSignal | undefined,
): Promise<Response> {
  if (signal === undefined) return response;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    response.then((r) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) void r.body?.cancel();
      else resolve(r);
    }, reject);
  });
}

/** Waits until the signal aborts, then rejects like a fetch whose server never answers. */
function never(signal: AbortSignal | undefined): Promise<Response> {
  return abortable(new Promise<Response>(() => {}), signal);
}

/** A fetch that records each request and answers it with the in-process emulator. */
function recordingFetch(emulator: Emulator, seen: Seen[], intercept?: Intercept): typeof fetch {
  let n = 0;
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const otherHeaders = [...request.headers].filter(([name]) => name !== "authorization")
      .map(([name, value]) => `${name}: ${value}`).join("\n");
    seen.push({
      method: request.method,
      url: request.url,
      path: url.pathname,
      authorization: request.headers.get("authorization"),
      otherHeaders,
      body: await request.clone().text(),
    });
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
  };
}

async function control(emulator: Emulator, path: string, body: unknown): Promise<void> {
  const response = await emulator.handler(
    new Request(`http://emulator${path}`, { method: "POST", body: JSON.stringify(body) }),
  );
  assert.equal(response.status, 204, await response.text());
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

/** Awaits a call that must fail with `type`; returns the error. */
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

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
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

// ---------------------------------------------------------------------------------------------
// Happy path and status codes

Deno.test("client: code, sign-in token, key, whoami, revoke, then the key is refused", async () => {
  const h = setup();
  await h.client.requestOtp(ADA);
  const outbox = h.emulator.outbox();
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0]!.to, ADA);
  const token = await h.client.verifyOtp(ADA, outbox[0]!.code);
  assert.ok(token.length > 0);
  const key = await h.client.createApiKey(token);
  assert.match(key, API_KEY);
  assert.equal(h.emulator.keys().length, 1);

  const account = await h.client.whoami(key);
  assert.equal(account.email, ADA);
  assert.equal(account.keyId, h.emulator.keys()[0]!.keyId);
  assert.match(account.keyId, /^key_[0-9a-f]{8}$/);
  assert.equal(account.createdAt, new Date(START).toISOString());

  await h.client.revokeApiKey(key);
  assert.equal(h.emulator.keys()[0]!.revoked, true);
  const error = await failure(h.client.whoami(key), AuthenticationError);
  assert.equal(error.name, "AuthenticationError");
  assert.equal(error.exitCode, ExitCode.Auth);
  assert.equal(error.exitCode, 9);
  assert.deepEqual(h.seen.map((s) => `${s.method} ${s.path}`), [
    "POST /otp",
    "POST /otp/verify",
    "POST /developer/api-keys",
    "GET /developer/whoami",
    "DELETE /developer/api-keys/current",
    "GET /developer/whoami",
  ]);
});

Deno.test("client: the wire format is the documented one", async () => {
  const h = setup();
  const code = await sendCode(h);
  await h.client.verifyOtp(ADA, code);
  assert.deepEqual(JSON.parse(h.seen[0]!.body), { email: ADA, type: "email" });
  assert.deepEqual(JSON.parse(h.seen[1]!.body), { email: ADA, pin: code, type: "email" });
  assert.match(h.seen[0]!.otherHeaders, /content-type: application\/json/);
  assert.match(h.seen[0]!.otherHeaders, /accept: application\/json/);
});

Deno.test("client: 400 invalid email is InvalidInputError (exit 2), no email sent", async () => {
  const h = setup();
  const error = await failure(h.client.requestOtp("not-an-email"), InvalidInputError);
  assert.equal(error.exitCode, ExitCode.Usage);
  assert.equal(error.exitCode, 2);
  assert.equal(error.message, "That is not a valid email address.");
  assert.equal(h.emulator.outbox().length, 0);
  const verify = await failure(h.client.verifyOtp("a@b", "123456"), InvalidInputError);
  assert.equal(verify.exitCode, 2);
});

Deno.test("client: 429 within 30 s is RateLimitedError with Retry-After (exit 11)", async () => {
  const h = setup();
  await sendCode(h);
  const first = await failure(h.client.requestOtp(ADA), RateLimitedError);
  assert.equal(first.retryAfterSeconds, 30);
  assert.equal(first.exitCode, ExitCode.Unavailable);
  assert.equal(first.exitCode, 11);
  assert.match(first.message, /30 s/);
  h.advance(12_500);
  const second = await failure(h.client.requestOtp(ADA), RateLimitedError);
  assert.equal(second.retryAfterSeconds, 18);
  assert.equal(h.emulator.outbox().length, 1, "no email while rate limited");
  h.advance(17_500);
  await sendCode(h);
  assert.equal(h.emulator.outbox().length, 2);
});

Deno.test("client: 429 Retry-After that is missing, fractional or a date", async () => {
  const cases: [HeadersInit, number | undefined][] = [
    [{}, undefined],
    [{ "retry-after": "" }, undefined],
    [{ "retry-after": "7" }, 7],
    [{ "retry-after": "2.5" }, 3],
    [{ "retry-after": "0" }, 0],
    [{ "retry-after": "Wed, 21 Oct 2026 07:28:00 GMT" }, undefined],
    [{ "retry-after": "-5" }, undefined],
  ];
  for (const [headers, expected] of cases) {
    const ctx = createMemoryContext({
      fetch: () =>
        Promise.resolve(new Response('{"error":"rate_limited"}', { status: 429, headers })),
    });
    const client = createClient(ctx, { authUrl: AUTH, apiUrl: API });
    const error = await failure(client.requestOtp(ADA), RateLimitedError);
    assert.equal(error.retryAfterSeconds, expected, JSON.stringify(headers));
    assert.equal(error.exitCode, 11);
  }
});

Deno.test("client: a wrong code is InvalidOtpError (exit 9); the right one still works", async () => {
  const h = setup();
  const code = await sendCode(h);
  const wrong = code === "000000" ? "111111" : "000000";
  const error = await failure(h.client.verifyOtp(ADA, wrong), InvalidOtpError);
  assert.equal(error.exitCode, ExitCode.Auth);
  assert.equal(error.exitCode, 9);
  assert.deepEqual(error.hints, INVALID_OTP_HINTS);
  const token = await h.client.verifyOtp(ADA, code);
  assert.ok(token.length > 0);
  // Used up: the same code again is wrong.
  await failure(h.client.verifyOtp(ADA, code), InvalidOtpError);
});

Deno.test("client: a burned code (5 wrong tries) is InvalidOtpError even with the right code", async () => {
  const h = setup();
  const code = await sendCode(h);
  const wrong = code === "000000" ? "111111" : "000000";
  for (let i = 0; i < 5; i++) await failure(h.client.verifyOtp(ADA, wrong), InvalidOtpError);
  const error = await failure(h.client.verifyOtp(ADA, code), InvalidOtpError);
  assert.equal(error.exitCode, 9);
});

Deno.test("client: a code older than 10 min is ExpiredError (exit 9)", async () => {
  const h = setup();
  const code = await sendCode(h);
  h.advance(10 * 60_000 + 1);
  const error = await failure(h.client.verifyOtp(ADA, code), ExpiredError);
  assert.equal(error.exitCode, ExitCode.Auth);
  assert.equal(error.exitCode, 9);
  assert.ok(!(error instanceof UnavailableError));
});

Deno.test("client: 401 is AuthenticationError (exit 9) on whoami, createApiKey and revoke", async () => {
  const h = setup();
  const unknown = await failure(
    h.client.whoami("api_0123456789abcdef0123456789abcdef"),
    AuthenticationError,
  );
  assert.equal(unknown.name, "AuthenticationError", "not an OTP error");
  assert.equal(unknown.exitCode, 9);

  const token = await signInToken(h);
  const key = await h.client.createApiKey(token);
  const reused = await failure(h.client.createApiKey(token), AuthenticationError);
  assert.equal(reused.exitCode, 9);
  assert.equal(h.emulator.keys().length, 1);

  await h.client.revokeApiKey(key);
  const again = await failure(h.client.revokeApiKey(key), AuthenticationError);
  assert.equal(again.exitCode, 9);
});

Deno.test("client: other statuses map to typed errors, never to success", async () => {
  const cases: [number, string, new (...args: never[]) => LuaError, number][] = [
    [403, '{"error":"forbidden","message":"No."}', AuthenticationError, 9],
    [404, '{"error":"not_found","message":"No route."}', UnavailableError, 11],
    [405, "", UnavailableError, 11],
    [418, "teapot", UnavailableError, 11],
    [500, "{}", UnavailableError, 11],
    [502, "<html>bad gateway</html>", UnavailableError, 11],
    [503, "", UnavailableError, 11],
    [504, "", UnavailableError, 11],
  ];
  for (const [status, body, type, exit] of cases) {
    const ctx = createMemoryContext({
      fetch: () => Promise.resolve(new Response(body === "" ? null : body, { status })),
    });
    const client = createClient(ctx, { authUrl: AUTH, apiUrl: API, maxAttempts: 1 });
    for (const call of [() => client.requestOtp(ADA), () => client.whoami("api_x")]) {
      const error = await failure(call(), type);
      assert.equal(error.exitCode, exit, `HTTP ${status}`);
    }
  }
});

Deno.test("client: a 200 without the expected fields is UnavailableError", async () => {
  const ctx = createMemoryContext({
    fetch: () => Promise.resolve(Response.json({ email: ADA }, { status: 200 })),
  });
  const client = createClient(ctx, { authUrl: AUTH, apiUrl: API });
  await failure(client.whoami("api_x"), UnavailableError);
  await failure(client.verifyOtp(ADA, "123456"), UnavailableError);
});

// ---------------------------------------------------------------------------------------------
// Every fault mode, for every client method

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
    path: "/developer/api-keys",
    retried: false,
    async prepare(h) {
      const token = await signInToken(h);
      return {
        call: () => h.client.createApiKey(token),
        unchanged: async () => {
          assert.equal(h.emulator.keys().length, 0, "no key created");
          assert.match(await h.client.createApiKey(token), API_KEY);
        },
      };
    },
  },
  {
    name: "whoami",
    path: "/developer/whoami",
    retried: true,
    async prepare(h) {
      const key = await newApiKey(h);
      return {
        call: () => h.client.whoami(key),
        unchanged: async () => {
          assert.equal((await h.client.whoami(key)).email, ADA);
        },
      };
    },
  },
  {
    name: "revokeApiKey",
    path: "/developer/api-keys/current",
    retried: false,
    async prepare(h) {
      const key = await newApiKey(h);
      return {
        call: () => h.client.revokeApiKey(key),
        unchanged: async () => {
          assert.equal((await h.client.whoami(key)).email, ADA, "the key was not revoked");
          await h.client.revokeApiKey(key);
          await failure(h.client.whoami(key), AuthenticationError);
        },
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
  {
    mode: "not-json",
    slow: false,
    retryable: false,
    message: /does not understand|answered unexpectedly \(HTTP 200\)/,
  },
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
  for (const fault of FAULTS) {
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
      assert.equal(error.exitCode, ExitCode.Unavailable);
      assert.match(error.message, fault.message);
      const host = method.path.startsWith("/otp") ? AUTH : API;
      assert.ok(error.message.includes(`(${host})`), `names ${host}: ${error.message}`);
      assert.ok(!(error instanceof InvalidOtpError), "a server failure is not a wrong code");
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

Deno.test("client retry: GET whoami is retried after a 500 and succeeds", async () => {
  const h = setup();
  const key = await newApiKey(h);
  await h.fault("/developer/whoami", "500", { count: 1 });
  assert.equal((await h.client.whoami(key)).email, ADA);
  assert.equal(h.count("/developer/whoami"), 2);
});

Deno.test("client retry: GET whoami is retried after a timeout and succeeds", async () => {
  const h = setup();
  const key = await newApiKey(h);
  await h.fault("/developer/whoami", "hang", { count: 1 });
  const [account, ms] = await timed(() => h.client.whoami(key));
  assert.equal(account.email, ADA);
  assert.equal(h.count("/developer/whoami"), 2);
  assert.ok(ms >= 180 && ms < 1_000, `${ms} ms`);
});

Deno.test("client retry: GET whoami gives up after maxAttempts", async () => {
  const h = setup({ ...FAST, maxAttempts: 2 });
  const key = await newApiKey(h);
  await h.fault("/developer/whoami", "500", { count: 5 });
  await failure(h.client.whoami(key), UnavailableError);
  assert.equal(h.count("/developer/whoami"), 2);
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
  Deno.test(`client retry: requestOtp is not retried after ${how} (exactly one email)`, async () => {
    const h = setup(FAST, afterProcessing("/otp", how));
    await failure(h.client.requestOtp(ADA), UnavailableError);
    assert.equal(h.count("/otp"), 1);
    assert.equal(h.emulator.outbox().length, 1, "exactly one email");
  });

  Deno.test(`client retry: verifyOtp is not retried after ${how}`, async () => {
    const h = setup(FAST, afterProcessing("/otp/verify", how));
    const code = await sendCode(h);
    const error = await failure(h.client.verifyOtp(ADA, code), UnavailableError);
    assert.ok(!(error instanceof InvalidOtpError));
    assert.equal(h.count("/otp/verify"), 1);
  });

  Deno.test(`client retry: createApiKey is not retried after ${how} (one key)`, async () => {
    const h = setup(FAST, afterProcessing("/developer/api-keys", how));
    const token = await signInToken(h);
    await failure(h.client.createApiKey(token), UnavailableError);
    assert.equal(h.count("/developer/api-keys"), 1);
    assert.equal(h.emulator.keys().length, 1, "exactly one key");
  });
}

Deno.test("client retry: POSTs are not retried after an injected 500 or hang", async () => {
  for (const mode of ["500", "hang"]) {
    const h = setup({ ...FAST, maxAttempts: 5 });
    await h.fault("/otp", mode, { count: 1 });
    await failure(h.client.requestOtp(ADA), UnavailableError);
    assert.equal(h.count("/otp"), 1, mode);
    assert.equal(h.emulator.outbox().length, 0, mode);
    // The fault is used up: the next call (a new command) sends exactly one email.
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

Deno.test("client retry: verifyOtp, createApiKey and revoke are retried on a refused connect", async () => {
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
  const key = await h.client.createApiKey(token);
  assert.equal(h.count("/developer/api-keys"), 2);
  assert.equal(h.emulator.keys().length, 1);
  refuse = true;
  await h.client.revokeApiKey(key);
  assert.equal(h.count("/developer/api-keys/current"), 2);
  assert.equal(h.emulator.keys()[0]!.revoked, true);
});

Deno.test("client retry: a connection that always fails ends as UnavailableError", async () => {
  const h = setup(FAST, () => Promise.reject(new TypeError(REFUSED)));
  const error = await failure(h.client.verifyOtp(ADA, "123456"), UnavailableError);
  assert.ok(!(error instanceof InvalidOtpError), "a network failure is not a wrong code");
  assert.equal(error.exitCode, 11);
  assert.match(error.message, /connection was refused/);
  assert.equal(h.count("/otp/verify"), 3);
});

Deno.test("client retry: isConnectFailure tells connect failures from later ones", () => {
  for (const [label, error] of CONNECT_FAILURES) assert.ok(isConnectFailure(error()), label);
  assert.ok(isConnectFailure(Object.assign(new Error("x"), { code: "ECONNREFUSED" })));
  assert.ok(!isConnectFailure(new TypeError("connection reset by peer")));
  assert.ok(!isConnectFailure(new DOMException("aborted", "AbortError")));
  assert.ok(!isConnectFailure("Connection refused"), "not an Error");
});

Deno.test("client retry: a hanging whoami ends within the deadline (timeout 200, deadline 700)", async () => {
  const h = setup({ timeoutMs: 200, deadlineMs: 700 });
  const key = await newApiKey(h);
  await h.fault("/developer/whoami", "hang", { count: 10 });
  const [error, ms] = await timed(() => failure(h.client.whoami(key), UnavailableError));
  assert.equal(error.exitCode, 11);
  assert.ok(ms >= 180, `${ms} ms`);
  assert.ok(ms <= 700 + 250, `ended within the deadline + slack (${ms} ms)`);
  assert.ok(h.count("/developer/whoami") <= 2);
  assert.equal(h.emulator.pending(), 0);
});

Deno.test("client retry: the deadline is real time, not the context's clock", async () => {
  // A context clock that jumps (or is frozen) must neither cut retries short nor stretch them.
  const h = setup({ ...FAST, deadlineMs: 60_000 }, (request, _n, forward) => {
    if (new URL(request.url).pathname !== "/developer/whoami") return forward();
    h.ctx.advance(3_600_000);
    return Promise.resolve(Response.json({ error: "internal_error" }, { status: 500 }));
  });
  const key = await newApiKey(h);
  await failure(h.client.whoami(key), UnavailableError);
  assert.equal(h.count("/developer/whoami"), 3);
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
    assert.match(key, API_KEY);
    assert.equal((await client.whoami(key)).email, ADA);
    await client.revokeApiKey(key);
    const error = await failure(client.whoami(key), AuthenticationError);
    assert.equal(error.exitCode, 9);
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
  for (const call of [() => client.requestOtp(ADA), () => client.whoami("api_x")]) {
    const [error, ms] = await timed(() => failure(call(), UnavailableError));
    assert.equal(error.exitCode, 11);
    assert.match(error.message, /connection was refused/);
    assert.ok(ms < 2_000, `${ms} ms`);
  }
});

Deno.test("client over the network: an unknown host is UnavailableError within 2 s", async () => {
  const url = "http://nonexistent.invalid";
  const client = createClient(realFetchContext({ LUA_AUTH_URL: url, LUA_API_URL: url }));
  for (const call of [() => client.requestOtp(ADA), () => client.whoami("api_x")]) {
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
  await failure(client.whoami("api_x"), AuthenticationError);
  assert.deepEqual(seen.map((s) => s.url), [
    "https://auth.heylua.ai/otp",
    "https://api.heylua.ai/developer/whoami",
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
      if (path.endsWith("/whoami")) {
        return Promise.resolve(
          Response.json({ email: ADA, keyId: "key_00000000", createdAt: "2026-01-01T00:00:00Z" }),
        );
      }
      return Promise.resolve(Response.json({ ok: true }));
    },
  });
  const client = createClient(ctx);
  assert.equal(client.authUrl, "http://auth.example.test");
  assert.equal(client.apiUrl, "https://api.example.test/v1");
  await client.requestOtp(ADA);
  assert.equal((await client.whoami("api_x")).email, ADA);
  assert.deepEqual(urls, [
    "POST http://auth.example.test/otp",
    "GET https://api.example.test/v1/developer/whoami",
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

Deno.test("client URLs: OTP routes go to the auth URL, the rest to the API URL", async () => {
  const h = setup();
  const key = await newApiKey(h);
  await h.client.whoami(key);
  await h.client.revokeApiKey(key);
  assert.deepEqual(h.seen.map((s) => `${s.method} ${s.url}`), [
    `POST ${AUTH}/otp`,
    `POST ${AUTH}/otp/verify`,
    `POST ${API}/developer/api-keys`,
    `GET ${API}/developer/whoami`,
    `DELETE ${API}/developer/api-keys/current`,
  ]);
});

// ---------------------------------------------------------------------------------------------
// Secret hygiene

Deno.test("client secrets: key and token travel only in the Authorization header", async () => {
  const h = setup();
  const code = await sendCode(h);
  const token = await h.client.verifyOtp(ADA, code);
  const key = await h.client.createApiKey(token);
  await h.client.whoami(key);
  await h.client.revokeApiKey(key);
  const expected: Record<string, string | null> = {
    "/otp": null,
    "/otp/verify": null,
    "/developer/api-keys": `Bearer ${token}`,
    "/developer/whoami": `Bearer ${key}`,
    "/developer/api-keys/current": `Bearer ${key}`,
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
  for (const mode of ["500", "html502", "not-json", "hang"]) {
    await h.fault("/developer/whoami", mode, { count: 3 });
    await collect(h.client.whoami(key));
    await h.fault("/developer/api-keys/current", mode);
    await collect(h.client.revokeApiKey(key));
    await h.fault("/developer/api-keys", mode);
    await collect(h.client.createApiKey(token));
  }
  await control(h.emulator, "/_emulator/reset", {});
  await collect(h.client.whoami(key)); // unknown key: 401
  await collect(h.client.revokeApiKey(key));

  // Servers that echo the credential in their messages, and failing connections.
  for (const status of [400, 401, 403, 410, 429, 500]) {
    const echo = createClient(
      createMemoryContext({
        fetch: (input, init) => {
          const auth = new Request(input, init).headers.get("authorization") ?? "";
          return Promise.resolve(
            Response.json({ error: "x", message: `bad credential ${auth}` }, { status }),
          );
        },
      }),
      { ...FAST, apiUrl: API },
    );
    await collect(echo.whoami(key));
    await collect(echo.createApiKey(token));
    await collect(echo.revokeApiKey(key));
  }
  const refused = createClient(createMemoryContext(), { ...FAST, apiUrl: API });
  await collect(refused.whoami(key));
  await collect(refused.createApiKey(token));

  assert.equal(errors.length, 35);
  for (const error of errors) {
    const text = texts(error);
    assert.ok(!text.includes(key), `key in: ${text}`);
    assert.ok(!text.includes(token), `token in: ${text}`);
    assert.ok(!text.includes(key.slice(4)), `key body in: ${text}`);
  }
});
