/**
 * `lua auth logout [--force] [--revoke]`: delete the stored key, and optionally revoke it on
 * the platform first.
 *
 * @module
 */

import { deleteCredentials, fileErrorFrom, readCredentials } from "../credentials.ts";
import { AuthenticationError, UsageError } from "../errors.ts";
import { isFsError } from "../fs_error.ts";
import { credentialsPath } from "../paths.ts";
import { describeSource, listKeySources } from "../resolve.ts";
import { type CliContext, platformClient, say, warn } from "./cli_context.ts";
import { styles } from "./io.ts";

/** Options of `lua auth logout`. */
export interface LogoutOptions {
  /** Delete without asking. */
  force: boolean;
  /** Revoke the key on the platform before deleting it. */
  revoke: boolean;
}

/** The confirmation question, in the seed's words. */
export const LOGOUT_PROMPT =
  "Are you sure you want to delete your API key? This action cannot be undone.";

async function warnRemainingSources(cli: CliContext): Promise<void> {
  const reports = await listKeySources(cli);
  for (const report of reports) {
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
 * Runs `lua auth logout`.
 *
 * @param options The flags.
 * @param cli The command run.
 * @returns The exit code.
 * @throws {UsageError} When confirmation is needed and there is no terminal.
 * @throws {UnavailableError} When `--revoke` cannot reach the platform; nothing is deleted.
 */
export async function runLogout(options: LogoutOptions, cli: CliContext): Promise<number> {
  const path = credentialsPath(cli);
  const exists = await cli.fs.lstat(path).then(() => true, (error) => {
    if (isFsError(error, "NotFound")) return false;
    throw fileErrorFrom(error, "Cannot read credentials file", path);
  });
  if (!exists) {
    say(cli, `No API key is stored in ${path}; nothing to delete.`);
    await warnRemainingSources(cli);
    return 0;
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
      return 0;
    }
  }
  let revoked = false;
  if (options.revoke) {
    const stored = await readCredentials(cli);
    if (stored) {
      const client = await platformClient(cli);
      try {
        await client.revokeApiKey(stored.key);
        revoked = true;
        say(cli, "Revoked the key on the Lua platform.");
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        warn(cli, "the platform did not accept the key; it was already revoked or is unknown.");
      }
    }
  }
  await deleteCredentials(cli);
  say(cli, `${styles(cli.io.color).green("✅")} API key deleted successfully.`);
  if (!revoked) {
    say(
      cli,
      "The key is still valid on the platform until you regenerate it in the admin dashboard" +
        " (or use lua auth logout --revoke).",
    );
  }
  await warnRemainingSources(cli);
  return 0;
}
