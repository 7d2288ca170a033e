/**
 * `lua auth status [--json] [--offline]`: every key source in priority order, the one in use
 * (masked), and the account it belongs to.
 *
 * @module
 */

import type { Account } from "../client.ts";
import {
  AuthenticationError,
  ExitCode,
  type ExitCodeValue,
  LuaError,
  PermissionError,
  permissionErrorFrom,
  UnavailableError,
} from "../errors.ts";
import { maskKey } from "../mask.ts";
import { describeSource, listKeySources, type SourceReport } from "../resolve.ts";
import { listSessions } from "../sessions.ts";
import { describeAccount } from "./account.ts";
import { type CliContext, platformClient, programText, warn } from "./cli_context.ts";
import { type Command, defineCommand } from "./command.ts";
import { SilentError } from "./exit.ts";
import { styles } from "./io.ts";

/** Options of `lua auth status`. */
export interface StatusOptions {
  /** Print one JSON object on stdout. */
  json: boolean;
  /** Do not ask the platform who the key belongs to. */
  offline: boolean;
}

/** One source in the JSON report. */
export interface StatusSource {
  /** `env`, `env-file` (the file `LUA_API_KEY_FILE` names), `credentials` or `dotenv`. */
  kind: string;
  /** The variable or file. */
  location: string;
  /** Whether it holds a key. */
  found: boolean;
  /** Whether it is the one in use. */
  active: boolean;
  /** The key, masked, when found. */
  maskedKey?: string;
  /** Why it could not be read. */
  error?: string;
}

/** The JSON report of `lua auth status --json`. */
export interface StatusReport {
  /** Every source in priority order. */
  sources: StatusSource[];
  /** The source in use, or `null`. */
  active: StatusSource | null;
  /** Whether the platform accepted the key: `null` when not asked (offline, no key, unreachable). */
  valid: boolean | null;
  /** The account, when the platform was asked and accepted the key. */
  account: Account | null;
  /** Session files of the platform's own CLI: present, never used by this CLI. */
  sessions: string[];
  /** Why the platform could not be asked, if it could not. */
  error: string | null;
}

function location(report: SourceReport): string {
  return report.source.kind === "env" ? report.source.variable : report.source.path;
}

/**
 * Runs `lua auth status`.
 *
 * @param options The flags.
 * @param cli The command run.
 * @throws {LuaError} After the report, when it found a problem: exit 9 when there is no key or
 * it is rejected ({@linkcode SilentError} when the report said it all), 11 when the platform
 * cannot be reached.
 */
export async function runStatus(options: StatusOptions, cli: CliContext): Promise<void> {
  const reports = await listKeySources(cli, { onWarning: (m) => warn(cli, m) });
  for (const report of reports) if (report.key !== undefined) cli.io.addSecret(report.key);
  // The first source with a key or an error decides, as it does for every other command: a
  // malformed credentials file is not skipped in favour of .env.
  const decisive = reports.findIndex((r) => r.key !== undefined || r.error !== undefined);
  const blocking = reports[decisive]?.error;
  const activeIndex = blocking ? -1 : decisive;
  const sources: StatusSource[] = reports.map((r, i) => {
    const source: StatusSource = {
      kind: r.source.kind,
      location: location(r),
      found: r.key !== undefined,
      active: i === activeIndex,
    };
    if (r.key !== undefined) source.maskedKey = maskKey(r.key);
    if (r.error) source.error = r.error.message;
    return source;
  });
  const report: StatusReport = {
    sources,
    active: sources[activeIndex] ?? null,
    valid: null,
    account: null,
    sessions: await listSessions(cli),
    error: null,
  };
  let code: number = blocking ? blocking.exitCode : activeIndex < 0 ? ExitCode.Auth : ExitCode.Ok;
  if (blocking) report.error = blocking.message;
  const key = reports[activeIndex]?.key;
  if (key !== undefined && !options.offline) {
    try {
      report.account = await (await platformClient(cli)).checkKey(key);
      report.valid = true;
    } catch (error) {
      // A missing Deno permission is a usage error of the whole command, not a platform state.
      if (error instanceof PermissionError || permissionErrorFrom(error) !== error) throw error;
      if (error instanceof AuthenticationError) {
        report.valid = false;
        report.error = "The platform rejected the key (revoked or mistyped).";
        code = ExitCode.Auth;
      } else if (error instanceof UnavailableError || error instanceof LuaError) {
        report.error = error.message;
        code = error.exitCode;
      } else {
        throw error;
      }
    }
  }
  if (options.json) cli.io.json(report);
  else cli.io.out(programText(cli, render(report, reports, options, cli.io.colorOut)));
  // The report is data on stdout; a failure is also a message on stderr, like every command's.
  if (code === ExitCode.Ok) return;
  throw report.error ? new LuaError(report.error, code as ExitCodeValue) : new SilentError(code);
}

/** `lua auth status` (alias `whoami`), declared. */
export const statusCommand: Command = defineCommand({
  name: "status",
  aliases: ["whoami"],
  summary: "Show where the key comes from and which account it belongs to.",
  flags: {
    json: { help: "Print one JSON object on stdout." },
    offline: { help: "Do not ask the platform." },
  },
  examples: [
    ["lua auth status"],
    ["LUA_API_KEY=... lua auth status --offline --json", "in CI: no request, one JSON object"],
  ],
  run: (flags, cli) => runStatus(flags, cli),
});

function render(
  report: StatusReport,
  reports: SourceReport[],
  options: StatusOptions,
  color: boolean,
): string {
  const s = styles(color);
  const lines = ["Key sources, in priority order:"];
  report.sources.forEach((source, i) => {
    const name = source.location === ""
      ? `${source.kind === "credentials" ? "credentials file" : source.kind} (location unknown)`
      : describeSource(reports[i]!.source);
    const state = source.error
      ? s.red(`error: ${source.error}`)
      : source.found
      ? `found ${source.maskedKey}${source.active ? s.green(" (in use)") : " (shadowed)"}`
      : s.dim("not found");
    lines.push(`  ${i + 1}. ${name}: ${state}`);
  });
  if (!report.active && report.error) {
    lines.push("", s.red(`No usable API key: ${report.error}`));
  } else if (!report.active) {
    lines.push("", s.red("No API key found."), "Run: lua auth configure");
  } else if (options.offline) {
    lines.push("", "Not checked with the platform (--offline).");
  } else if (report.account) {
    const orgs = report.account.orgCount;
    lines.push(
      "",
      `${s.green("✅")} Authenticated as ${describeAccount(report.account)}, ` +
        `${orgs} organisation${orgs === 1 ? "" : "s"}.`,
    );
  } else if (report.valid === false) {
    lines.push("", s.red(`❌ ${report.error}`), "Run: lua auth configure");
  } else {
    lines.push("", s.red(`Could not check the key: ${report.error}`));
  }
  for (const session of report.sessions) {
    lines.push(
      "",
      `Session of the other Lua CLI: ${session} (present, not used: this CLI uses API keys only).`,
    );
  }
  return `${lines.join("\n")}\n`;
}
