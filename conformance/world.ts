/**
 * A conformance "world": our emulator on a loopback port with a log of what it answered, one
 * temporary HOME shared by both CLIs, the real client and ours pointed at the emulator, and the
 * control routes the assertions read (outbox, key minting, telemetry captures).
 *
 * ```ts ignore
 * import { withConformanceWorld } from "./world.ts";
 *
 * await withConformanceWorld(entry, async (world) => {
 *   const key = await world.mintKey("legacy");
 *   const stored = await world.real(["auth", "configure", "--api-key", key]);
 *   const shown = await world.ours(["auth", "key", "--force"]);
 * });
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../emulator/server.ts";
import { lua, platformEnv, type RunResult, type Sandbox, sandbox } from "../tests/_helpers.ts";
import { control, issueKey } from "../tests/_world.ts";
import { TYPED_API_KEY } from "../src/validate.ts";
import { realLua, type RealLuaOptions, type RealRunResult } from "./real_lua.ts";

/** One request the emulator answered (control routes excluded). */
export interface Exchange {
  /** The method. */
  method: string;
  /** The path, without the query. */
  path: string;
  /** The status it answered. */
  status: number;
  /** Whether a JSON answer carried a non-empty string `signInToken` (bare or under `data`). */
  signInToken: boolean;
}

/** Options of {@linkcode ConformanceWorld.ours}. */
export interface OursOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Leave telemetry to its own setting (default: `LUA_TELEMETRY=false`). */
  telemetry?: boolean;
}

/** The emulator, the shared sandbox, and both CLIs. */
export interface ConformanceWorld {
  /** The emulator. */
  server: RunningEmulator;
  /** The sandbox both CLIs run in (same HOME, same working directory). */
  sb: Sandbox;
  /** What the emulator answered, oldest first. */
  exchanges: Exchange[];
  /** Runs the real client against the emulator. */
  real(args: readonly string[], options?: RealLuaOptions): Promise<RealRunResult>;
  /** Runs our CLI against the emulator, with the documented permissions. */
  ours(args: readonly string[], options?: OursOptions): Promise<RunResult>;
  /**
   * Mints a key as the admin dashboard would (`POST /_emulator/api-keys`), and checks that it
   * has the shape of its kind.
   */
  mintKey(kind: "legacy" | "typed", email?: string): Promise<string>;
  /** The codes sent to an address, oldest first (`GET /_emulator/outbox`). */
  codes(email: string): Promise<string[]>;
  /** Every telemetry capture the emulator recorded (`GET /_emulator/telemetry`). */
  captures(): Promise<unknown[]>;
  /** `~/.lua-cli/credentials`, or undefined when there is none. */
  credentials(): Promise<string | undefined>;
  /** `~/.lua-cli/telemetry.json` parsed, or undefined when there is none. */
  telemetryFile(): Promise<unknown>;
}

/** Whether a JSON answer carries a sign-in token, bare or wrapped as `{success, data}`. */
async function carriesSignInToken(response: Response): Promise<boolean> {
  if (!(response.headers.get("content-type") ?? "").includes("json")) return false;
  try {
    const body = await response.clone().json();
    const token = body?.signInToken ?? body?.data?.signInToken;
    return typeof token === "string" && token !== "";
  } catch {
    return false;
  }
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Runs `fn` in a fresh world and tears it down.
 *
 * @param entry The real client's entry script.
 * @param fn The test body.
 */
export async function withConformanceWorld(
  entry: string,
  fn: (world: ConformanceWorld) => Promise<void>,
): Promise<void> {
  const server = await startEmulator();
  const exchanges: Exchange[] = [];
  const handler = server.emulator.handler;
  server.emulator.handler = async (request) => {
    const url = new URL(request.url);
    const response = await handler(request);
    if (!url.pathname.startsWith("/_emulator")) {
      exchanges.push({
        method: request.method,
        path: url.pathname,
        status: response.status,
        signInToken: await carriesSignInToken(response),
      });
    }
    return response;
  };
  const sb = await sandbox();
  const urls = platformEnv(server.url);
  const world: ConformanceWorld = {
    server,
    sb,
    exchanges,
    real: (args, options = {}) =>
      realLua(entry, sb, args, { ...options, env: { ...urls, ...options.env } }),
    ours: (args, options = {}) =>
      lua(sb, args, {
        env: {
          ...urls,
          ...(options.telemetry ? { LUA_TELEMETRY: undefined } : {}),
          ...options.env,
        },
      }),
    async mintKey(kind, email = "a@example.com"): Promise<string> {
      const apiKey = await issueKey(server, email, kind);
      // The real client tells the kinds apart by this shape alone (its TYPED_API_KEY, as ours).
      if (kind === "typed") assert.match(apiKey, TYPED_API_KEY, "a typed key");
      else assert.doesNotMatch(apiKey, TYPED_API_KEY, "a legacy key");
      return apiKey;
    },
    async codes(email): Promise<string[]> {
      const { status, json } = await control(
        server,
        `/_emulator/outbox?email=${encodeURIComponent(email)}`,
      );
      assert.equal(status, 200);
      return (json as { to: string; code: string }[])
        .filter((entry) => entry.to === email.toLowerCase())
        .map((entry) => entry.code);
    },
    async captures(): Promise<unknown[]> {
      const { status, json } = await control(server, "/_emulator/telemetry");
      assert.equal(status, 200);
      assert.ok(Array.isArray(json), "GET /_emulator/telemetry answers a list");
      return json;
    },
    credentials: () => readOrUndefined(sb.credentials),
    async telemetryFile(): Promise<unknown> {
      const text = await readOrUndefined(join(sb.home, ".lua-cli", "telemetry.json"));
      return text === undefined ? undefined : JSON.parse(text);
    },
  };
  try {
    await fn(world);
  } finally {
    await server.close();
    await sb.cleanup();
  }
}
