/**
 * `lua auth key [--force]`: show the API key the CLI would use.
 *
 * @module
 */

import { NoApiKeyError, UsageError } from "../errors.ts";
import { describeSource, resolveApiKey } from "../resolve.ts";
import { type CliContext, say, warn } from "./cli_context.ts";
import { type Command, defineCommand } from "./command.ts";

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
 * @throws {NoApiKeyError} When no source has a key.
 * @throws {UsageError} When confirmation is needed and there is no terminal.
 */
export async function runKey(options: KeyOptions, cli: CliContext): Promise<void> {
  const resolved = await resolveApiKey(cli, { onWarning: (m) => warn(cli, m) });
  if (!resolved) throw new NoApiKeyError();
  if (!options.force) {
    if (!cli.io.canPrompt()) {
      throw new UsageError(
        "Cannot ask for confirmation: not a terminal. Pass --force to print the key.",
        { hints: ["KEY=$(lua auth key --force)"] },
      );
    }
    if (!(await cli.io.prompt.confirm(KEY_PROMPT))) {
      say(cli, "Cancelled. The key was not shown.");
      return;
    }
    say(cli, "🔑 Your API key:");
  }
  cli.io.out(`${resolved.key}\n`);
  say(cli, `Source: ${describeSource(resolved.source)}`);
}

/** `lua auth key`, declared. */
export const keyCommand: Command = defineCommand({
  name: "key",
  summary: "Display the API key in use.",
  flags: { force: { short: "f", help: "Print the key without asking, alone on stdout." } },
  examples: [
    ["lua auth key", "asks first, then shows the key"],
    ["KEY=$(lua auth key --force)", "the key alone on stdout, for scripts"],
  ],
  run: (flags, cli) => runKey(flags, cli),
});

/** `lua auth token`, declared: the key alone on stdout, as `auth key --force` prints it. */
export const tokenCommand: Command = defineCommand({
  name: "token",
  summary: "Print the API key in use, alone on stdout (as auth key --force).",
  flags: {},
  examples: [["KEY=$(lua auth token)"]],
  run: (_flags, cli) => runKey({ force: true }, cli),
});
