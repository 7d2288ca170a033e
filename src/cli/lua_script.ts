/**
 * `lua hello.lua` or `lua -e 'print(1)'`: a Lua script, or an option of the Lua interpreter,
 * given to this CLI, which shares its name with the interpreter. Told apart from a mistyped
 * command or option, and answered with what is going on.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import type { CliContext } from "./cli_context.ts";

/** A name safe to quote back: a plain relative or absolute path, not too long. */
const PLAIN_PATH = /^[\w./-]{1,120}$/;

/**
 * Whether an argument that names no command looks like a Lua script: it ends in `.lua`, or it is
 * the path of an existing file.
 *
 * @param cli Where to look for the file.
 * @param arg The first argument.
 * @returns True when it looks like a script.
 */
export async function looksLikeScript(cli: CliContext, arg: string): Promise<boolean> {
  if (arg.startsWith("-")) return false;
  if (/\.lua$/i.test(arg)) return true;
  if (arg.length > 4096 || arg.includes("\0")) return false;
  try {
    const path = arg.startsWith("/") ? arg : `${cli.cwd()}/${arg}`;
    return (await cli.fs.stat(path)).isFile;
  } catch {
    // Absent, unreadable, or no --allow-read: not something to say more about.
    return false;
  }
}

/**
 * The error for a Lua script given to this CLI: exit 2, saying what this program is.
 *
 * @example
 * ```ts
 * import { scriptError } from "./lua_script.ts";
 * import assert from "node:assert/strict";
 * const error = scriptError({ programName: "lua" }, "hello.lua");
 * assert.equal(error.exitCode, 2);
 * assert.match(error.message, /"hello.lua": lua here is the Lua platform CLI, not the Lua interpreter/);
 * ```
 *
 * @param cli The program's name.
 * @param arg The script's name.
 * @returns The error.
 */
export function scriptError(cli: Pick<CliContext, "programName">, arg: string): UsageError {
  return notTheInterpreter(cli, PLAIN_PATH.test(arg) ? `"${arg}"` : "the script");
}

/** The Lua interpreter's own options, which this CLI does not have: `-e stat`, `-l mod` or
 * `-lmod`, `-i`, `-E`, `-W`, and `-` (run standard input). */
const INTERPRETER_OPTION = /^-(?:[eiEW]|l.*)?$/;

/**
 * The error for a command line that starts with one of the Lua interpreter's options
 * (`lua -e 'print(1)'`), or `undefined` for any other option: exit 2, saying what this program
 * is, instead of "unknown option". Only the option's letter is echoed.
 *
 * @example
 * ```ts
 * import { interpreterOptionError } from "./lua_script.ts";
 * import assert from "node:assert/strict";
 * const error = interpreterOptionError({ programName: "lua" }, "-lsocket");
 * assert.match(error?.message ?? "", /option -l: lua here is the Lua platform CLI/);
 * assert.equal(interpreterOptionError({ programName: "lua" }, "--frobnicate"), undefined);
 * ```
 *
 * @param cli The program's name.
 * @param arg The first argument.
 * @returns The error, or `undefined`.
 */
export function interpreterOptionError(
  cli: Pick<CliContext, "programName">,
  arg: string,
): UsageError | undefined {
  if (!INTERPRETER_OPTION.test(arg)) return undefined;
  return notTheInterpreter(cli, `the Lua interpreter's option ${arg.slice(0, 2)}`);
}

function notTheInterpreter(cli: Pick<CliContext, "programName">, what: string): UsageError {
  const self = cli.programName;
  return new UsageError(
    `Cannot run ${what}: ${self} here is the Lua platform CLI, not the Lua interpreter`,
    {
      hints: [
        "To run a Lua script, use the Lua interpreter: the `lua` you meant may be later on your " +
        "PATH (see: which -a lua), or call it by its full path",
        ...(self === "lua" ? ["Installed from npm, this CLI is also lua-ai"] : []),
        "Run: lua --help",
      ],
    },
  );
}
