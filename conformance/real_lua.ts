/**
 * Runs the real Lua CLI on Node.js, the way the conformance check needs it: a cleared
 * environment with the sandbox's HOME and working directory, the loopback-only preload
 * (`loopback_only.mjs`), no prompts, no colour, and its own telemetry off unless asked for.
 *
 * ```ts ignore
 * import { realLua } from "./real_lua.ts";
 *
 * const result = await realLua(entry, sb, ["auth", "key", "--force"], {
 *   env: { LUA_API_URL: url, LUA_AUTH_URL: url },
 * });
 * console.log(result.code, result.refused);
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Sandbox } from "../tests/_helpers.ts";
import { run } from "../testing/process.ts";

/** The preload that refuses every connection not to 127.0.0.1. */
export const LOOPBACK_ONLY_URL: string = new URL("./loopback_only.mjs", import.meta.url).href;
/** Its path. */
export const LOOPBACK_ONLY: string = fileURLToPath(LOOPBACK_ONLY_URL);

/** Options of {@linkcode realLua}. */
export interface RealLuaOptions {
  /** Extra environment variables (the environment is otherwise cleared). */
  env?: Record<string, string>;
  /** Leave the real client's telemetry to its own setting (default: `LUA_TELEMETRY=false`). */
  telemetry?: boolean;
  /** Kills the client after this many ms (default 90 s). */
  timeoutMs?: number;
}

/** The outcome of a real-client run. */
export interface RealRunResult {
  /** Exit code. */
  code: number;
  /** Everything on stdout. */
  stdout: string;
  /** Everything on stderr. */
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  ms: number;
  /**
   * Each connection the preload refused, as `via host:port` (`fetch registry.npmjs.org:443`,
   * `net identitytoolkit.googleapis.com:443`, `dns example.com`), in order.
   */
  refused: string[];
}

/**
 * The environment of a real-client run: what it needs to run unattended and nothing of ours.
 * `CI=1` (its CI detection), `NO_COLOR=1`, `LUA_NO_BANNER=1`, `LUA_TELEMETRY=false` unless
 * `telemetry`, the preload in `NODE_OPTIONS` (so any Node child inherits it), and the log of
 * refused connections.
 *
 * @param sb The sandbox.
 * @param refusedLog Where the preload records refused connections.
 * @param options Extra variables and the telemetry switch.
 * @returns The whole environment.
 */
export function realLuaEnv(
  sb: Sandbox,
  refusedLog: string,
  options: RealLuaOptions = {},
): Record<string, string> {
  return {
    HOME: sb.home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    CI: "1",
    NO_COLOR: "1",
    LUA_NO_BANNER: "1",
    ...(options.telemetry ? {} : { LUA_TELEMETRY: "false" }),
    NODE_OPTIONS: `--import=${LOOPBACK_ONLY_URL}`,
    LUA_CONFORMANCE_REFUSED_LOG: refusedLog,
    ...options.env,
  };
}

async function readRefused(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const { via, target } = JSON.parse(line) as { via: string; target: string };
    return `${via} ${target}`;
  });
}

/**
 * Runs `node --import loopback_only.mjs <entry> …args` in the sandbox, stdin empty (not a
 * terminal).
 *
 * @param entry The real client's entry script.
 * @param sb The sandbox: its HOME and working directory.
 * @param args The CLI arguments.
 * @param options Environment, telemetry, time limit.
 * @returns Exit code, output, wall time and the refused connections.
 * @throws {Error} When the client is still running after the time limit (it is killed).
 */
export async function realLua(
  entry: string,
  sb: Sandbox,
  args: readonly string[],
  options: RealLuaOptions = {},
): Promise<RealRunResult> {
  const refusedLog = join(sb.dir, `refused-${crypto.randomUUID()}.jsonl`);
  const timeoutMs = options.timeoutMs ?? 90_000;
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const output = await run("node", ["--import", LOOPBACK_ONLY_URL, entry, ...args], {
    cwd: sb.cwd,
    clearEnv: true,
    env: realLuaEnv(sb, refusedLog, options),
    signal,
  });
  if (signal.aborted) {
    throw new Error(`The real client ran longer than ${timeoutMs} ms: lua ${args.join(" ")}`);
  }
  const refused = await readRefused(refusedLog);
  await Deno.remove(refusedLog).catch(() => {});
  return { ...output, ms: performance.now() - started, refused };
}
