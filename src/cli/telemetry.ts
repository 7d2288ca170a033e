/**
 * Anonymous usage telemetry: one event per command run, never a key, email, path or argument
 * value. Off with `LUA_TELEMETRY=false` (or `0`, `off`, `no`) or `DO_NOT_TRACK=1`. Sending
 * never delays the exit by more than {@linkcode TELEMETRY_BUDGET_MS}, never prints an error and
 * never changes the exit code.
 *
 * @module
 */

import { DEFAULT_API_URL } from "../client.ts";
import type { Context } from "../context.ts";
import { configDir, joinPath } from "../paths.ts";
import { VERSION } from "../version.ts";
import type { RunRecord } from "./run.ts";
import { telemetryEnabled } from "./telemetry_setting.ts";

export { telemetryEnabled };

/** The longest sending may delay the exit, in ms. */
export const TELEMETRY_BUDGET_MS = 150;

/** The event sent to `POST {LUA_API_URL}/telemetry`: exactly these fields. */
export interface TelemetryEvent {
  /** Always `"command"`. */
  event: "command";
  /** The command path, e.g. `auth configure`; `""` for help, version and usage errors. */
  command: string;
  /** `api-key`, `email-request`, `email-verify` or `interactive` for `configure`; else `null`. */
  mode: string | null;
  /** `success` or `failure`. */
  outcome: "success" | "failure";
  /** The exit code. */
  exitCode: number;
  /** Wall time of the command, in ms, rounded. */
  durationMs: number;
  /** The CLI version. */
  version: string;
  /** The operating system, e.g. `linux`. */
  os: string;
  /** `deno`, `node` or `compiled`. */
  runtime: "deno" | "node" | "compiled";
  /** Whether a CI environment was detected. */
  ci: boolean;
}

/** The notice shown once, before the first event is sent. */
export const TELEMETRY_NOTICE =
  "The Lua CLI sends anonymous usage data (command, outcome, duration, version, OS, runtime, CI " +
  "or not; never keys, emails, paths or arguments).\nTurn it off with LUA_TELEMETRY=false or " +
  "DO_NOT_TRACK=1.\n";

const CI_VARIABLES = [
  "GITHUB_ACTIONS",
  "GITLAB_CI",
  "CIRCLECI",
  "BUILDKITE",
  "JENKINS_URL",
  "TF_BUILD",
  "TRAVIS",
  "BITBUCKET_BUILD_NUMBER",
  "CODEBUILD_BUILD_ID",
  "TEAMCITY_VERSION",
];

/**
 * Whether a CI environment is detected: `CI` set to anything but `false`/`0`, or one of the
 * well-known CI variables.
 *
 * @param env Reads the environment.
 * @returns True in CI.
 */
export function detectCi(env: (name: string) => string | undefined): boolean {
  const ci = env("CI")?.trim().toLowerCase();
  if (ci && ci !== "false" && ci !== "0") return true;
  return CI_VARIABLES.some((name) => Boolean(env(name)));
}

/** The runtime this code runs on. */
export function detectRuntime(): TelemetryEvent["runtime"] {
  const deno = (globalThis as { Deno?: { build?: { standalone?: boolean } } }).Deno;
  if (deno?.build?.standalone === true) return "compiled";
  const process = (globalThis as { process?: { versions?: Record<string, string> } }).process;
  if (process?.versions?.node && !process.versions.deno) return "node";
  return "deno";
}

/**
 * Builds the event for a run.
 *
 * @param record What ran and its exit code.
 * @param durationMs How long it took.
 * @param ctx For the OS and CI detection.
 * @returns The event.
 */
export function buildEvent(record: RunRecord, durationMs: number, ctx: Context): TelemetryEvent {
  return {
    event: "command",
    command: record.command,
    mode: record.mode ?? null,
    outcome: record.exitCode === 0 ? "success" : "failure",
    exitCode: record.exitCode,
    durationMs: Math.round(durationMs),
    version: VERSION,
    os: ctx.os,
    runtime: detectRuntime(),
    ci: detectCi(ctx.env),
  };
}

/** Where sending can be observed and controlled. */
export interface TelemetryOptions {
  /** Called with the one-time notice. */
  notice(text: string): void;
  /** Whether the network may be used for `url` without a permission prompt. */
  permitted(url: URL): boolean;
  /** Whether the notice file may be read and written without a permission prompt. */
  mayTouch(path: string): boolean;
}

async function noticeShown(ctx: Context, path: string): Promise<boolean> {
  try {
    await ctx.fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function rememberNotice(ctx: Context, path: string): Promise<void> {
  const data = JSON.stringify({ noticeShownAt: new Date(ctx.now()).toISOString() }) + "\n";
  await ctx.fs.mkdir(configDir(ctx), { recursive: true, mode: 0o700 });
  await ctx.fs.writeTextFile(path, data, { mode: 0o600 });
  if (ctx.os !== "windows") await ctx.fs.chmod(path, 0o600);
}

/**
 * Sends one event, if telemetry is on. Shows the one-time notice first. Gives up after
 * {@linkcode TELEMETRY_BUDGET_MS}; swallows every failure.
 *
 * @param ctx Environment, files, network, clock.
 * @param event The event.
 * @param options Notice output and permission check.
 * @returns Whether the event was delivered.
 */
export async function sendTelemetry(
  ctx: Context,
  event: TelemetryEvent,
  options: TelemetryOptions,
): Promise<boolean> {
  const started = ctx.now();
  try {
    if (!telemetryEnabled(ctx.env)) return false;
    const base = (ctx.env("LUA_API_URL")?.trim() || DEFAULT_API_URL).replace(/\/+$/, "");
    const url = new URL(`${base}/telemetry`);
    if (!options.permitted(url)) return false;
    // Without a place to remember the notice, it would be shown every time: send nothing.
    const noticePath = joinPath(ctx, configDir(ctx), "telemetry.json");
    if (!options.mayTouch(noticePath)) return false;
    if (!(await noticeShown(ctx, noticePath))) {
      options.notice(TELEMETRY_NOTICE);
      await rememberNotice(ctx, noticePath).catch(() => {});
    }
    const left = TELEMETRY_BUDGET_MS - (ctx.now() - started);
    if (left <= 0) return false;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), left);
    try {
      const response = await ctx.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(event),
        signal: controller.signal,
      });
      await response.body?.cancel();
      return response.ok;
    } finally {
      clearTimeout(timer);
    }
  } catch {
    return false;
  }
}
