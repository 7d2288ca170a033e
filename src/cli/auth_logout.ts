/**
 * `lua auth logout [--force]`: delete the stored key, and the session files of the platform's
 * own CLI. Nothing is revoked: no client of the platform has a route for it.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { JSON_SCHEMA_VERSION, type LogoutJson, type SourceJson } from "../json.ts";
import { ADMIN_DASHBOARD_URL, KEY_DELETED, LOGOUT_PROMPT } from "../seed_text.ts";
import type { CliContext } from "./cli_context.ts";
import { say, success, warn } from "./io.ts";
import { type Command, defineCommand } from "./command.ts";
import { isFsError } from "../fs_error.ts";

/** Options of `lua auth logout`. */
export interface LogoutOptions {
  /** Delete without asking. */
  force: boolean;
  /** Print one JSON object on stdout; never prompt. */
  json?: boolean;
}

/** Warns of the sources that still hold a key, and returns them. */
async function warnRemainingSources(cli: CliContext): Promise<SourceJson[]> {
  const { describeSource, listKeySources } = await import("../resolve.ts");
  // The credentials file has just been deleted, or was never there: only the others count.
  const reports = await listKeySources(cli, { skipCredentials: true });
  const still: SourceJson[] = [];
  for (const report of reports) {
    if (report.key !== undefined) cli.io.addSecret(report.key);
    if (report.key) {
      warn(
        cli,
        `a key is still set in the ${describeSource(report.source)}; ` +
          "commands will keep authenticating with it.",
      );
      still.push(
        report.source.kind === "env"
          ? { kind: "env", location: report.source.variable }
          : { kind: report.source.kind, location: report.source.path },
      );
    }
  }
  return still;
}

function printJson(
  cli: CliContext,
  credentials: string | null,
  sessions: string[],
  stillSet: SourceJson[],
): void {
  if (!cli.json) return;
  const json: LogoutJson = {
    schemaVersion: JSON_SCHEMA_VERSION,
    status: credentials === null && sessions.length === 0 ? "nothing_to_delete" : "logged_out",
    deleted: { credentials, sessions },
    stillSet,
  };
  cli.io.json(json);
}

/**
 * `lua auth logout`: deletes `~/.lua-cli/credentials` after confirmation (or with `--force`),
 * and the session files the platform's own CLI may have left; the key stays valid on the
 * platform until it is regenerated in the admin dashboard.
 *
 * @param options `--force`.
 * @param cli The CLI context.
 * @throws {UsageError} When confirmation is needed and there is no terminal.
 */
export async function runLogout(options: LogoutOptions, cli: CliContext): Promise<void> {
  // Loaded here, not with the command table, so that only a run of the command pays for it.
  const [
    { deleteCredentials, fileErrorFrom },
    { credentialsPath },
    { deleteSessions, listSessions },
  ] = await Promise.all([
    import("../credentials.ts"),
    import("../paths.ts"),
    import("../sessions.ts"),
  ]);
  const path = credentialsPath(cli);
  const exists = await cli.fs.lstat(path).then(() => true, (error) => {
    if (isFsError(error, "NotFound")) return false;
    throw fileErrorFrom(error, "Cannot read credentials file", path);
  });
  const sessions = await listSessions(cli);
  if (!exists && sessions.length === 0) {
    // Still clears temporary files a killed run may have left, each holding a whole key.
    await deleteCredentials(cli);
    say(cli, `No API key is stored in ${path}; nothing to delete`);
    printJson(cli, null, [], await warnRemainingSources(cli));
    return;
  }
  if (!options.force) {
    if (!cli.io.canPrompt()) {
      const why = cli.json ? "--json never prompts" : "not a terminal";
      throw new UsageError(
        `Cannot ask for confirmation: ${why}; pass --force to delete the key`,
        { hints: [cli.json ? "lua auth logout --force --json" : "lua auth logout --force"] },
      );
    }
    if (!(await cli.io.prompt.confirm(LOGOUT_PROMPT))) {
      say(cli, "Cancelled: nothing was deleted");
      return;
    }
  }
  // Also clears temporary files a killed run may have left, each holding a whole key.
  await deleteCredentials(cli);
  if (exists) {
    success(cli, KEY_DELETED);
    say(
      cli,
      "The key still works wherever else it is used: to revoke it, regenerate it in the admin " +
        `dashboard (${ADMIN_DASHBOARD_URL}).`,
    );
  }
  const deleted = await deleteSessions(cli, sessions); // listed above: not listed again
  if (deleted.length > 0) {
    say(
      cli,
      `Deleted ${deleted.length} session file${deleted.length === 1 ? "" : "s"} of the other ` +
        "Lua CLI; the session was not ended on the platform",
    );
  }
  printJson(cli, exists ? path : null, deleted, await warnRemainingSources(cli));
}

/** `lua auth logout`, declared. */
export const logoutCommand: Command = defineCommand({
  name: "logout",
  summary: "Delete the stored credentials file.",
  flags: {
    force: { short: "f", help: "Delete without asking." },
    json: { help: "Print one JSON object on stdout; never prompt." },
  },
  run: (flags, cli) => runLogout(flags, cli),
});
