/**
 * The one place that turns errors into messages and exit codes.
 *
 * @module
 */

import {
  ExitCode,
  type ExitCodeValue,
  InterruptedError,
  LuaError,
  permissionErrorFrom,
} from "../errors.ts";
import { errorCode, JSON_SCHEMA_VERSION, type JsonError } from "../json.ts";
import { type CliContext, programText } from "./cli_context.ts";
import { styles } from "./io.ts";
import { hintsOf } from "./network_hint.ts";

/** What Ctrl-C prints: a plain line, not an error. */
export const CANCELLED = "Cancelled.";

/**
 * A failure already reported on stdout (as `status` does): {@linkcode reportError} prints
 * nothing more and returns its code, like gh's `SilentError`.
 */
export class SilentError extends LuaError {
  /**
   * Creates the failure.
   *
   * @param exitCode The exit code.
   */
  constructor(exitCode: number) {
    super("", exitCode as ExitCodeValue);
    this.name = "SilentError";
  }
}

const BUG_HINT = "This is a bug in the Lua CLI; please report it.";

/**
 * Prints an error the way every command does and returns its exit code: `Error: <message>` and
 * its hints on stderr (the only writer of `Error:`), `Cancelled.` alone for Ctrl-C, or, with
 * `--json`, one {@linkcode JsonError} object on stdout. A {@linkcode SilentError} prints nothing.
 * An error that is not a {@linkcode LuaError} is a bug: exit 1, and a stack trace only with
 * `LUA_DEBUG` set.
 *
 * @param cli The command run.
 * @param error The error.
 * @returns Its exit code.
 */
export function reportError(cli: CliContext, error: unknown): number {
  const converted = permissionErrorFrom(error);
  if (converted instanceof SilentError) return converted.exitCode;
  const known = converted instanceof LuaError ? converted : undefined;
  const message = known
    ? programText(cli, known.message)
    : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  const hints = known ? hintsOf(known).map((hint) => programText(cli, hint)) : [BUG_HINT];
  if (cli.json) {
    const report: JsonError = {
      schemaVersion: JSON_SCHEMA_VERSION,
      error: { code: errorCode(converted), message, hints },
    };
    cli.io.json(report);
  } else if (converted instanceof InterruptedError) {
    cli.io.err(`${CANCELLED}\n`);
  } else {
    const s = styles(cli.io.color);
    cli.io.err(`${s.red("Error:")} ${message}\n`);
    for (const hint of hints) cli.io.err(`  ${s.dim(hint)}\n`);
  }
  if (known) return known.exitCode;
  let debug: string | undefined;
  try {
    debug = cli.env("LUA_DEBUG");
  } catch {
    debug = undefined;
  }
  if (debug && error instanceof Error && error.stack) cli.io.err(`${error.stack}\n`);
  return ExitCode.Error;
}
