/**
 * Running one command line: the fast path for everyday commands, commander for the rest.
 *
 * @module
 */

import type { CliContext } from "./cli_context.ts";
import { reportError } from "./exit.ts";
import { type FastCommand, matchFastPath } from "./fast_path.ts";

/** What a run did, for telemetry: the command path, its mode, and its exit code. */
export interface RunRecord {
  /** The command path, e.g. `auth configure`, or `""` when none ran. */
  command: string;
  /** The mode of `configure`, when it ran. */
  mode?: string;
  /** The exit code. */
  exitCode: number;
}

async function runFast(fast: FastCommand, cli: CliContext): Promise<number> {
  switch (fast.command) {
    case "help": {
      const { AUTH_HELP, ROOT_HELP } = await import("./help_text.ts");
      cli.io.out(fast.text === "root" ? ROOT_HELP : AUTH_HELP);
      return 0;
    }
    case "version": {
      const { VERSION } = await import("../version.ts");
      cli.io.out(`${VERSION}\n`);
      return 0;
    }
    case "auth key": {
      const { runKey } = await import("./auth_key.ts");
      return await runKey({ force: fast.force }, cli);
    }
    case "auth status": {
      const { runStatus } = await import("./auth_status.ts");
      return await runStatus({ json: fast.json, offline: fast.offline }, cli);
    }
    case "auth logout": {
      const { runLogout } = await import("./auth_logout.ts");
      return await runLogout({ force: fast.force }, cli);
    }
  }
}

/**
 * Runs a command line and maps every outcome to an exit code. Never throws and never exits the
 * process.
 *
 * @param args The arguments after the program name.
 * @param cli The command run.
 * @returns What ran and its exit code.
 */
export async function runCli(args: readonly string[], cli: CliContext): Promise<RunRecord> {
  const fast = matchFastPath(args);
  if (!fast) {
    const { runWithCommander } = await import("./app.ts");
    return await runWithCommander(args, cli);
  }
  const command = fast.command === "help" || fast.command === "version" ? "" : fast.command;
  const record: RunRecord = { command, exitCode: 0 };
  try {
    record.exitCode = await runFast(fast, cli);
  } catch (error) {
    record.exitCode = reportError(cli, error);
  }
  return record;
}
