/**
 * `lua auth status [--json] [--offline]`: every key source in priority order, the one in use
 * (masked), and the account it belongs to.
 *
 * @module
 */

import {
  AuthenticationError,
  ExitCode,
  InterruptedError,
  LuaError,
  PermissionError,
  permissionErrorFrom,
  SilentError,
} from "../errors.ts";
import {
  JSON_SCHEMA_VERSION,
  type StatusJson,
  type StatusReport,
  type StatusSource,
} from "../json.ts";
import { maskKey } from "../mask.ts";
import type { SourceReport } from "../resolve.ts";
import { describeAccount } from "./account.ts";
import { type CliContext, platformClient } from "./cli_context.ts";
import { programText, styles, warn } from "./io.ts";
import { NO_API_KEY } from "../seed_text.ts";
import { type Command, defineCommand } from "./command.ts";

/** Options of `lua auth status`. */
export interface StatusOptions {
  /** Print one JSON object on stdout. */
  json: boolean;
  /** Do not ask the platform who the key belongs to. */
  offline: boolean;
}

/** What the spinner says while the platform is asked. */
export const CHECKING_KEY = "Checking the key with the Lua platform…";
/** Why the key is not valid, when the platform said so. */
const REJECTED = "The platform rejected the key (revoked or mistyped)";

function location(report: SourceReport): string {
  return report.source.kind === "env" ? report.source.variable : report.source.path;
}

/**
 * Runs `lua auth status`. The local part of the report (the key sources) is printed first, then
 * the platform is asked, with a spinner on a terminal, and its answer is printed. With `--json`,
 * one {@linkcode StatusJson} object is printed at the end.
 *
 * @param options The flags.
 * @param cli The command run.
 * @throws {LuaError} After the report, when it found a problem: exit 9 when there is no key or
 * it is rejected, 11 when the platform cannot be reached, each printed once; a
 * {@linkcode SilentError} when the report said it all (no key, or `--json`).
 */
export async function runStatus(options: StatusOptions, cli: CliContext): Promise<void> {
  // Loaded here, not with the command table, so that only a run of the command pays for it.
  const [{ describeSource, listKeySources }, { listSessions }] = await Promise.all([
    import("../resolve.ts"),
    import("../sessions.ts"),
  ]);
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
  const color = cli.io.colorOut;
  // The local part first: it needs no answer from the platform.
  if (!options.json) {
    const names = reports.map((r) => describeSource(r.source));
    cli.io.out(programText(cli, renderSources(report, names, color)));
  }
  let failure: LuaError | undefined = blocking;
  if (blocking) report.error = blocking.message;
  else if (activeIndex < 0) failure = new SilentError(ExitCode.Auth);
  const key = reports[activeIndex]?.key;
  if (key !== undefined && !options.offline) {
    try {
      report.account = await cli.io.progress(
        CHECKING_KEY,
        async () => await (await platformClient(cli)).checkKey(key),
      );
      report.valid = true;
    } catch (error) {
      // A missing Deno permission is a usage error of the whole command, not a platform state.
      if (error instanceof PermissionError || permissionErrorFrom(error) !== error) throw error;
      if (error instanceof InterruptedError || !(error instanceof LuaError)) throw error;
      if (error instanceof AuthenticationError) {
        report.valid = false;
        report.error = REJECTED;
        failure = new AuthenticationError(REJECTED, {
          hints: ["Run: lua auth configure"],
          cause: error,
        });
      } else {
        report.error = error.message;
        failure = error;
      }
    }
  }
  if (options.json) {
    const json: StatusJson = { schemaVersion: JSON_SCHEMA_VERSION, ...report };
    cli.io.json(json);
  } else {
    const answer = renderAnswer(report, options, color);
    if (answer) cli.io.out(programText(cli, answer));
  }
  if (failure === undefined) return;
  // The report is data on stdout; a failure is also a message on stderr, printed once there.
  throw options.json ? new SilentError(failure.exitCode) : failure;
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

/** The local part of the report: every source (`names` says each), and the lack of a key. */
function renderSources(report: StatusReport, names: string[], color: boolean): string {
  const s = styles(color);
  const lines = ["Key sources, in priority order:"];
  report.sources.forEach((source, i) => {
    const name = source.location === ""
      ? `${source.kind === "credentials" ? "credentials file" : source.kind} (location unknown)`
      : names[i]!;
    const state = source.error
      ? s.red(`error: ${source.error}`)
      : source.found
      ? `found ${source.maskedKey}${source.active ? s.green(" (in use)") : " (shadowed)"}`
      : s.dim("not found");
    lines.push(`  ${i + 1}. ${name}: ${state}`);
  });
  if (!report.active && !report.error) {
    lines.push("", s.red(NO_API_KEY), "Run: lua auth configure");
  }
  for (const session of report.sessions) {
    lines.push(
      "",
      `Session of the other Lua CLI: ${session} (present, not used: this CLI uses API keys only)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The platform's part of the report: the account, or nothing when the platform failed. */
function renderAnswer(report: StatusReport, options: StatusOptions, color: boolean): string {
  const s = styles(color);
  if (!report.active) return "";
  if (options.offline) return "\nNot checked with the platform (--offline).\n";
  if (!report.account) return "";
  const orgs = report.account.orgCount;
  return `\n${s.green("✅")} Authenticated as ${describeAccount(report.account)}, ` +
    `${orgs} organisation${orgs === 1 ? "" : "s"}.\n`;
}
