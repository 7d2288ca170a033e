/**
 * Reading a `.env` file in the current directory: `LUA_API_KEY` (the key's third source) and the
 * settings `LUA_AUTH_URL`, `LUA_API_URL` and `LUA_TELEMETRY`; nothing else is read and nothing
 * is loaded into the environment.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { ReadOptions, StoredKey } from "./credentials.ts";
import { PermissionError, permissionErrorFrom } from "./errors.ts";
import { joinPath } from "./paths.ts";
import { validateApiKey } from "./validate.ts";
import { isFsError } from "./fs_error.ts";

/** A `.env` larger than this is not read. */
export const MAX_DOTENV_BYTES = 1024 * 1024;

/**
 * Extracts `LUA_API_KEY` from the text of a `.env` file.
 *
 * @example
 * ```ts
 * import { parseDotenvKey } from "./dotenv.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await parseDotenvKey('OTHER=1\nLUA_API_KEY="api_abc"\n'), "api_abc");
 * assert.equal(await parseDotenvKey("OTHER=1"), undefined);
 * ```
 *
 * @param text The file's contents.
 * @returns The trimmed key, or `undefined` when absent or blank.
 */
export async function parseDotenvKey(text: string): Promise<string | undefined> {
  // Loaded only when a .env file exists: node:util brings in Node compatibility.
  const { parseEnv } = await import("node:util");
  const value = parseEnv(text.replace(/^\uFEFF/, ""))["LUA_API_KEY"]?.trim();
  return value ? value : undefined;
}

/**
 * The `.env` file the resolver reads: `.env` in the current directory.
 *
 * @param ctx Where the current directory comes from.
 * @returns Its absolute path.
 */
export function dotenvPath(ctx: Pick<Context, "cwd" | "os">): string {
  return joinPath(ctx, ctx.cwd(), ".env");
}

/** The settings read from `.env` besides the key, as the platform's own CLI reads them. */
export const DOTENV_SETTINGS = ["LUA_AUTH_URL", "LUA_API_URL", "LUA_TELEMETRY"] as const;

/** One of {@linkcode DOTENV_SETTINGS}. */
export type DotenvSetting = typeof DOTENV_SETTINGS[number];

/**
 * The text of `.env`, when it is a regular text file of at most 1 MiB; otherwise `undefined`,
 * after a warning for a file that exists but cannot be used.
 */
async function readDotenvText(
  ctx: Context,
  path: string,
  warn: (why: string) => undefined,
): Promise<string | undefined> {
  try {
    const info = await ctx.fs.stat(path);
    if (info.isDirectory) return warn("it is a directory");
    if (!info.isFile) return warn("it is not a regular file");
    if (info.size > MAX_DOTENV_BYTES) return warn(`it is larger than ${MAX_DOTENV_BYTES} bytes`);
    // A byte-order mark (a file saved by Notepad) is not part of the first variable's name.
    const text = (await ctx.fs.readTextFile(path)).replace(/^\uFEFF/, "");
    if (text.includes("\u0000")) return warn("it is not a text file");
    return text;
  } catch (error) {
    if (isFsError(error, "NotFound")) return undefined;
    const converted = permissionErrorFrom(error);
    // Deno reads special files (a link to /proc/self/environ) only with --allow-all: that is
    // no reason to ask for it, the file is simply not a .env.
    if (converted instanceof PermissionError && /--allow-all/.test(String(error))) {
      return warn("it is a special file (such as a link into /proc), not a .env file");
    }
    if (converted instanceof PermissionError) throw converted;
    if (isFsError(error, "PermissionDenied")) return warn("permission denied");
    return warn(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Reads `LUA_API_KEY` from `.env` in the current directory. A missing file is normal; a file
 * that cannot be used (a directory, a device or other special file, unreadable, binary, larger
 * than 1 MiB, or holding a key with spaces in it) gives a warning and counts as no key. A
 * leading byte-order mark is ignored.
 *
 * @example
 * ```ts
 * import { readDotenvKey } from "./dotenv.ts";
 * import { denoContext } from "./context.ts";
 * const found = await readDotenvKey(denoContext(), { onWarning: console.warn });
 * console.log(found ? `key in ${found.path}` : "no key in .env");
 * ```
 *
 * @param ctx Current directory and file system.
 * @param options Where warnings go.
 * @returns The key and the file, or `undefined`.
 * @throws {PermissionError} When Deno's read permission is missing.
 */
export async function readDotenvKey(
  ctx: Context,
  options: ReadOptions = {},
): Promise<StoredKey | undefined> {
  const path = dotenvPath(ctx);
  const warn = (why: string): undefined => {
    options.onWarning?.(`Ignoring "${path}": ${why}.`);
    return undefined;
  };
  const text = await readDotenvText(ctx, path, warn);
  if (text === undefined) return undefined;
  const key = await parseDotenvKey(text);
  if (key === undefined) return undefined;
  try {
    return { key: validateApiKey(key), path };
  } catch {
    return warn("its LUA_API_KEY has spaces or control characters in it, or is too long");
  }
}

/**
 * Reads the settings of {@linkcode DOTENV_SETTINGS} from `.env` in the current directory,
 * silently: a file that cannot be used holds no settings (the key reader warns about it).
 * Nothing is loaded into the environment and no other variable is read.
 *
 * @example
 * ```ts
 * import { readDotenvSettings } from "./dotenv.ts";
 * import { denoContext } from "./context.ts";
 * const settings = await readDotenvSettings(denoContext());
 * console.log(settings.LUA_API_URL ?? "LUA_API_URL is not set in .env");
 * ```
 *
 * @param ctx Current directory and file system.
 * @returns The non-empty settings found, trimmed.
 * @throws {PermissionError} When Deno's read permission is missing.
 */
export async function readDotenvSettings(
  ctx: Context,
): Promise<Partial<Record<DotenvSetting, string>>> {
  const text = await readDotenvText(ctx, dotenvPath(ctx), () => undefined);
  if (text === undefined) return {};
  const { parseEnv } = await import("node:util");
  const parsed = parseEnv(text);
  const settings: Partial<Record<DotenvSetting, string>> = {};
  for (const name of DOTENV_SETTINGS) {
    const value = parsed[name]?.trim();
    if (value) settings[name] = value;
  }
  return settings;
}

/**
 * The environment with {@linkcode DOTENV_SETTINGS} filled in from `.env` where the
 * environment does not set them: an exported variable always wins. `.env` is read only when
 * one of them is missing.
 *
 * @example
 * ```ts
 * import { envWithDotenvSettings } from "./dotenv.ts";
 * import { denoContext } from "./context.ts";
 * const env = await envWithDotenvSettings(denoContext());
 * console.log(env("LUA_API_URL") ?? "default API URL");
 * ```
 *
 * @param ctx Environment, current directory and file system.
 * @param names The settings to fill in; all of {@linkcode DOTENV_SETTINGS} by default.
 * @returns A lookup like `ctx.env`.
 */
export async function envWithDotenvSettings(
  ctx: Context,
  names: readonly DotenvSetting[] = DOTENV_SETTINGS,
): Promise<(name: string) => string | undefined> {
  // Only the settings asked for are looked up: a narrowed --allow-env may grant no others.
  const missing = names.filter((name) => !ctx.env(name)?.trim());
  if (missing.length === 0) return ctx.env;
  let settings: Partial<Record<DotenvSetting, string>> = {};
  try {
    settings = await readDotenvSettings(ctx);
  } catch (error) {
    // Without read permission there are no settings from .env; the key reader reports it.
    if (!(error instanceof PermissionError)) throw error;
  }
  return (name) => {
    const value = ctx.env(name);
    if (value?.trim()) return value;
    return (missing as readonly string[]).includes(name)
      ? settings[name as DotenvSetting] ?? value
      : value;
  };
}
