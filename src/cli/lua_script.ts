/**
 * `lua hello.lua`: a Lua script given to this CLI, which shares its name with the Lua
 * interpreter. Told apart from a mistyped command, and answered with what is going on.
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
  const name = PLAIN_PATH.test(arg) ? `"${arg}"` : "the script";
  const self = cli.programName;
  return new UsageError(
    `Cannot run ${name}: ${self} here is the Lua platform CLI, not the Lua interpreter`,
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
