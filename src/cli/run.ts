/**
 * Running one command line: parse it against the command table, then print the help or the
 * version, or run the command. Every outcome becomes an exit code here.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import { type CliContext, programText } from "./cli_context.ts";
import { PROGRAM } from "./commands.ts";
import type { GroupSpec } from "./command.ts";
import { reportError } from "./exit.ts";
import type { Io } from "./io.ts";
import { looksLikeScript, scriptError } from "./lua_script.ts";
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
 * import { createMemoryCli } from "../testing/memory_io.ts";
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
    if (first !== undefined && !isWord(first, PROGRAM) && await looksLikeScript(cli, first)) {
      throw scriptError(cli, first);
    }
    const parsed = parseLine(args, PROGRAM);
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
