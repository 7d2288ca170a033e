/**
 * `lua auth logout [--force]`: delete the stored key, and the session files of the platform's
 * own CLI. Nothing is revoked: no client of the platform has a route for it.
 *
 * @module
 */

import { deleteCredentials, fileErrorFrom } from "../credentials.ts";
import { UsageError } from "../errors.ts";
import { credentialsPath } from "../paths.ts";
import { describeSource, listKeySources } from "../resolve.ts";
import { ADMIN_DASHBOARD_URL, KEY_DELETED, LOGOUT_PROMPT } from "../seed_text.ts";
import { deleteSessions, listSessions } from "../sessions.ts";
import { type CliContext, say, warn } from "./cli_context.ts";
import { type Command, defineCommand } from "./command.ts";
import { styles } from "./io.ts";
import { isFsError } from "../fs_error.ts";

/** Options of `lua auth logout`. */
export interface LogoutOptions {
  /** Delete without asking. */
  force: boolean;
}

async function warnRemainingSources(cli: CliContext): Promise<void> {
  const reports = await listKeySources(cli);
  for (const report of reports) {
    if (report.key !== undefined) cli.io.addSecret(report.key);
    if (report.key && report.source.kind !== "credentials") {
      warn(
        cli,
        `a key is still set in the ${describeSource(report.source)}; ` +
          "commands will keep authenticating with it.",
      );
    }
  }
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
  const path = credentialsPath(cli);
  const exists = await cli.fs.lstat(path).then(() => true, (error) => {
    if (isFsError(error, "NotFound")) return false;
    throw fileErrorFrom(error, "Cannot read credentials file", path);
  });
  const sessions = await listSessions(cli);
  if (!exists && sessions.length === 0) {
    // Still clears temporary files a killed run may have left, each holding a whole key.
    await deleteCredentials(cli);
    say(cli, `No API key is stored in ${path}; nothing to delete.`);
    await warnRemainingSources(cli);
    return;
  }
  if (!options.force) {
    if (!cli.io.canPrompt()) {
      throw new UsageError(
        "Cannot ask for confirmation: not a terminal. Pass --force to delete the key.",
        { hints: ["lua auth logout --force"] },
      );
    }
    if (!(await cli.io.prompt.confirm(LOGOUT_PROMPT))) {
      say(cli, "Cancelled. Nothing was deleted.");
      return;
    }
  }
  // Also clears temporary files a killed run may have left, each holding a whole key.
  await deleteCredentials(cli);
  if (exists) {
    say(cli, `${styles(cli.io.color).green("✅")} ${KEY_DELETED}`);
    say(
      cli,
      "The key still works wherever else it is used: to revoke it, regenerate it in the admin " +
        `dashboard (${ADMIN_DASHBOARD_URL}).`,
    );
  }
  const deleted = await deleteSessions(cli);
  if (deleted.length > 0) {
    say(
      cli,
      `Deleted ${deleted.length} session file${deleted.length === 1 ? "" : "s"} of the other ` +
        "Lua CLI; the session was not ended on the platform.",
    );
  }
  await warnRemainingSources(cli);
}

/** `lua auth logout`, declared. */
export const logoutCommand: Command = defineCommand({
  name: "logout",
  summary: "Delete the stored credentials file.",
  flags: { force: { short: "f", help: "Delete without asking." } },
  run: (flags, cli) => runLogout(flags, cli),
});
