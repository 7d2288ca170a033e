/**
 * The emulator of the Lua platform's auth API as a plain
 * `(Request) => Promise<Response>` handler, with its state in memory.
 *
 * ```ts
 * import { createEmulator } from "./handler.ts";
 *
 * const emulator = createEmulator();
 * const response = await emulator.handler(
 *   new Request("http://emulator/otp", {
 *     method: "POST",
 *     body: JSON.stringify({ email: "ada@example.com", type: "email" }),
 *   }),
 * );
 * console.log(response.status, emulator.outbox()[0]?.code);
 * ```
 *
 * The protocol is written down in `docs/protocol.md`.
 *
 * @module
 */

import { normalizeEmail } from "./email.ts";
import { type Fault, FaultQueue, isControlPath, parseFaultSpec } from "./faults.ts";
import {
  bearerToken,
  emptyResponse,
  errorResponse,
  jsonResponse,
  readJson,
  readJsonObject,
} from "./http.ts";
import { PendingRequests, type WaitOutcome } from "./pending.ts";
import { cryptoRandomBytes } from "./crypto.ts";
import { authorizationProjection, resourcePage } from "./projection.ts";
import { type Authenticated, AuthStore, type OutboxEntry, type StoredKey } from "./store.ts";

export type { OutboxEntry, StoredKey } from "./store.ts";

/** Options of {@linkcode createEmulator}. */
export interface EmulatorOptions {
  /** Clock, in milliseconds since the epoch; drives every time rule. Default `Date.now`. */
  now?: () => number;
  /** Receives one `[outbox] to=<email> code=<code>` line per sent email. Default: silent. */
  log?: (line: string) => void;
  /** Source of random bytes. Default: Web Crypto. */
  randomBytes?: (n: number) => Uint8Array;
}

/** A running emulator: its request handler and test accessors. */
export interface Emulator {
  /** Answers one request; never rejects. */
  handler: (request: Request) => Promise<Response>;
  /** Forgets all state and faults, and releases held requests. */
  reset(): void;
  /** The sent emails, oldest first. */
  outbox(): OutboxEntry[];
  /** The recorded telemetry events, oldest first. */
  telemetry(): unknown[];
  /** Debug view of the key store: hashes and metadata, never plaintext keys. */
  keys(): StoredKey[];
  /** How many requests are currently held by `hang` or `delay` faults. */
  pending(): number;
  /**
   * Releases every request held by a `hang` or `delay` fault (they answer 503
   * `request_released`), keeping all other state.
   *
   * @returns How many requests were released.
   */
  releasePending(): number;
}

type Route = (request: Request, url: URL) => Promise<Response> | Response;

const UNAUTHORIZED_HEADERS = { "www-authenticate": "Bearer" };

function invalidRequest(message: string): Response {
  return errorResponse(400, "invalid_request", message);
}

function invalidEmail(): Response {
  return errorResponse(400, "invalid_email", "That is not a valid email address.");
}

/** Reads the `email` field: a Response on failure, the lowercased address otherwise. */
function emailField(body: Record<string, unknown>): string | Response {
  if (typeof body.email !== "string") return invalidRequest('"email" must be a string.');
  return normalizeEmail(body.email) ?? invalidEmail();
}

function releasedResponse(outcome: WaitOutcome): Response {
  return outcome === "aborted"
    ? errorResponse(503, "request_aborted", "The client went away while the request was held.")
    : errorResponse(
      503,
      "request_released",
      "The emulator was reset or closed while the request was held.",
    );
}

const RESOURCES_PATH = /^\/admin\/me\/authorization\/orgs\/([^/]+)\/resources$/;

/** The most an `endless` fault sends before it stops by itself: 64 MiB. */
const ENDLESS_LIMIT_BYTES = 64 * 1024 * 1024;

/** A body that keeps sending JSON-looking bytes until the client goes away (or 64 MiB). */
function endlessBody(signal: AbortSignal): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(`"${"x".repeat(64 * 1024 - 2)}"`);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (signal.aborted || sent >= ENDLESS_LIMIT_BYTES) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

const HTML_502 = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>" +
  "<body><h1>502 Bad Gateway</h1><p>upstream unavailable</p></body></html>\n";

/**
 * Creates an emulator with empty in-memory state.
 *
 * @param options Clock, outbox logger and random source.
 * @returns The emulator.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((_line: string): void => {});
  const store = new AuthStore({ now, randomBytes: options.randomBytes ?? cryptoRandomBytes });
  const faults = new FaultQueue();
  const held = new PendingRequests();

  async function requestCode(request: Request): Promise<Response> {
    const body = await readJsonObject(request);
    if (body === undefined) return invalidRequest("Body must be a JSON object.");
    if (body.type !== "email") return invalidRequest('"type" must be "email".');
    const email = emailField(body);
    if (email instanceof Response) return email;
    const result = store.sendCode(email);
    if (!result.ok) {
      const seconds = result.retryAfterSeconds;
      return errorResponse(
        429,
        "rate_limited",
        `A code was sent to this address less than 30 seconds ago; retry in ${seconds} s.`,
        { retryAfter: seconds },
        { "retry-after": String(seconds) },
      );
    }
    log(`[outbox] to=${result.entry.to} code=${result.entry.code}`);
    return jsonResponse(200, { ok: true });
  }

  async function verifyCode(request: Request): Promise<Response> {
    const body = await readJsonObject(request);
    if (body === undefined) return invalidRequest("Body must be a JSON object.");
    if (body.type !== "email") return invalidRequest('"type" must be "email".');
    const email = emailField(body);
    if (email instanceof Response) return email;
    if (typeof body.pin !== "string") return invalidRequest('"pin" must be a string.');
    const result = store.verifyCode(email, body.pin);
    if (result.ok) return jsonResponse(200, { signInToken: result.signInToken });
    switch (result.reason) {
      case "code_burned":
        return errorResponse(
          401,
          "code_burned",
          "Too many wrong codes: this code no longer works. Request a new code.",
        );
      case "expired_code":
        return errorResponse(410, "expired_code", "This code has expired. Request a new code.");
      case "invalid_code":
        return errorResponse(
          401,
          "invalid_code",
          "That code is not valid for this address.",
          result.attemptsRemaining === undefined
            ? undefined
            : { attemptsRemaining: result.attemptsRemaining },
        );
    }
  }

  async function createKeyWithToken(request: Request): Promise<Response> {
    const token = bearerToken(request);
    const result = token === undefined ? undefined : await store.redeemSignInToken(token);
    if (result === undefined || !result.ok) {
      const message = result?.reason === "expired_token"
        ? "The sign-in token has expired. Sign in again."
        : "Invalid token.";
      return errorResponse(401, "invalid_token", message, undefined, UNAUTHORIZED_HEADERS);
    }
    return jsonResponse(200, {
      message: "API key created successfully",
      userId: result.key.userId,
      apiKey: result.apiKey,
      apiId: result.key.keyId,
    });
  }

  function invalidApiKey(): Response {
    return errorResponse(401, "Unauthorized", "Invalid API key.", undefined, UNAUTHORIZED_HEADERS);
  }

  /** The key a request presents, or `undefined` when missing, unknown or revoked. */
  async function presented(request: Request): Promise<Authenticated | undefined> {
    const apiKey = bearerToken(request);
    return apiKey === undefined ? undefined : await store.authenticate(apiKey);
  }

  async function authorization(request: Request): Promise<Response> {
    const who = await presented(request);
    if (who === undefined) return invalidApiKey();
    return jsonResponse(200, authorizationProjection(who, new Date(now()).toISOString()));
  }

  async function identityContext(request: Request): Promise<Response> {
    const who = await presented(request);
    if (who === undefined) return invalidApiKey();
    return jsonResponse(200, { email: who.account.email, fullName: who.account.fullName });
  }

  async function resources(request: Request, url: URL): Promise<Response> {
    const who = await presented(request);
    if (who === undefined) return invalidApiKey();
    const orgId = decodeURIComponent(RESOURCES_PATH.exec(url.pathname)?.[1] ?? "");
    const page = resourcePage(who, orgId, new Date(now()).toISOString());
    if (page === undefined) {
      return errorResponse(403, "RESOURCE_NOT_PROJECTED", "No access to this organization.");
    }
    return jsonResponse(200, page);
  }

  /** PostHog's capture API: single events (`/i/v0/e/`, `/capture/`) and batches (`/batch/`). */
  async function capture(request: Request): Promise<Response> {
    const body = await readJsonObject(request);
    if (body === undefined) return invalidRequest("Body must be a JSON object.");
    const apiKey = body.api_key ?? body.token;
    if (typeof apiKey !== "string" || apiKey === "") {
      return errorResponse(401, "invalid_api_key", "API key is missing.");
    }
    const events = Array.isArray(body.batch) ? body.batch : [body];
    for (const event of events) store.recordTelemetry({ api_key: apiKey, ...event });
    return jsonResponse(200, { status: 1 });
  }

  function listOutbox(_request: Request, url: URL): Response {
    const email = url.searchParams.get("email");
    return jsonResponse(200, store.outbox(email === null ? undefined : email.toLowerCase()));
  }

  async function adminCreateKey(request: Request): Promise<Response> {
    const body = await readJsonObject(request);
    if (body === undefined) return invalidRequest("Body must be a JSON object.");
    const email = emailField(body);
    if (email instanceof Response) return email;
    const kind = body.kind ?? "legacy";
    if (kind !== "legacy" && kind !== "typed") {
      return invalidRequest('"kind" must be "typed" or "legacy".');
    }
    const created = await store.createApiKey(email, kind);
    return jsonResponse(201, { apiKey: created.apiKey });
  }

  async function adminRevoke(request: Request): Promise<Response> {
    const body = await readJsonObject(request);
    if (body === undefined) return invalidRequest("Body must be a JSON object.");
    if (typeof body.apiKey !== "string") return invalidRequest('"apiKey" must be a string.');
    const result = await store.revokeKey(body.apiKey);
    if (result === "unknown") return errorResponse(404, "unknown_api_key", "No such API key.");
    return emptyResponse(204);
  }

  function listTelemetry(): Response {
    return jsonResponse(200, store.telemetry());
  }

  async function addFault(request: Request): Promise<Response> {
    const body = await readJson(request);
    if (!body.ok) return invalidRequest("Body must be JSON.");
    const parsed = parseFaultSpec(body.value);
    if (!parsed.ok) return invalidRequest(parsed.message);
    faults.add(parsed.spec);
    return emptyResponse(204);
  }

  function reset(): void {
    store.reset();
    faults.clear();
    held.releaseAll();
  }

  function resetRoute(): Response {
    reset();
    return emptyResponse(204);
  }

  const routes = new Map<string, Map<string, Route>>([
    ["/otp", new Map([["POST", requestCode]])],
    ["/otp/verify", new Map([["POST", verifyCode]])],
    ["/profile/apiKey", new Map([["POST", createKeyWithToken]])],
    ["/admin/me/authorization", new Map([["GET", authorization]])],
    ["/admin/me/authorization/context", new Map([["GET", identityContext]])],
    ["/i/v0/e/", new Map([["POST", capture]])],
    ["/capture/", new Map([["POST", capture]])],
    ["/batch/", new Map([["POST", capture]])],
    ["/_emulator/outbox", new Map([["GET", listOutbox]])],
    ["/_emulator/api-keys", new Map([["POST", adminCreateKey]])],
    ["/_emulator/revoke", new Map([["POST", adminRevoke]])],
    ["/_emulator/telemetry", new Map([["GET", listTelemetry]])],
    ["/_emulator/faults", new Map([["POST", addFault]])],
    ["/_emulator/reset", new Map([["POST", resetRoute]])],
  ]);

  /** Routes whose path has a parameter: a pattern and its methods. */
  const patternRoutes: [RegExp, Map<string, Route>][] = [
    [RESOURCES_PATH, new Map([["GET", resources]])],
  ];

  /** Applies a fault: a Response to send, or `undefined` to answer normally. */
  async function applyFault(
    fault: Fault,
    request: Request,
    url: URL,
  ): Promise<Response | undefined> {
    switch (fault.mode) {
      case "500":
        return errorResponse(500, "internal_error", "Injected fault: internal server error.");
      case "html502":
        return new Response(HTML_502, { status: 502, headers: { "content-type": "text/html" } });
      case "not-json":
        return new Response("<html>oops", {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      case "hang":
        return releasedResponse(await held.wait(request.signal));
      case "delay": {
        const outcome = await held.wait(request.signal, fault.delayMs);
        return outcome === "elapsed" ? undefined : releasedResponse(outcome);
      }
      case "wrapped": {
        const answer = await route(request, url);
        if (!answer.ok) return answer;
        const data = await answer.json();
        return jsonResponse(answer.status, { success: true, data });
      }
      case "redirect": {
        const location = fault.headers?.location ?? `http://elsewhere.invalid${url.pathname}`;
        return new Response(null, { status: fault.status ?? 307, headers: { location } });
      }
      case "endless":
        return new Response(endlessBody(request.signal), {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      case "respond": {
        const text = typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body ?? {});
        const headers = new Headers({ "content-type": "application/json", ...fault.headers });
        return new Response(text, { status: fault.status ?? 200, headers });
      }
    }
  }

  async function route(request: Request, url: URL): Promise<Response> {
    const path = url.pathname;
    const methods = routes.get(path) ??
      patternRoutes.find(([pattern]) => pattern.test(path))?.[1];
    if (methods === undefined) return errorResponse(404, "not_found", `No route ${path}.`);
    const handle = methods.get(request.method);
    if (handle === undefined) {
      return errorResponse(
        405,
        "method_not_allowed",
        `${request.method} is not allowed on ${path}.`,
        undefined,
        { allow: [...methods.keys()].join(", ") },
      );
    }
    return await handle(request, url);
  }

  async function handler(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      // Synchronous up to the fault's hold, so a hang is registered before this returns.
      const fault = isControlPath(url.pathname) ? undefined : faults.take(url.pathname);
      if (fault !== undefined) {
        const response = await applyFault(fault, request, url);
        if (response !== undefined) return response;
      }
      return await route(request, url);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return errorResponse(500, "internal_error", `Emulator error: ${detail}`);
    }
  }

  return {
    handler,
    reset,
    outbox: () => store.outbox(),
    telemetry: () => store.telemetry(),
    keys: () => store.keys(),
    pending: () => held.size,
    releasePending: () => held.releaseAll(),
  };
}
