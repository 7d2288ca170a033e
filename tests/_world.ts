/**
 * A "world" for end-to-end tests: the emulator on a loopback port, a sandbox, the CLI pointed at
 * the emulator, and a log of every request the emulator answered. Any credential sent in a URL
 * fails the test.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "../emulator/server.ts";
import {
  lua,
  type LuaOptions,
  platformEnv,
  type RunResult,
  type Sandbox,
  sandbox,
} from "./_helpers.ts";

/** The emulator, a sandbox, and every request the emulator received. */
export interface World {
  /** The emulator. */
  server: RunningEmulator;
  /** The sandbox the CLI runs in. */
  sb: Sandbox;
  /** `METHOD /path` of each request the emulator answered, control routes excluded. */
  requests: string[];
  /** The emulator's clock, in ms since the epoch; move it to test expiry. */
  clock: { now: number };
  /** Runs the CLI against the emulator. */
  run(args: readonly string[], options?: LuaOptions): Promise<RunResult>;
}

/** What an API key or a sign-in token looks like. */
const SECRET = /(api|sit)_[0-9a-z]/i;

/**
 * Runs `fn` in a fresh world and tears it down.
 *
 * @param fn The test body.
 */
export async function withWorld(fn: (world: World) => Promise<void>): Promise<void> {
  const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
  const server = await startEmulator({ now: () => clock.now });
  const requests: string[] = [];
  const handler = server.emulator.handler;
  const leaks: string[] = [];
  server.emulator.handler = (request) => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/_emulator")) {
      requests.push(`${request.method} ${url.pathname}`);
      // Keys and sign-in tokens travel only in the Authorization header, never in a URL.
      if (SECRET.test(`${url.pathname}${url.search}`)) leaks.push(`${request.method} ${url}`);
    }
    return handler(request);
  };
  const sb = await sandbox();
  const run = (args: readonly string[], options: LuaOptions = {}) =>
    lua(sb, args, {
      ...options,
      env: { ...platformEnv(server.url), ...options.env },
    });
  try {
    await fn({ server, sb, requests, clock, run });
    assert.deepEqual(leaks, [], "a credential was sent in a URL");
  } finally {
    await server.close();
    await sb.cleanup();
  }
}

/** A loopback port that nothing listens on. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Calls a route of the emulator: GET without a body, POST with one.
 *
 * @param server The emulator.
 * @param path The route, with its query.
 * @param body A JSON body.
 * @returns The status and the parsed body (or null).
 */
export async function control(
  server: Pick<RunningEmulator, "url">,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

export { issueKey } from "../testing/issue_key.ts";

/**
 * The emails the emulator sent to an address, oldest first.
 *
 * @param server The emulator.
 * @param email The address.
 * @returns Each email's code.
 */
export async function outbox(
  server: Pick<RunningEmulator, "url">,
  email: string,
): Promise<{ code: string }[]> {
  const { json } = await control(server, `/_emulator/outbox?email=${encodeURIComponent(email)}`);
  return json as { code: string }[];
}

/**
 * Installs a fault on the emulator (`POST /_emulator/faults`).
 *
 * @param server The emulator.
 * @param spec `{path, mode, count?, delayMs?, status?, body?, headers?}`.
 */
export async function fault(
  server: Pick<RunningEmulator, "url">,
  spec: Record<string, unknown>,
): Promise<void> {
  const { status } = await control(server, "/_emulator/faults", spec);
  assert.equal(status, 204, JSON.stringify(spec));
}

/**
 * What the platform says of a key (`GET /admin/me/authorization`): 200 for a key it accepts.
 *
 * @param server The emulator.
 * @param apiKey The key.
 * @returns The status, and the principal when accepted.
 */
export async function authorization(
  server: Pick<RunningEmulator, "url">,
  apiKey: string,
): Promise<{ status: number; subjectType?: string; subjectId?: string }> {
  const response = await fetch(`${server.url}/admin/me/authorization`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const body = await response.json() as {
    authorizationPrincipal?: { subjectType: string; subjectId: string };
  };
  const principal = body.authorizationPrincipal;
  return principal === undefined
    ? { status: response.status }
    : { status: response.status, ...principal };
}

/**
 * The telemetry captures the emulator recorded, oldest first.
 *
 * @param server The emulator.
 * @returns The captures.
 */
export async function captures(
  server: Pick<RunningEmulator, "url">,
): Promise<Record<string, unknown>[]> {
  const { json } = await control(server, "/_emulator/telemetry");
  return json as Record<string, unknown>[];
}
