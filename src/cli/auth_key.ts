/**
 * `lua auth key [--force]`: show the API key the CLI would use.
 *
 * @module
 */

import { NoApiKeyError, UsageError } from "../errors.ts";
import { JSON_SCHEMA_VERSION, type KeyJson } from "../json.ts";
import type { KeySource } from "../resolve.ts";
import { ADMIN_DASHBOARD_URL, KEY_PROMPT, YOUR_KEY } from "../seed_text.ts";
import type { CliContext } from "./cli_context.ts";
import { say, warn } from "./io.ts";
import { type Command, defineCommand } from "./command.ts";

/** Options of `lua auth key`. */
export interface KeyOptions {
  /** Print the key without asking, alone on stdout. */
  force: boolean;
  /** Print the key in one JSON object instead (with `force` only). */
  json?: boolean;
}

/** A key source as JSON. */
function sourceJson(source: KeySource): KeyJson["source"] {
  return source.kind === "env"
    ? { kind: "env", location: source.variable }
    : { kind: source.kind, location: source.path };
}

/**
 * The error for no key: plain, or, when the platform's own CLI has left a session from its
 * email login, one that says so and how to get a key.
 */
async function noKeyError(cli: CliContext): Promise<NoApiKeyError> {
  const { listSessions } = await import("../sessions.ts");
  const sessions = await listSessions(cli);
  if (sessions.length === 0) return new NoApiKeyError();
  return new NoApiKeyError(
    {
      hints: [
        "Get a key by email: lua auth configure --email <you@example.com>",
        `Or create one in the admin dashboard (${ADMIN_DASHBOARD_URL}), then run:`,
        "  lua auth configure --api-key -",
      ],
    },
    "No API key found. The other Lua CLI is signed in with a session " +
      `(${sessions[0]}), which this CLI does not use: it authenticates with API keys only.`,
  );
}

/**
 * Runs `lua auth key`.
 *
 * @param options The flags.
 * @param cli The command run.
 * @throws {NoApiKeyError} When no source has a key.
 * @throws {UsageError} When confirmation is needed and there is no terminal.
 */
export async function runKey(options: KeyOptions, cli: CliContext): Promise<void> {
  // Loaded here, not with the command table, so that only a run of the command pays for it.
  const { describeSource, resolveApiKey } = await import("../resolve.ts");
  const resolved = await resolveApiKey(cli, { onWarning: (m) => warn(cli, m) });
  if (!resolved) throw await noKeyError(cli);
  cli.io.addSecret(resolved.key);
  if (!options.force) {
    if (!cli.io.canPrompt()) {
      const why = cli.json ? "--json never prompts" : "not a terminal";
      throw new UsageError(
        `Cannot ask for confirmation: ${why}; pass --force to print the key`,
        { hints: [cli.json ? "lua auth key --force --json" : "KEY=$(lua auth key --force)"] },
      );
    }
    if (!(await cli.io.prompt.confirm(KEY_PROMPT))) {
      say(cli, "Cancelled: the key was not shown");
      return;
    }
    say(cli, YOUR_KEY);
  }
  if (cli.json) {
    const json: KeyJson = {
      schemaVersion: JSON_SCHEMA_VERSION,
      key: "",
      source: sourceJson(resolved.source),
    };
    cli.io.jsonWithKey({ ...json }, resolved.key);
    return;
  }
  cli.io.outKey(resolved.key);
  say(cli, `Source: ${describeSource(resolved.source)}`);
}

/** `lua auth key`, declared. */
export const keyCommand: Command = defineCommand({
  name: "key",
  summary: "Display the API key in use.",
  flags: {
    force: { short: "f", help: "Print the key without asking, alone on stdout." },
    json: { help: "With --force: print the key and its source as one JSON object." },
  },
  examples: [
    ["lua auth key", "asks first, then shows the key"],
    ["KEY=$(lua auth key --force)", "the key alone on stdout, for scripts"],
    ["lua auth key --force --json", "the key and its source, for agents"],
  ],
  run: (flags, cli) => runKey(flags, cli),
});

/** `lua auth token`, declared: the key alone on stdout, as `auth key --force` prints it. */
export const tokenCommand: Command = defineCommand({
  name: "token",
  summary: "Print the API key in use, alone on stdout (as auth key --force).",
  flags: { json: { help: "Print the key and its source as one JSON object." } },
  examples: [["KEY=$(lua auth token)"], ["lua auth token --json"]],
  run: (_flags, cli) => runKey({ force: true }, cli),
});
