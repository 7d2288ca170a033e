/**
 * What a command run gets: the library's {@linkcode Context} plus the terminal, and the
 * shared ways to print warnings and reach the platform.
 *
 * @module
 */

import type { ClientOptions, LuaClient } from "../client.ts";
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import type { Io } from "./io.ts";

/** The context of one command run. */
export interface CliContext extends Context {
  /** The terminal. */
  readonly io: Io;
  /** Timeouts and retries for the platform client (tests shorten them). */
  readonly clientOptions?: ClientOptions;
  /**
   * The name the program was invoked as (`lua`, or `lua-ai` from npm): help, hints and examples
   * say it.
   */
  readonly programName: string;
  /**
   * True when the command line has `--json`: one JSON object on stdout, errors included, no
   * prompt, no progress, and no informational message on stderr (warnings stay).
   */
  readonly json?: boolean;
}

/**
 * The program name to show, from the name a launcher was run as: its base name when it is a
 * plain word, `lua` otherwise.
 *
 * @example
 * ```ts
 * import { safeProgramName } from "./cli_context.ts";
 * import assert from "node:assert/strict";
 * assert.equal(safeProgramName("lua-ai"), "lua-ai");
 * assert.equal(safeProgramName("/usr/local/bin/lua-ai"), "lua-ai");
 * assert.equal(safeProgramName("\x1b[2Jevil"), "lua");
 * ```
 *
 * @param name A command name or path.
 * @returns A name safe to print.
 */
export function safeProgramName(name: string | undefined): string {
  const base = name?.split(/[\\/]/).at(-1)?.replace(/\.(?:c?js|mjs|cmd|exe)$/, "");
  return base && /^[a-zA-Z][\w.-]{0,39}$/.test(base) ? base : "lua";
}

/**
 * The platform client, loaded only by the commands that talk to the platform.
 *
 * @param cli The command run.
 * @returns A client using `LUA_AUTH_URL` and `LUA_API_URL`.
 */
export async function platformClient(cli: CliContext): Promise<LuaClient> {
  const [{ createClient }, { envWithDotenvSettings }] = await Promise.all([
    import("../client.ts"),
    import("../dotenv.ts"),
  ]);
  // LUA_AUTH_URL and LUA_API_URL may also be set in .env, as for the platform's own CLI.
  const env = await envWithDotenvSettings(cli, ["LUA_AUTH_URL", "LUA_API_URL"]);
  return createClient({ ...cli, env }, cli.clientOptions ?? timeoutFromEnv(cli));
}

/**
 * Reads `LUA_HTTP_TIMEOUT`: seconds allowed for one request (default 10). A whole command is
 * then bounded by 2.8 times that (28 s by default), retries included.
 *
 * @param ctx Where to read the environment.
 * @returns Client options; empty when the variable is unset.
 * @throws {UsageError} When it is not a number of seconds from 0.1 to 300.
 */
export function timeoutFromEnv(ctx: Pick<Context, "env">): ClientOptions {
  const raw = ctx.env("LUA_HTTP_TIMEOUT")?.trim();
  if (!raw) return {};
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 300) {
    throw new UsageError(
      `LUA_HTTP_TIMEOUT must be a number of seconds from 0.1 to 300, not "${raw}"`,
    );
  }
  const timeoutMs = Math.round(seconds * 1000);
  return { timeoutMs, deadlineMs: Math.round(timeoutMs * 2.8) };
}
