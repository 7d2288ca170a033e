/**
 * The command tree, built with commander: parsing, help, and usage errors.
 *
 * @module
 */

import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import { ExitCode } from "../errors.ts";
import { printableArgument } from "../printable_argument.ts";
import { VERSION } from "../version.ts";
import type { CliContext } from "./cli_context.ts";
import { reportError } from "./exit.ts";
import type { RunRecord } from "./run.ts";
import { styles } from "./io.ts";

const KEY_HELP = `
Examples:
  $ lua auth key                  # asks first, then shows the key
  $ KEY=$(lua auth key --force)   # the key alone on stdout, for scripts`;

const CONFIGURE_HELP = `
Examples:
  $ lua auth configure                                   # interactive
  $ lua auth configure --api-key "$KEY"                  # a key from the dashboard
  $ printf %s "$KEY" | lua auth configure --api-key -    # keeps the key out of argv
  $ lua auth configure --email you@example.com           # step 1: emails a 6-digit code
  $ lua auth configure --email you@example.com --otp 123456   # step 2: stores a new key`;

const AUTH_HELP = `
Key resolution order:
  1. LUA_API_KEY environment variable
  2. ~/.lua-cli/credentials
  3. LUA_API_KEY in .env in the current directory

Examples:
  $ lua auth configure --email you@example.com
  $ lua auth status
  $ LUA_API_KEY=... lua auth status --offline --json`;

const ROOT_HELP = `
Exit codes: 0 ok, 1 error, 2 usage, 9 authentication, 11 platform unavailable, 130 interrupted.
Environment: LUA_API_KEY, LUA_AUTH_URL, LUA_API_URL, LUA_TELEMETRY=false, NO_COLOR.`;

/**
 * Keeps values out of parser errors: a mistyped `--flag=<value>`, `--api-key<key>`, `-<key>` or
 * a stray argument may be a key pasted in the wrong place. An argument commander quotes is
 * echoed only when {@linkcode printableArgument} finds it short and word-like.
 *
 * @example
 * ```ts
 * import { redactArguments } from "./app.ts";
 * import assert from "node:assert/strict";
 * assert.equal(redactArguments("error: unknown option '--forse'"), "error: unknown option '--forse'");
 * assert.equal(redactArguments("error: unknown option '-api_0123456789'"), "error: unknown option '…'");
 * ```
 *
 * @param text A commander error message.
 * @returns The message without argument values.
 */
export function redactArguments(text: string): string {
  // Greedy up to the last quote: the argument itself may hold quotes or newlines.
  return text.replace(
    /unknown (option|command) '([\s\S]*)'/,
    (_whole, kind: string, arg: string) => `unknown ${kind} '${printableArgument(arg)}'`,
  );
}

function build(cli: CliContext, record: RunRecord): Command {
  const program = new Command()
    .name("lua")
    .description("The Lua platform CLI.")
    .version(VERSION, "-v, --version", "Print the version.")
    .helpOption("-h, --help", "Show help.")
    .helpCommand("help [command]", "Show help for a command.")
    .addHelpText("after", ROOT_HELP)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => cli.io.out(text),
      writeErr: (text) => cli.io.err(text),
      outputError: (text, write) => write(styles(cli.io.color).red(redactArguments(text))),
      // Our own colour decision: commander would otherwise read FORCE_COLOR and CLICOLOR_FORCE,
      // which a narrowed --allow-env does not grant.
      getOutHasColors: () => cli.io.colorOut,
      getErrHasColors: () => cli.io.color,
    })
    .exitOverride();

  const auth = program.command("auth")
    .description("Manage authentication with the Lua platform.")
    .helpCommand("help [command]", "Show help for a command.")
    .addHelpText("after", AUTH_HELP);

  auth.command("configure")
    .description("Set up API key authentication.")
    .addOption(new Option("--api-key <key>", "Set the API key directly ('-' reads it from stdin)."))
    .addOption(new Option("--email <email>", "Request a code by email (step 1 of the OTP flow)."))
    .addOption(
      new Option(
        "--otp <code>",
        "Verify the 6-digit code and generate a key (step 2, with --email).",
      ),
    )
    .addHelpText("after", CONFIGURE_HELP)
    .action(async (options) => {
      record.command = "auth configure";
      const { configureMode, runConfigure } = await import("./auth_configure.ts");
      const opts = {
        ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
        ...(options.email !== undefined ? { email: options.email } : {}),
        ...(options.otp !== undefined ? { otp: options.otp } : {}),
      };
      record.mode = configureMode(opts);
      record.exitCode = await runConfigure(opts, cli);
    });

  auth.command("key")
    .description("Display the API key in use.")
    .option("-f, --force", "Print the key without asking, alone on stdout.", false)
    .addHelpText("after", KEY_HELP)
    .action(async (options) => {
      record.command = "auth key";
      const { runKey } = await import("./auth_key.ts");
      record.exitCode = await runKey({ force: options.force }, cli);
    });

  auth.command("logout")
    .description("Delete the stored credentials file.")
    .option("-f, --force", "Delete without asking.", false)
    .action(async (options) => {
      record.command = "auth logout";
      const { runLogout } = await import("./auth_logout.ts");
      record.exitCode = await runLogout({ force: options.force }, cli);
    });

  auth.command("status")
    .description("Show where the key comes from and which account it belongs to.")
    .option("--json", "Print one JSON object on stdout.", false)
    .option("--offline", "Do not ask the platform.", false)
    .action(async (options) => {
      record.command = "auth status";
      const { runStatus } = await import("./auth_status.ts");
      record.exitCode = await runStatus({ json: options.json, offline: options.offline }, cli);
    });

  program.command("telemetry")
    .description("Turn anonymous usage data on or off, or show whether it is on.")
    .argument("[action]", "on, off or status", "status")
    .action(async (action: string) => {
      const { runTelemetry, TELEMETRY_ACTIONS } = await import("./telemetry.ts");
      // Only a known action is recorded: never an argument value.
      const known = (TELEMETRY_ACTIONS as readonly string[]).includes(action);
      record.command = known ? `telemetry ${action}` : "telemetry";
      record.exitCode = await runTelemetry({ action }, cli);
    });

  return program;
}

/**
 * Parses `args` with commander, runs the command, and maps every outcome to an exit code.
 * Never throws and never exits the process.
 *
 * @param args The arguments after the program name.
 * @param cli The command run.
 * @returns What ran and its exit code.
 */
export async function runWithCommander(
  args: readonly string[],
  cli: CliContext,
): Promise<RunRecord> {
  const record: RunRecord = { command: "", exitCode: ExitCode.Ok };
  try {
    await build(cli, record).parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // `commander.help`: a command group run without a subcommand shows its help.
      const ok = error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
        error.code === "commander.help" || error.exitCode === 0;
      record.exitCode = ok ? ExitCode.Ok : ExitCode.Usage;
    } else {
      record.exitCode = reportError(cli, error);
    }
  }
  return record;
}
