/**
 * Running one command line: parse it against the command table, then print the help or the
 * version, or run the command. This is the one place that turns errors into messages and
 * exit codes ({@linkcode reportError}).
 *
 * @module
 */

import {
  AuthenticationError,
  ExitCode,
  InterruptedError,
  LuaError,
  permissionErrorFrom,
  SilentError,
} from "../errors.ts";
import { errorCode, JSON_SCHEMA_VERSION, type JsonError } from "../json.ts";
import { type Io, programText, styles } from "./io.ts";
import { hintsOf } from "./network_hint.ts";
import { VERSION } from "../version.ts";
import type { CliContext } from "./cli_context.ts";
import { PROGRAM } from "./commands.ts";
import type { GroupSpec } from "./command.ts";
import { parseLine } from "./parse.ts";

/** What a run did, for telemetry: the command path, its mode, and its exit code. */
export interface RunRecord {
  /** The command path, e.g. `auth configure`, or `""` when none ran. */
  command: string;
  /** The mode of `configure`, when it ran. */
  mode?: string;
  /** The exit code. */
  exitCode: number;
}

/**
 * Runs a command line and maps every outcome to an exit code. Never throws and never exits the
 * process.
 *
 * @example
 * ```ts
 * import { runCli } from "./run.ts";
 * import { createMemoryCli } from "../../testing/memory_io.ts";
 * import assert from "node:assert/strict";
 * const cli = createMemoryCli();
 * assert.equal((await runCli(["auth", "staus"], cli)).exitCode, 2);
 * assert.match(cli.io.stderr, /Did you mean status\?/);
 * ```
 *
 * @param args The arguments after the program name.
 * @param cli The command run.
 * @returns What ran and its exit code.
 */
export async function runCli(args: readonly string[], cli: CliContext): Promise<RunRecord> {
  const record: RunRecord = { command: "", exitCode: 0 };
  // Before the line is understood, `--json` anywhere in it decides how an error is printed.
  let run = wantsJson(args) ? jsonContext(cli) : cli;
  try {
    const first = args[0];
    if (first !== undefined && !isWord(first, PROGRAM)) {
      // Only a line that names no command needs it: not loaded at start-up.
      const { looksLikeScript, scriptError } = await import("./lua_script.ts");
      if (await looksLikeScript(cli, first)) throw scriptError(cli, first);
    }
    let parsed: ReturnType<typeof parseLine>;
    try {
      parsed = parseLine(args, PROGRAM);
    } catch (error) {
      // `lua -e 'print(1)'`: an option of the Lua interpreter, not a mistyped one of ours.
      if (!first?.startsWith("-")) throw error;
      const { interpreterOptionError } = await import("./lua_script.ts");
      throw interpreterOptionError(cli, first) ?? error;
    }
    if (parsed.kind === "run") run = parsed.flags.json === true ? jsonContext(cli) : cli;
    if (parsed.kind === "version") {
      cli.io.out(`${VERSION}\n`);
    } else if (parsed.kind === "help") {
      const { renderHelp } = await import("./help.ts");
      cli.io.out(programText(cli, renderHelp(parsed.path)));
    } else {
      const { command, flags, argument } = parsed;
      // The path, and the argument when the command takes one: a word from its fixed set.
      const words = [...parsed.path.slice(1).map((entry) => entry.name), argument ?? ""];
      record.command = words.join(" ").trimEnd();
      if (command.mode) record.mode = command.mode(flags);
      await command.run(flags, run, { argument, program: PROGRAM });
    }
  } catch (error) {
    record.exitCode = reportError(run, error);
  }
  return record;
}

/** Whether a word names something at the top of the table (a command, help, a flag). */
function isWord(word: string, program: GroupSpec): boolean {
  return word.startsWith("-") || word === "help" || program.commands.some((c) => c.name === word);
}

/** Whether `--json` is among the flags (before `--`). */
function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}

/**
 * The run of a command with `--json`: errors as JSON, and a terminal that never prompts and
 * shows no progress, since a program reads the output.
 */
function jsonContext(cli: CliContext): CliContext {
  const io: Io = { ...cli.io, canPrompt: () => false, progress: (_label, work) => work() };
  return { ...cli, io, json: true };
}

/** What Ctrl-C prints: a plain line, not an error. */
export const CANCELLED = "Cancelled";

const BUG_HINT = "This is a bug in the Lua CLI; please report it";

/**
 * Prints an error the way every command does and returns its exit code: `Error: <message>` and
 * its hints on stderr (the only writer of `Error:`), `Cancelled` alone for Ctrl-C, or, with
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
    // The seed's transcripts show authentication failures as "Error: ❌ Invalid OTP code":
    // the decoration is the reporter's, never part of the message.
    const mark = converted instanceof AuthenticationError ? `${s.red("❌")} ` : "";
    cli.io.err(`${s.red("Error:")} ${mark}${message}\n`);
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
