/**
 * Running one command line: parse it against the command table, then print the help or the
 * version, or run the command. Every outcome becomes an exit code here.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import { type CliContext, programText } from "./cli_context.ts";
import { PROGRAM } from "./commands.ts";
import { reportError } from "./exit.ts";
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
  try {
    const parsed = parseLine(args, PROGRAM);
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
      await command.run(flags, cli, { argument, program: PROGRAM });
    }
  } catch (error) {
    record.exitCode = reportError(cli, error);
  }
  return record;
}
