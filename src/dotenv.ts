/**
 * Reading `LUA_API_KEY` from a `.env` file in the current directory: only that variable, never
 * loading the others into the environment.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { ReadOptions, StoredKey } from "./credentials.ts";
import { PermissionError, permissionErrorFrom } from "./errors.ts";
import { isFsError } from "./fs_error.ts";
import { joinPath } from "./paths.ts";
import { validateApiKey } from "./validate.ts";

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
  const value = parseEnv(text)["LUA_API_KEY"]?.trim();
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

/**
 * Reads `LUA_API_KEY` from `.env` in the current directory. A missing file is normal; a file
 * that cannot be used (a directory, unreadable, binary, larger than 1 MiB, or holding a key
 * with spaces in it) gives a warning and counts as no key.
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
  try {
    const info = await ctx.fs.stat(path);
    if (info.isDirectory) return warn("it is a directory");
    if (!info.isFile) return warn("it is not a regular file");
    if (info.size > MAX_DOTENV_BYTES) return warn(`it is larger than ${MAX_DOTENV_BYTES} bytes`);
    const text = await ctx.fs.readTextFile(path);
    if (text.includes("\u0000")) return warn("it is not a text file");
    const key = await parseDotenvKey(text);
    if (key === undefined) return undefined;
    try {
      return { key: validateApiKey(key), path };
    } catch {
      return warn("its LUA_API_KEY has spaces or control characters in it, or is too long");
    }
  } catch (error) {
    if (isFsError(error, "NotFound")) return undefined;
    const converted = permissionErrorFrom(error);
    if (converted instanceof PermissionError) throw converted;
    if (isFsError(error, "PermissionDenied")) return warn("permission denied");
    return warn(error instanceof Error ? error.message : String(error));
  }
}
