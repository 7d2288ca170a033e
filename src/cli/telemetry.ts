/**
 * Telemetry's switch and `lua telemetry on|off|status`.
 *
 * The switch is, in order: `LUA_TELEMETRY` (`false`, `0`, `off`, `no`) or `DO_NOT_TRACK=1` in
 * the environment; `LUA_TELEMETRY` in `.env`; then `enabled` in `~/.lua-cli/telemetry.json`,
 * the file the platform's own CLI keeps (`{enabled, anonymousId, noticeShown}`), so a
 * `lua telemetry off` of either CLI holds for both. The sender is `telemetry_send.ts`, loaded
 * only when an event is sent; the code that reads `.env` and writes the file loads only when it
 * is used, so that every run can read the switch in the environment ({@linkcode envOptOut})
 * without loading it.
 *
 * @module
 */

import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { configDir, joinPath } from "../paths.ts";
import type { CliContext } from "./cli_context.ts";
import { say } from "./io.ts";
import { type Command, defineCommand } from "./command.ts";
import { isFsError } from "../fs_error.ts";

/** The file both CLIs keep telemetry's switch in, inside `~/.lua-cli`. */
export const TELEMETRY_FILE_NAME = "telemetry.json";
/** A telemetry file larger than this is not read. */
const MAX_TELEMETRY_FILE_BYTES = 64 * 1024;

const OFF_WORDS = ["false", "0", "off", "no"];

/** The platform CLI's telemetry file; fields this CLI does not know are kept as they are. */
export interface TelemetryFile {
  /** Whether usage data may be sent. */
  enabled: boolean;
  /** The random id events are sent under (`anon_<anonymousId>`). */
  anonymousId: string;
  /** Whether the one-time notice was shown. */
  noticeShown: boolean;
  /** Fields of the other CLI. */
  [field: string]: unknown;
}

/**
 * The telemetry file as read: its contents, and whether they must be written back (a file of
 * this CLI's earlier format, or one without an id); `null` when there is none; `"invalid"`
 * when it cannot be understood.
 */
export type TelemetryRead = { file: TelemetryFile; stale: boolean } | null | "invalid";

/** Whether telemetry is on, and what decided it. */
export interface TelemetryState {
  /** Whether events are sent. */
  enabled: boolean;
  /** What decided: the environment, `.env`, the file, or nothing (the default: on). */
  decidedBy: "environment" | "dotenv" | "file" | "default";
  /** The setting that decided, e.g. `LUA_TELEMETRY=false`, or the file's path. */
  detail: string;
}

/**
 * The environment's opt-out, if any: `LUA_TELEMETRY` set to `false`, `0`, `off` or `no`
 * (any case), or `DO_NOT_TRACK` set to `1` or `true`.
 *
 * @example
 * ```ts
 * import { envOptOut } from "./telemetry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(envOptOut((n) => n === "LUA_TELEMETRY" ? "OFF" : undefined), "LUA_TELEMETRY=OFF");
 * assert.equal(envOptOut(() => undefined), undefined);
 * ```
 *
 * @param env The environment.
 * @returns The setting that turns telemetry off, or `undefined`.
 */
export function envOptOut(env: (name: string) => string | undefined): string | undefined {
  const setting = env("LUA_TELEMETRY")?.trim();
  if (setting && OFF_WORDS.includes(setting.toLowerCase())) return `LUA_TELEMETRY=${setting}`;
  const dnt = env("DO_NOT_TRACK")?.trim();
  if (dnt === "1" || dnt?.toLowerCase() === "true") return `DO_NOT_TRACK=${dnt}`;
  return undefined;
}

/**
 * The path of the telemetry file.
 *
 * @param ctx Environment and OS.
 * @returns `~/.lua-cli/telemetry.json`.
 */
export function telemetryPath(ctx: Pick<Context, "env" | "os">): string {
  return joinPath(ctx, configDir(ctx), TELEMETRY_FILE_NAME);
}

/**
 * Reads the telemetry file. A file of this CLI's earlier format (`{noticeShownAt}`) reads as
 * enabled with the notice shown and a new id; the next write migrates it.
 *
 * @param ctx Environment and file system.
 * @returns The file read: `"invalid"` when it cannot be understood (then nothing is sent and
 *   only `lua telemetry on|off` overwrites it).
 */
export async function readTelemetryFile(ctx: Context): Promise<TelemetryRead> {
  const path = telemetryPath(ctx);
  let text: string;
  try {
    const info = await ctx.fs.stat(path);
    if (!info.isFile || info.size > MAX_TELEMETRY_FILE_BYTES) return "invalid";
    text = await ctx.fs.readTextFile(path);
  } catch (error) {
    return isFsError(error, "NotFound") ? null : "invalid";
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "invalid";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "invalid";
  const fields = value as Record<string, unknown>;
  if ("noticeShownAt" in fields && !("enabled" in fields)) {
    const { noticeShownAt: _old, ...rest } = fields;
    const file = { ...rest, enabled: true, anonymousId: crypto.randomUUID(), noticeShown: true };
    return { file, stale: true };
  }
  if (typeof fields.enabled !== "boolean") return "invalid";
  const hasId = typeof fields.anonymousId === "string" && fields.anonymousId !== "";
  const file: TelemetryFile = {
    ...fields,
    enabled: fields.enabled,
    anonymousId: hasId ? fields.anonymousId as string : crypto.randomUUID(),
    noticeShown: fields.noticeShown === true,
  };
  return { file, stale: !hasId };
}

/**
 * Writes the telemetry file atomically, mode 0600.
 *
 * @param ctx Environment and file system.
 * @param file The whole file, unknown fields included.
 * @returns The path written.
 */
export async function writeTelemetryFile(ctx: Context, file: TelemetryFile): Promise<string> {
  const { writeConfigFile } = await import("../credentials.ts");
  return await writeConfigFile(
    ctx,
    TELEMETRY_FILE_NAME,
    `${JSON.stringify(file, null, 2)}\n`,
    "telemetry file",
  );
}

/**
 * A new telemetry file: enabled, a fresh id, the notice not yet shown.
 *
 * @returns The file's contents.
 */
export function newTelemetryFile(): TelemetryFile {
  return { enabled: true, anonymousId: crypto.randomUUID(), noticeShown: false };
}

/**
 * Decides whether telemetry is on: the environment, then `.env`, then the file.
 *
 * @param ctx Environment, current directory and files.
 * @param file The telemetry file as read, when the caller has it.
 * @returns The state and what decided it.
 */
export async function telemetryState(
  ctx: Context,
  file?: TelemetryRead,
): Promise<TelemetryState> {
  const fromEnv = envOptOut(ctx.env);
  if (fromEnv) return { enabled: false, decidedBy: "environment", detail: fromEnv };
  const { envWithDotenvSettings } = await import("../dotenv.ts");
  const withDotenv = await envWithDotenvSettings(ctx, ["LUA_TELEMETRY"]);
  const fromDotenv = envOptOut((name) => name === "LUA_TELEMETRY" ? withDotenv(name) : undefined);
  if (fromDotenv) return { enabled: false, decidedBy: "dotenv", detail: `${fromDotenv} in .env` };
  const read = file === undefined ? await readTelemetryFile(ctx) : file;
  const path = telemetryPath(ctx);
  if (read === "invalid") {
    return { enabled: false, decidedBy: "file", detail: `${path} (unreadable)` };
  }
  if (read === null) return { enabled: true, decidedBy: "default", detail: "the default" };
  return { enabled: read.file.enabled, decidedBy: "file", detail: path };
}

/** Options of {@linkcode runTelemetry}. */
export interface TelemetryCommandOptions {
  /** `on`, `off` or `status` (the default). */
  action?: string;
}

/** The actions of `lua telemetry`. */
export const TELEMETRY_ACTIONS = ["on", "off", "status"] as const;

/**
 * `lua telemetry on|off|status`: turns telemetry on or off in `~/.lua-cli/telemetry.json`
 * (for both CLIs), or says whether it is on and what decided it. The state is data on stdout;
 * the rest goes to stderr.
 *
 * @param options The action.
 * @param cli The CLI context.
 * @throws {UsageError} For an unknown action.
 */
export async function runTelemetry(
  options: TelemetryCommandOptions,
  cli: CliContext,
): Promise<void> {
  const action = options.action ?? "status";
  if (!(TELEMETRY_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError("The action must be on, off or status", {
      hints: ["lua telemetry on | off | status"],
    });
  }
  const read = await readTelemetryFile(cli);
  if (action !== "status") {
    const base = read === null || read === "invalid" ? newTelemetryFile() : read.file;
    const path = await writeTelemetryFile(cli, { ...base, enabled: action === "on" });
    say(cli, `Telemetry ${action === "on" ? "enabled" : "disabled"} in ${path}`);
  }
  const state = await telemetryState(cli);
  if (action === "status") {
    cli.io.out(`Telemetry: ${state.enabled ? "enabled" : "disabled"}\n`);
  }
  if (state.decidedBy === "environment" || state.decidedBy === "dotenv") {
    say(cli, `Telemetry is off: ${state.detail} wins over the file`);
  } else if (action === "status") {
    say(
      cli,
      state.decidedBy === "file" ? `Set in ${state.detail}.` : "On by default.",
    );
    say(cli, "Turn it off with: lua telemetry off (or LUA_TELEMETRY=false, or DO_NOT_TRACK=1)");
  }
}

/** `lua telemetry on|off|status`, declared. */
export const telemetryCommand: Command = defineCommand({
  name: "telemetry",
  summary: "Turn anonymous usage data on or off, or show whether it is on.",
  flags: {},
  argument: { name: "action", choices: TELEMETRY_ACTIONS, default: "status" },
  examples: [["lua telemetry off"], ["lua telemetry", "on or off, and what decided it"]],
  run: (_flags, cli, { argument }) => runTelemetry({ action: argument ?? "status" }, cli),
});
