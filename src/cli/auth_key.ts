/**
 * `lua auth key [--force]`: show the API key the CLI would use.
 *
 * @module
 */

import { NoApiKeyError, UsageError } from "../errors.ts";
import { describeSource, resolveApiKey } from "../resolve.ts";
import { type CliContext, say, warn } from "./cli_context.ts";

/** Options of `lua auth key`. */
export interface KeyOptions {
  /** Print the key without asking, alone on stdout. */
  force: boolean;
}

/** The confirmation question, in the seed's words. */
export const KEY_PROMPT = "This will display your API key. Are you sure you want to continue?";

/**
 * Runs `lua auth key`.
 *
 * @param options The flags.
 * @param cli The command run.
 * @returns The exit code.
 * @throws {NoApiKeyError} When no source has a key.
 * @throws {UsageError} When confirmation is needed and there is no terminal.
 */
export async function runKey(options: KeyOptions, cli: CliContext): Promise<number> {
  const resolved = await resolveApiKey(cli, { onWarning: (m) => warn(cli, m) });
  if (!resolved) throw new NoApiKeyError();
  cli.io.addSecret(resolved.key);
  if (!options.force) {
    if (!cli.io.canPrompt()) {
      throw new UsageError(
        "Cannot ask for confirmation: not a terminal. Pass --force to print the key.",
        { hints: ["KEY=$(lua auth key --force)"] },
      );
    }
    if (!(await cli.io.prompt.confirm(KEY_PROMPT))) {
      say(cli, "Cancelled. The key was not shown.");
      return 0;
    }
    say(cli, "🔑 Your API key:");
  }
  cli.io.outKey(resolved.key);
  say(cli, `Source: ${describeSource(resolved.source)}`);
  return 0;
}
