/**
 * The client of the Lua platform's auth API: email one-time codes, API keys, `whoami`.
 *
 * Every request has a timeout; only requests that are safe to repeat are retried (GET, and any
 * request whose connection failed before it was sent), with backoff, inside an overall
 * deadline. Keys travel only in the `Authorization` header, never in a URL.
 *
 * @module
 */

import type { Context } from "./context.ts";
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

/** The platform's OTP service, unless `LUA_AUTH_URL` says otherwise. */
export const DEFAULT_AUTH_URL = "https://auth.heylua.ai";
/** The platform's API, unless `LUA_API_URL` says otherwise. */
export const DEFAULT_API_URL = "https://api.heylua.ai";

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

/** The account a key belongs to. */
export interface Account {
  /** The account's email address. */
  email: string;
  /** The key's identifier (not the key). */
  keyId: string;
  /** When the key was created, ISO 8601. */
  createdAt: string;
}

/** The platform's auth API. */
export interface LuaClient {
  /** The OTP base URL in use. */
  readonly authUrl: string;
  /** The API base URL in use. */
  readonly apiUrl: string;
  /** Asks the platform to email a 6-digit code. Never retried once sent. */
  requestOtp(email: string): Promise<void>;
  /** Exchanges an emailed code for a sign-in token. Never retried once sent. */
  verifyOtp(email: string, code: string): Promise<string>;
  /** Creates an API key with a sign-in token. Never retried once sent. */
  createApiKey(signInToken: string): Promise<string>;
  /** The account an API key belongs to. Retried. */
  whoami(apiKey: string): Promise<Account>;
  /** Revokes an API key on the platform. Never retried once sent. */
  revokeApiKey(apiKey: string): Promise<void>;
}

interface RequestSpec {
  method: "GET" | "POST" | "DELETE";
  url: string;
  body?: unknown;
  bearer?: string;
  /** Safe to repeat after it may have reached the server. */
  idempotent: boolean;
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

function baseUrl(value: string | undefined, fallback: string, variable: string): string {
  const raw = value?.trim() || fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    return url.href.replace(/\/+$/, "");
  } catch {
    throw new UsageError(`${variable} is not a valid http(s) URL: "${raw}".`);
  }
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Creates a client of the platform's auth API.
 *
 * @example Checking a key against a local emulator
 * ```ts ignore
 * import { createClient, denoContext } from "./mod.ts";
 * const client = createClient(denoContext(), { apiUrl: "http://127.0.0.1:8787" });
 * const account = await client.whoami("api_0123456789abcdef0123456789abcdef");
 * console.log(account.email);
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

  function requestHeaders(spec: RequestSpec): Headers {
    const headers = new Headers({ accept: "application/json" });
    if (spec.body !== undefined) headers.set("content-type", "application/json");
    if (spec.bearer !== undefined) {
      try {
        headers.set("authorization", `Bearer ${spec.bearer}`);
      } catch {
        // Not a network failure: the credential has characters no HTTP header can carry.
        throw new UsageError(
          "The API key has characters that cannot be sent (a copy may have added smart quotes).",
        );
      }
    }
    return headers;
  }

  async function attempt(spec: RequestSpec, limitMs: number): Promise<RawResponse> {
    const headers = requestHeaders(spec);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), limitMs);
    try {
      const init: RequestInit = { method: spec.method, headers, signal: controller.signal };
      if (spec.body !== undefined) init.body = JSON.stringify(spec.body);
      const response = await ctx.fetch(spec.url, init);
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(spec: RequestSpec): Promise<RawResponse> {
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
        const response = await attempt(spec, Math.max(1, Math.min(timeoutMs, remaining)));
        if (response.status < 500) return response;
        failure = new UnavailableError(
          `The Lua platform (${host}) answered with an error (HTTP ${response.status}).`,
        );
        retryable = spec.idempotent;
      } catch (error) {
        const converted = permissionErrorFrom(error);
        if (converted instanceof LuaError) throw converted;
        if (error instanceof DOMException && error.name === "AbortError") {
          failure = new UnavailableError(
            `The Lua platform (${host}) did not answer within ${seconds(timeoutMs)} s.`,
          );
          retryable = spec.idempotent;
        } else {
          failure = new UnavailableError(
            `Cannot reach the Lua platform (${host}): ${describeFailure(error)}.`,
            {
              cause: error,
            },
          );
          retryable = spec.idempotent || isConnectFailure(error);
        }
      }
      const wait = backoffMs * 2 ** (n - 1);
      const left = deadlineMs - elapsed() - wait;
      if (!retryable || n >= maxAttempts || left < Math.min(timeoutMs, 1000)) throw failure;
      await sleep(wait);
    }
  }

  function parseJson(response: RawResponse, host: string): Record<string, unknown> {
    try {
      const value = JSON.parse(response.text);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return value;
    } catch {
      // fall through
    }
    throw new UnavailableError(
      `The Lua platform (${host}) sent an answer this CLI does not understand (HTTP ${response.status}).`,
    );
  }

  function errorCode(response: RawResponse): string | undefined {
    try {
      const code = JSON.parse(response.text)?.error;
      return typeof code === "string" ? code : undefined;
    } catch {
      return undefined;
    }
  }

  function serverMessage(response: RawResponse, bearer: string | undefined): string | undefined {
    try {
      const message = JSON.parse(response.text)?.message;
      if (typeof message !== "string" || message.length >= 300) return undefined;
      // A server that echoes the credential must not put it in our error output.
      return bearer !== undefined && message.includes(bearer) ? undefined : message;
    } catch {
      return undefined;
    }
  }

  /** Maps a non-2xx answer to a typed error; 401 is mapped by the caller. */
  function statusError(response: RawResponse, host: string, bearer?: string): LuaError {
    const message = serverMessage(response, bearer);
    switch (response.status) {
      case 400:
        return new InvalidInputError(message ?? "The platform rejected the request as invalid.");
      case 403:
        return new AuthenticationError(message ?? "Access denied.");
      case 410:
        return new ExpiredError(message ?? "The code has expired.");
      case 429: {
        const raw = response.headers.get("retry-after")?.trim();
        const header = raw ? Number(raw) : NaN;
        return new RateLimitedError(
          Number.isFinite(header) && header >= 0 ? Math.ceil(header) : undefined,
        );
      }
      default:
        return new UnavailableError(
          `The Lua platform (${host}) answered unexpectedly (HTTP ${response.status}).`,
        );
    }
  }

  async function call(
    spec: RequestSpec,
    expected: number,
    on401: (response: RawResponse) => LuaError,
  ): Promise<RawResponse> {
    const host = new URL(spec.url).origin;
    const response = await send(spec);
    if (response.status === expected) return response;
    if (response.status === 401) throw on401(response);
    throw statusError(response, host, spec.bearer);
  }

  function field(response: RawResponse, url: string, name: string): string {
    const host = new URL(url).origin;
    const value = parseJson(response, host)[name];
    if (typeof value !== "string" || value === "") {
      throw new UnavailableError(
        `The Lua platform (${host}) sent an answer this CLI does not understand (no ${name}).`,
      );
    }
    return value;
  }

  return {
    authUrl,
    apiUrl,
    async requestOtp(email) {
      const url = `${authUrl}/otp`;
      const response = await call(
        { method: "POST", url, body: { email, type: "email" }, idempotent: false },
        200,
        () => new AuthenticationError("The platform refused to send a code."),
      );
      parseJson(response, new URL(url).origin);
    },
    async verifyOtp(email, code) {
      const url = `${authUrl}/otp/verify`;
      const response = await call(
        { method: "POST", url, body: { email, pin: code, type: "email" }, idempotent: false },
        200,
        (response) =>
          errorCode(response) === "code_burned"
            ? new BurnedOtpError("This code can no longer be used after 5 wrong tries.")
            : new InvalidOtpError("Invalid OTP code"),
      );
      return field(response, url, "signInToken");
    },
    async createApiKey(signInToken) {
      const url = `${apiUrl}/developer/api-keys`;
      const response = await call(
        { method: "POST", url, bearer: signInToken, idempotent: false },
        201,
        () => new AuthenticationError("The sign-in was rejected; request a new code."),
      );
      return field(response, url, "apiKey");
    },
    async whoami(apiKey) {
      const url = `${apiUrl}/developer/whoami`;
      const response = await call(
        { method: "GET", url, bearer: apiKey, idempotent: true },
        200,
        () => new AuthenticationError("Authentication failed"),
      );
      return {
        email: field(response, url, "email"),
        keyId: field(response, url, "keyId"),
        createdAt: field(response, url, "createdAt"),
      };
    },
    async revokeApiKey(apiKey) {
      const url = `${apiUrl}/developer/api-keys/current`;
      await call(
        { method: "DELETE", url, bearer: apiKey, idempotent: false },
        204,
        () => new AuthenticationError("Authentication failed"),
      );
    },
  };
}
