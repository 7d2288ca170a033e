/**
 * Sends one anonymous `cli_command_executed` event per run to PostHog's capture API, where the
 * platform reads its CLI's usage (`https://us.i.posthog.com`, or `LUA_TELEMETRY_URL`), under the
 * platform's public project key (or `LUA_POSTHOG_KEY`). Loaded only when telemetry is on.
 *
 * Never the key, the email, a path or an argument value; the id is `anon_<anonymousId>` of
 * `~/.lua-cli/telemetry.json`, never derived from the key. Sending gives up after 150 ms and
 * never fails a command.
 *
 * @module
 */

import type { Context } from "../context.ts";
import { detectRuntime, type Runtime } from "../runtime.ts";
import { VERSION } from "../version.ts";
import type { RunRecord } from "./run.ts";
import {
  newTelemetryFile,
  readTelemetryFile,
  telemetryPath,
  telemetryState,
  writeTelemetryFile,
} from "./telemetry.ts";

/** Time allowed for everything telemetry does after a command, in ms. */
export const TELEMETRY_BUDGET_MS = 150;
/** PostHog's ingestion host, where the platform's own CLI sends. */
export const DEFAULT_TELEMETRY_URL = "https://us.i.posthog.com";
/**
 * The platform's PostHog project key, as its own CLI embeds it (`src/config/constants.ts` of
 * lua-cli 3.37.0). It is public by design: it can only send events, not read them.
 */
export const POSTHOG_PROJECT_KEY = "phc_W7Qsquwlflshmdkm2hWSqRpXuxGbVFo7LEX8H9HrSjC";
/** The event's name, as the platform's own CLI sends it. */
export const TELEMETRY_EVENT = "cli_command_executed";

/** The notice shown once, before the first event is sent. */
export const TELEMETRY_NOTICE =
  "The Lua CLI sends anonymous usage data (command, outcome, duration, version, OS, runtime, CI " +
  "or not; never keys, emails, paths or arguments).\nTurn it off with: lua telemetry off " +
  "(or LUA_TELEMETRY=false, or DO_NOT_TRACK=1).\n";

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

/** A PostHog capture: one event. */
export interface Capture {
  /** The project key. */
  api_key: string;
  /** Always {@linkcode TELEMETRY_EVENT}. */
  event: string;
  /** `anon_<anonymousId>`. */
  distinct_id: string;
  /** When, ISO 8601. */
  timestamp: string;
  /** What is known of the run. */
  properties: {
    command: string;
    success: boolean;
    exit_code: number;
    mode: string | null;
    duration_ms: number;
    cli_version: string;
    os: string;
    arch: string;
    runtime: Runtime;
    ci_mode: boolean;
    /** No person profile: events stay anonymous in PostHog. */
    $process_person_profile: false;
  };
}

/**
 * Whether this looks like a CI run: `CI` set (and not false), or a well-known CI variable.
 *
 * @example
 * ```ts
 * import { detectCi } from "./telemetry_send.ts";
 * import assert from "node:assert/strict";
 * assert.equal(detectCi((n) => n === "GITHUB_ACTIONS" ? "true" : undefined), true);
 * assert.equal(detectCi(() => undefined), false);
 * ```
 *
 * @param env The environment.
 * @returns `true` under CI.
 */
export function detectCi(env: (name: string) => string | undefined): boolean {
  const ci = env("CI")?.trim().toLowerCase();
  if (ci && ci !== "false" && ci !== "0") return true;
  return CI_VARIABLES.some((name) => Boolean(env(name)));
}

/**
 * The capture for a finished run.
 *
 * @param record The command, its mode and exit code.
 * @param durationMs How long it took.
 * @param ctx Environment, OS and clock.
 * @param anonymousId The id of `telemetry.json`.
 * @returns The capture to send.
 */
export function buildCapture(
  record: RunRecord,
  durationMs: number,
  ctx: Context,
  anonymousId: string,
): Capture {
  return {
    api_key: ctx.env("LUA_POSTHOG_KEY")?.trim() || POSTHOG_PROJECT_KEY,
    event: TELEMETRY_EVENT,
    distinct_id: `anon_${anonymousId}`,
    timestamp: new Date(ctx.now()).toISOString(),
    properties: {
      command: record.command,
      success: record.exitCode === 0,
      exit_code: record.exitCode,
      mode: record.mode ?? null,
      duration_ms: Math.round(durationMs),
      cli_version: VERSION,
      os: ctx.os,
      arch: ctx.arch,
      runtime: detectRuntime(),
      ci_mode: detectCi(ctx.env),
      $process_person_profile: false,
    },
  };
}

/** What {@linkcode sendTelemetry} may do, decided by its caller. */
export interface TelemetryOptions {
  /** Shows the one-time notice (on stderr). */
  notice(text: string): void;
  /** Whether the network may reach this URL without a permission prompt. */
  permitted(url: URL): boolean;
  /** Whether this file may be read and written without a permission prompt. */
  mayTouch(path: string): boolean;
}

/**
 * The capture endpoint: `LUA_TELEMETRY_URL` or PostHog's host, then `/i/v0/e/`.
 *
 * @param env The environment.
 * @returns The URL, or `undefined` when `LUA_TELEMETRY_URL` is not an http(s) URL.
 */
export function captureUrl(env: (name: string) => string | undefined): URL | undefined {
  const base = env("LUA_TELEMETRY_URL")?.trim() || DEFAULT_TELEMETRY_URL;
  try {
    const url = new URL(`${base.replace(/\/+$/, "")}/i/v0/e/`);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends the run's event, unless telemetry is off (environment, `.env`, or the telemetry file),
 * or the network or the file may not be touched without a prompt. Shows the notice once.
 * Never throws; gives up after {@linkcode TELEMETRY_BUDGET_MS}.
 *
 * @param ctx Environment (read softly), files, network and clock.
 * @param record The finished run.
 * @param durationMs How long it took.
 * @param options Notice sink and permission checks.
 * @returns Whether the endpoint accepted the event.
 */
export async function sendTelemetry(
  ctx: Context,
  record: RunRecord,
  durationMs: number,
  options: TelemetryOptions,
): Promise<boolean> {
  const started = performance.now();
  try {
    const url = captureUrl(ctx.env);
    if (url === undefined || !options.permitted(url)) return false;
    // Without a place to remember the notice and the choice, send nothing.
    if (!options.mayTouch(telemetryPath(ctx))) return false;
    const read = await readTelemetryFile(ctx);
    if (!(await telemetryState(ctx, read)).enabled) return false;
    // `enabled` says telemetry is on, so the file is there and valid, or missing.
    let file = read === null || read === "invalid" ? newTelemetryFile() : read.file;
    if (read === null || read === "invalid" || read.stale || !file.noticeShown) {
      if (!file.noticeShown) options.notice(TELEMETRY_NOTICE);
      file = { ...file, noticeShown: true };
      await writeTelemetryFile(ctx, file).catch(() => {});
    }
    const left = TELEMETRY_BUDGET_MS - (performance.now() - started);
    if (left <= 0) return false;
    // A timeout signal, not setTimeout: see the client's `attempt` (9 ms under Deno).
    const response = await ctx.fetch(url.href, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(buildCapture(record, durationMs, ctx, file.anonymousId)),
      signal: AbortSignal.timeout(Math.ceil(left)), // whole ms, or Node throws
      redirect: "manual",
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}
