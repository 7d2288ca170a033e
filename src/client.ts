/**
 * The client of the Lua platform's auth API, as the platform's own clients speak it:
 * email one-time codes (`LUA_AUTH_URL`), the code-to-key exchange, and the key check against
 * the authorization projection (`LUA_API_URL`). `docs/protocol.md` gives each route with its
 * evidence.
 *
 * Every request has a timeout; only requests that are safe to repeat are retried (GET, and any
 * request whose connection failed before it was sent), with backoff, inside an overall
 * deadline. Redirects are never followed, answers are read up to 1 MiB, and keys travel only
 * in the `Authorization` header, never in a URL.
 *
 * @module
 */

import { decodeChunks } from "./bytes.ts";
import type { Context, FetchInit, FetchResponse } from "./context.ts";
import { headerValue } from "./http_header.ts";
import {
  AuthenticationError,
  BurnedOtpError,
  ExpiredError,
  InvalidInputError,
  InvalidOtpError,
  LuaError,
  permissionErrorFrom,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "./errors.ts";
import { detectRuntime } from "./runtime.ts";
import { ADMIN_DASHBOARD_URL } from "./seed_text.ts";
import { type KeyKind, keyKind, validateApiKey } from "./validate.ts";
import { VERSION } from "./version.ts";

/** The platform's OTP service, unless `LUA_AUTH_URL` says otherwise. */
export const DEFAULT_AUTH_URL = "https://auth.heylua.ai";
/** The platform's API, unless `LUA_API_URL` says otherwise. */
export const DEFAULT_API_URL = "https://api.heylua.ai";
/** The most of an answer's body that is read. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** A `Retry-After` above this many seconds is reported as "later". */
export const MAX_RETRY_AFTER_SECONDS = 3600;

/** Options for {@linkcode createClient}. */
export interface ClientOptions {
  /** Base URL of the OTP routes; default `LUA_AUTH_URL` or {@linkcode DEFAULT_AUTH_URL}. */
  authUrl?: string;
  /** Base URL of the API routes; default `LUA_API_URL` or {@linkcode DEFAULT_API_URL}. */
  apiUrl?: string;
  /** Time allowed for one attempt, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Time allowed for a whole call, retries included, in ms. Default 28 000. */
  deadlineMs?: number;
  /** Attempts at most for a request that may be retried. Default 3. */
  maxAttempts?: number;
  /** First backoff between attempts, in ms, doubled each time. Default 250. */
  backoffMs?: number;
}

/** Who a key authenticates, from the platform's authorization projection. */
export interface Account {
  /** `"typed"` for `api_<uuid>.<secret>` keys, `"legacy"` for every other key. */
  kind: KeyKind;
  /** The projection's principal type: `"apiKey"` for typed keys, `"user"` for legacy ones. */
  subjectType: string;
  /** The principal's identifier: the key's id (typed) or the user's id (legacy). */
  subjectId: string;
  /** The account's email address (legacy keys; `null` when the platform has none). */
  email: string | null;
  /** The account's full name (legacy keys; `null` when the platform has none). */
  fullName: string | null;
  /** How many organisations the projection lists. */
  orgCount: number;
}

/** The platform's auth API. */
export interface LuaClient {
  /** The OTP base URL in use. */
  readonly authUrl: string;
  /** The API base URL in use. */
  readonly apiUrl: string;
  /** Asks the platform to email a 6-digit code. Never repeated once sent. */
  requestOtp(email: string): Promise<void>;
  /** Exchanges an emailed code for a sign-in token. Never repeated once sent. */
  verifyOtp(email: string, code: string): Promise<string>;
  /** Creates an API key with a sign-in token. Never repeated once sent. */
  createApiKey(signInToken: string): Promise<string>;
  /** Checks a key and says whom it authenticates. Retried. */
  checkKey(apiKey: string): Promise<Account>;
}

interface RequestSpec {
  method: "GET" | "POST";
  url: string;
  /** JSON to send; `""` sends an empty body. */
  body?: unknown;
  bearer?: string;
  /** Safe to repeat after it may have reached the server. */
  idempotent: boolean;
  /** Ends the call early, retries included (a sibling request failed). */
  signal?: AbortSignal;
}

/** A non-2xx answer, or a 2xx whose envelope says `success: false`. */
interface Failure {
  status: number;
  /** The server's error code (`error` string or `error.code`), when it sent one. */
  code?: string;
  /** The server's message, bounded, when it sent one. */
  message?: string;
  retryAfter?: string | null;
}

type Outcome = { ok: true; data: unknown } | { ok: false; failure: Failure };

const SUBJECT_TYPES = ["user", "apiKey", "service", "endUser", "staff"];

function baseUrl(value: string | undefined, fallback: string, variable: string): string {
  const raw = value?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new UsageError(`${variable} is not a valid http(s) URL`);
  }
  // Neither is ever sent: `fetch` refuses a URL with credentials, and `node:http` would send
  // them as Basic authentication beside the key; a query or fragment would end up before the
  // route's path. The URL itself is not shown: a password may be in it.
  if (url.username || url.password) {
    throw new UsageError(`${variable} holds a user name or password; give the URL without them`);
  }
  if (url.search || url.hash) {
    throw new UsageError(`${variable} has a query or fragment; give the URL without them`);
  }
  return url.href.replace(/\/+$/, "");
}

/** True when a fetch failure happened before the request could reach the server. */
export function isConnectFailure(error: unknown): boolean {
  const parts: string[] = [];
  for (let e: unknown = error, i = 0; e instanceof Error && i < 4; e = e.cause, i++) {
    parts.push(e.message, String((e as { code?: unknown }).code ?? ""));
  }
  return /connection refused|ECONNREFUSED|dns error|ENOTFOUND|EAI_AGAIN|failed to lookup|tcp connect error|Name or service not known|No address|UND_ERR_CONNECT/i
    .test(parts.join(" "));
}

function describeFailure(error: unknown): string {
  const text = error instanceof Error
    ? [error.message, String((error.cause as Error | undefined)?.message ?? "")].join(" ")
    : String(error);
  if (/dns|lookup|ENOTFOUND|EAI_AGAIN|Name or service/i.test(text)) {
    return "the host name was not found";
  }
  if (/refused|ECONNREFUSED/i.test(text)) return "the connection was refused";
  if (/certificate|tls|ssl/i.test(text)) {
    return "the TLS connection failed (check DENO_CERT or your proxy)";
  }
  return "the connection failed";
}

/** Milliseconds as seconds for a message: whole seconds, or one decimal below 10 s. */
function seconds(ms: number): number {
  return ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10;
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

class BodyTooLarge extends Error {}

/** A request ended by its signal: `TimeoutError` from the timeout, `AbortError` otherwise. */
function isAbort(error: DOMException): boolean {
  return error.name === "TimeoutError" || error.name === "AbortError";
}

/** Reads at most `limit` bytes of a body as UTF-8; more throws {@linkcode BodyTooLarge}. */
async function readBounded(response: FetchResponse, limit: number): Promise<string> {
  if (response.body === null) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop early (too large, or an error) ends the body's iterator, which cancels
  // the stream and releases the connection.
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return decodeChunks(chunks);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A server message worth showing: a short string, never one that quotes the credential. */
function boundedMessage(value: unknown, bearer: string | undefined): string | undefined {
  if (typeof value !== "string" || value.trim() === "" || value.length > 300) return undefined;
  return bearer !== undefined && value.includes(bearer) ? undefined : value;
}

/**
 * Reads an error body in either of the platform's shapes: bare (`{message, error?}`) or the
 * envelope (`{success: false, error: {message, statusCode, code?}}`).
 */
function failureOf(
  status: number,
  body: unknown,
  bearer: string | undefined,
  retryAfter: string | null,
): Failure {
  const failure: Failure = { status, retryAfter };
  if (!isRecord(body)) return failure;
  const inner = isRecord(body.error) ? body.error : undefined;
  const code = inner ? inner.code : body.error ?? body.code;
  if (typeof code === "string" && code.length <= 64) failure.code = code;
  const message = boundedMessage(inner ? inner.message : body.message, bearer);
  if (message !== undefined) failure.message = message;
  return failure;
}

/** An answer of any 2xx: bare data, or the `{success: true, data}` envelope unwrapped. */
function outcomeOf(
  status: number,
  text: string,
  bearer: string | undefined,
  retryAfter: string | null,
): Outcome {
  const body = parseJson(text);
  if (status >= 200 && status < 300) {
    if (isRecord(body) && body.success === false) {
      const failure = failureOf(status, body, bearer, retryAfter);
      const inner = isRecord(body.error) ? body.error.statusCode : undefined;
      // A 2xx carrying a failure: trust the status it names when it is an error status.
      failure.status = typeof inner === "number" && inner >= 400 && inner < 600 ? inner : 502;
      return { ok: false, failure };
    }
    if (isRecord(body) && body.success === true && "data" in body) {
      return { ok: true, data: body.data };
    }
    return { ok: true, data: body };
  }
  return { ok: false, failure: failureOf(status, body, bearer, retryAfter) };
}

/** A `Retry-After` header as seconds, uncapped: a number of seconds or an HTTP date. */
function retryAfterValue(header: string | null | undefined, now: number): number | undefined {
  const raw = header?.trim();
  if (!raw) return undefined;
  let value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  // Otherwise only an HTTP date counts ("Wed, 21 Oct 2015 07:28:00 GMT"): "-5" is no date.
  if (!Number.isFinite(value) && /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*, /i.test(raw)) {
    const date = Date.parse(raw);
    if (Number.isFinite(date)) value = Math.max(0, (date - now) / 1000);
  }
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * A `Retry-After` header as whole seconds: `undefined` when absent, invalid or above
 * {@linkcode MAX_RETRY_AFTER_SECONDS}.
 *
 * @example
 * ```ts
 * import { retryAfterSeconds } from "@lua/cli";
 * import assert from "node:assert/strict";
 * assert.equal(retryAfterSeconds("30", Date.now()), 30);
 * assert.equal(retryAfterSeconds("1e23", Date.now()), undefined);
 * ```
 *
 * @param header The header's value.
 * @param now The clock, for an HTTP date.
 * @returns The wait, if it is one worth showing.
 */
export function retryAfterSeconds(
  header: string | null | undefined,
  now: number,
): number | undefined {
  const value = retryAfterValue(header, now);
  return value === undefined || value > MAX_RETRY_AFTER_SECONDS ? undefined : Math.ceil(value);
}

/** Checks an authorization projection just as far as this CLI relies on it. */
function parseProjection(
  value: unknown,
): { subjectType: string; subjectId: string; orgCount: number } | undefined {
  if (!isRecord(value) || value.version !== 1) return undefined;
  if (typeof value.generatedAt !== "string" || value.generatedAt === "") return undefined;
  const principal = value.authorizationPrincipal;
  if (!isRecord(principal)) return undefined;
  const { subjectType, subjectId } = principal;
  if (typeof subjectType !== "string" || !SUBJECT_TYPES.includes(subjectType)) return undefined;
  if (typeof subjectId !== "string" || subjectId === "" || subjectId.length > 256) {
    return undefined;
  }
  if (!Array.isArray(value.orgs)) return undefined;
  const orgsOk = value.orgs.every((org) =>
    isRecord(org) && typeof org.orgId === "string" && org.orgId !== "" && org.orgId.length <= 256
  );
  if (!orgsOk || !isRecord(value.capabilityProfiles)) return undefined;
  return { subjectType, subjectId, orgCount: value.orgs.length };
}

/** Checks the identity context of a legacy key: `{email, fullName}`, each a string or null. */
function parseIdentity(
  value: unknown,
): { email: string | null; fullName: string | null } | undefined {
  if (!isRecord(value)) return undefined;
  const { email = null, fullName = null } = value;
  if (email !== null && typeof email !== "string") return undefined;
  if (fullName !== null && typeof fullName !== "string") return undefined;
  return { email, fullName };
}

/**
 * Creates a client of the platform's auth API.
 *
 * @example Checking a key against a local emulator
 * ```ts ignore
 * import { createClient, denoContext } from "@lua/cli";
 * const client = createClient(denoContext(), { apiUrl: "http://127.0.0.1:8787" });
 * const account = await client.checkKey("lk_0123456789abcdef0123456789abcdef");
 * console.log(account.kind, account.email ?? account.subjectId);
 * ```
 *
 * @param ctx Environment (for `LUA_AUTH_URL`, `LUA_API_URL`) and network.
 * @param options Base URLs, timeouts and retries.
 * @returns The client.
 * @throws {UsageError} When a base URL is not a valid URL.
 */
export function createClient(ctx: Context, options: ClientOptions = {}): LuaClient {
  const authUrl = baseUrl(
    options.authUrl ?? ctx.env("LUA_AUTH_URL"),
    DEFAULT_AUTH_URL,
    "LUA_AUTH_URL",
  );
  const apiUrl = baseUrl(options.apiUrl ?? ctx.env("LUA_API_URL"), DEFAULT_API_URL, "LUA_API_URL");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadlineMs = options.deadlineMs ?? 28_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? 250;
  const userAgent = `lua-cli-deno/${VERSION} (${detectRuntime()}; ${ctx.os})`;

  function requestHeaders(spec: RequestSpec): Record<string, string> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": userAgent,
    };
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    if (spec.bearer !== undefined) {
      const authorization = headerValue(`Bearer ${spec.bearer}`);
      if (authorization === undefined) {
        // Not a network failure: the credential has characters no HTTP header can carry.
        throw new UsageError(
          "Cannot send the API key: it has characters no HTTP header can carry (a copy may have added smart quotes)",
        );
      }
      headers.authorization = authorization;
    }
    return headers;
  }

  function redirectError(response: FetchResponse, host: string): UnavailableError {
    let target = "an unnamed place";
    try {
      const location = response.headers.get("location");
      if (location) target = new URL(location, host).host || target;
    } catch {
      // an unparsable Location stays unnamed
    }
    return new UnavailableError(
      `The Lua platform (${host}) answered with a redirect (HTTP ${response.status}) to ` +
        `${target}; this CLI never follows redirects, so nothing was sent on`,
    );
  }

  async function attempt(spec: RequestSpec, limitMs: number, host: string): Promise<Outcome> {
    const headers = requestHeaders(spec);
    // Not setTimeout: under Deno 2.9 its first call sets up Node's timers, 9 ms on a command
    // line. The signal's timer runs only while the request or its body listens to it.
    // Whole milliseconds: Node's AbortSignal.timeout throws a RangeError on any other number.
    const timeout = AbortSignal.timeout(Math.ceil(limitMs));
    const init: FetchInit = {
      method: spec.method,
      headers,
      signal: spec.signal ? AbortSignal.any([timeout, spec.signal]) : timeout,
      redirect: "manual",
    };
    if (spec.body !== undefined) init.body = spec.body === "" ? "" : JSON.stringify(spec.body);
    const response = await ctx.fetch(spec.url, init);
    if (response.status >= 300 && response.status < 400 || response.type === "opaqueredirect") {
      await response.body?.cancel().catch(() => {});
      throw redirectError(response, host);
    }
    let text: string;
    try {
      text = await readBounded(response, MAX_RESPONSE_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      throw new UnavailableError(
        `The Lua platform (${host}) sent an answer larger than 1 MiB; it was not read`,
      );
    }
    return outcomeOf(response.status, text, spec.bearer, response.headers.get("retry-after"));
  }

  async function send(spec: RequestSpec): Promise<Outcome> {
    // Elapsed time on the monotonic clock the timers use: an injected or jumping wall clock
    // (`ctx.now`) must not stretch or shrink the deadline.
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const host = new URL(spec.url).origin;
    for (let n = 1;; n++) {
      const remaining = deadlineMs - elapsed();
      let failure: UnavailableError;
      let retryable: boolean;
      try {
        const outcome = await attempt(spec, Math.max(1, Math.min(timeoutMs, remaining)), host);
        if (outcome.ok || outcome.failure.status < 500) return outcome;
        failure = new UnavailableError(
          `The Lua platform (${host}) answered with an error (HTTP ${outcome.failure.status})`,
        );
        retryable = spec.idempotent;
      } catch (error) {
        if (error instanceof LuaError) throw error;
        const converted = permissionErrorFrom(error);
        if (converted instanceof LuaError) throw converted;
        if (error instanceof DOMException && isAbort(error)) {
          failure = new UnavailableError(
            `The Lua platform (${host}) did not answer within ${seconds(timeoutMs)} s`,
            { cause: error },
          );
          retryable = spec.idempotent;
        } else {
          failure = new UnavailableError(
            `Cannot reach the Lua platform (${host}): ${describeFailure(error)}`,
            { cause: error },
          );
          retryable = spec.idempotent || isConnectFailure(error);
        }
      }
      const wait = backoffMs * 2 ** (n - 1);
      const left = deadlineMs - elapsed() - wait;
      const stop = !retryable || n >= maxAttempts || spec.signal?.aborted === true;
      if (stop || left < Math.min(timeoutMs, 1000)) throw failure;
      await sleep(wait, spec.signal);
      if (spec.signal?.aborted) throw failure;
    }
  }

  /** The error of a failure no route-specific rule claimed. */
  function commonError(failure: Failure, host: string): LuaError {
    switch (failure.status) {
      case 403:
        return new AuthenticationError(
          "The Lua platform refused the request (HTTP 403): this credential may not do this",
        );
      case 429: {
        const seconds = retryAfterSeconds(failure.retryAfter, ctx.now());
        // Beyond the cap the platform's wait is not worth a number: "try again later".
        const later = seconds === undefined &&
          (retryAfterValue(failure.retryAfter, ctx.now()) ?? 0) > MAX_RETRY_AFTER_SECONDS;
        return new RateLimitedError(later ? "later" : seconds);
      }
      default:
        return new UnavailableError(
          `The Lua platform (${host}) answered unexpectedly (HTTP ${failure.status})`,
        );
    }
  }

  /** Sends a request; a failure goes to `onFailure`, which may claim it, then to the common rules. */
  async function call(
    spec: RequestSpec,
    onFailure: (failure: Failure) => LuaError | undefined = () => undefined,
  ): Promise<unknown> {
    const host = new URL(spec.url).origin;
    const outcome = await send(spec);
    if (outcome.ok) return outcome.data;
    throw onFailure(outcome.failure) ?? commonError(outcome.failure, host);
  }

  function misunderstood(url: string, what: string): UnavailableError {
    return new UnavailableError(
      `The Lua platform (${new URL(url).origin}) sent an answer this CLI does not understand ` +
        `(${what})`,
    );
  }

  function stringField(data: unknown, url: string, name: string): string {
    const value = isRecord(data) ? data[name] : undefined;
    if (typeof value !== "string" || value === "") throw misunderstood(url, `no ${name}`);
    return value;
  }

  async function identity(
    apiKey: string,
    signal: AbortSignal,
  ): Promise<{ email: string | null; fullName: string | null }> {
    const url = `${apiUrl}/admin/me/authorization/context`;
    const data = await call(
      { method: "GET", url, bearer: apiKey, idempotent: true, signal },
      (f) => f.status === 401 ? new AuthenticationError() : undefined,
    );
    const parsed = parseIdentity(data);
    if (!parsed) throw misunderstood(url, "an invalid identity context");
    return parsed;
  }

  return {
    authUrl,
    apiUrl,
    async requestOtp(email) {
      const url = `${authUrl}/otp`;
      await call(
        { method: "POST", url, body: { email, type: "email" }, idempotent: false },
        (f) => {
          if (f.status === 400 || f.status === 422) {
            return new InvalidInputError(
              f.message !== undefined
                ? `The platform rejected the request: ${f.message}`
                : "The platform rejected the request as invalid",
            );
          }
          return undefined;
        },
      );
    },
    async verifyOtp(email, code) {
      const url = `${authUrl}/otp/verify`;
      const data = await call(
        { method: "POST", url, body: { email, pin: code, type: "email" }, idempotent: false },
        (f) => {
          // The platform's refusals of a code are not documented: every 4xx but 403 and 429
          // means the code was not accepted. The emulator's codes refine the message.
          if (f.code === "code_burned") {
            return new BurnedOtpError("This code can no longer be used after 5 wrong tries");
          }
          if (f.code === "expired_code") return new ExpiredError("The code has expired");
          if (f.status >= 400 && f.status < 500 && f.status !== 403 && f.status !== 429) {
            return new InvalidOtpError();
          }
          return undefined;
        },
      );
      return stringField(data, url, "signInToken");
    },
    async createApiKey(signInToken) {
      const url = `${authUrl}/profile/apiKey`;
      const data = await call(
        { method: "POST", url, body: "", bearer: signInToken, idempotent: false },
        (f) => {
          if (f.status === 404 || f.status === 405 || f.status === 410) {
            return new UnavailableError(
              "The Lua platform no longer issues API keys by email code to this CLI",
              {
                hints: [
                  `Create a key in the admin dashboard (${ADMIN_DASHBOARD_URL}), then run:`,
                  "  lua auth configure --api-key -",
                ],
              },
            );
          }
          if (f.status === 401) {
            return new AuthenticationError(
              "The platform rejected the sign-in; request a new code",
            );
          }
          return undefined;
        },
      );
      const key = stringField(data, url, "apiKey");
      try {
        return validateApiKey(key);
      } catch {
        // The platform's fault, not the user's input.
        throw misunderstood(url, "a key that cannot be stored");
      }
    },
    async checkKey(apiKey) {
      const url = `${apiUrl}/admin/me/authorization`;
      const kind = keyKind(apiKey);
      const unauthorized = (f: Failure): LuaError | undefined =>
        f.status === 401 ? new AuthenticationError() : undefined;
      // A legacy key's identity comes from a second route: ask both at once, and when one
      // fails, end the other rather than leave it running to its deadline. Both have settled
      // before this returns or throws (the first failure): nothing of the check outlives it.
      const siblings = new AbortController();
      const failures: unknown[] = [];
      const endOthers = (error: unknown): never => {
        failures.push(error);
        siblings.abort();
        throw error;
      };
      const signal = siblings.signal;
      const [projected, identified] = await Promise.allSettled([
        call({ method: "GET", url, bearer: apiKey, idempotent: true, signal }, unauthorized)
          .catch(endOthers),
        kind === "legacy" ? identity(apiKey, signal).catch(endOthers) : Promise.resolve(undefined),
      ]);
      if (projected.status === "rejected" || identified.status === "rejected") throw failures[0];
      const data = projected.value;
      const who = identified.value;
      const projection = parseProjection(data);
      if (!projection) throw misunderstood(url, "an invalid authorization projection");
      const expected = kind === "typed" ? "apiKey" : "user";
      if (projection.subjectType !== expected) {
        throw new AuthenticationError(
          `The key did not resolve to ${kind === "typed" ? "an API-key" : "a user"} principal`,
        );
      }
      return {
        kind,
        subjectType: projection.subjectType,
        subjectId: projection.subjectId,
        email: who?.email ?? null,
        fullName: who?.fullName ?? null,
        orgCount: projection.orgCount,
      };
    },
  };
}
