/**
 * The one place that turns errors into messages and exit codes.
 *
 * @module
 */

import { ExitCode, type ExitCodeValue, LuaError, permissionErrorFrom } from "../errors.ts";
import { type CliContext, programText } from "./cli_context.ts";
import { styles } from "./io.ts";

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

/**
 * Prints an error the way every command does, `Error: <message>` and its hints on stderr, and
 * returns its exit code: the only writer of `Error:`. A {@linkcode SilentError} prints nothing.
 * An error that is not a {@linkcode LuaError} is a bug: exit 1, and a stack trace only with
 * `LUA_DEBUG` set.
 *
 * @param cli The command run.
 * @param error The error.
 * @returns Its exit code.
 */
export function reportError(cli: CliContext, error: unknown): number {
  const s = styles(cli.io.color);
  const converted = permissionErrorFrom(error);
  if (converted instanceof SilentError) return converted.exitCode;
  if (converted instanceof LuaError) {
    cli.io.err(`${s.red("Error:")} ${programText(cli, converted.message)}\n`);
    for (const hint of converted.hints) cli.io.err(`  ${s.dim(programText(cli, hint))}\n`);
    return converted.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  cli.io.err(`${s.red("Error:")} unexpected error: ${message}\n`);
  cli.io.err(`  ${s.dim("This is a bug in the Lua CLI; please report it.")}\n`);
  let debug: string | undefined;
  try {
    debug = cli.env("LUA_DEBUG");
  } catch {
    debug = undefined;
  }
  if (debug && error instanceof Error && error.stack) cli.io.err(`${error.stack}\n`);
  return ExitCode.Error;
}
