/**
 * Finding the API key: `LUA_API_KEY`, then the file `LUA_API_KEY_FILE` names, then
 * `~/.lua-cli/credentials`, then `.env` in the current directory. The first source that has a
 * key wins, whatever the others hold.
 *
 * @module
 */

import type { Context } from "./context.ts";
import {
  API_KEY_FILE_VARIABLE,
  readApiKeyFile,
  readCredentials,
  type ReadOptions,
} from "./credentials.ts";
import { dotenvPath, readDotenvKey } from "./dotenv.ts";
import { LuaError, PermissionError, permissionErrorFrom, UsageError } from "./errors.ts";
import { absolutePath, credentialsPath } from "./paths.ts";
import { validateApiKey } from "./validate.ts";

/** The name of the environment variable that holds a key. */
export const API_KEY_VARIABLE = "LUA_API_KEY";

/** Where a key came from. */
export type KeySource =
  | { kind: "env"; variable: typeof API_KEY_VARIABLE }
  | { kind: "env-file"; variable: typeof API_KEY_FILE_VARIABLE; path: string }
  | { kind: "credentials"; path: string }
  | { kind: "dotenv"; path: string };

/** A key and where it came from. */
export interface ResolvedApiKey {
  /** The API key. */
  key: string;
  /** Its source. */
  source: KeySource;
}

/** One source as {@linkcode listKeySources} found it. */
export interface SourceReport {
  /** The source. For a file that cannot be located (no home directory) `path` is empty. */
  source: KeySource;
  /** The key it holds, if any. */
  key?: string;
  /** Why the source could not be read, if it could not. */
  error?: LuaError;
}

/**
 * Describes a source for people: `LUA_API_KEY environment variable`,
 * `LUA_API_KEY_FILE (/run/secrets/lua_api_key)`, or the file's path.
 *
 * @example
 * ```ts
 * import { describeSource } from "./resolve.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeSource({ kind: "dotenv", path: "/p/.env" }), ".env file /p/.env");
 * ```
 *
 * @param source The source.
 * @returns A short description.
 */
export function describeSource(source: KeySource): string {
  switch (source.kind) {
    case "env":
      return `${source.variable} environment variable`;
    case "env-file":
      return `${source.variable} (${source.path})`;
    case "credentials":
      return `credentials file ${source.path}`;
    case "dotenv":
      return `.env file ${source.path}`;
  }
}

/**
 * The key in `LUA_API_KEY`, if it is set and not blank.
 *
 * @throws {UsageError} When it holds spaces, control characters or more than 1 KiB: the
 * variable is named, its value never shown.
 */
function envKey(ctx: Context): string | undefined {
  const raw = ctx.env(API_KEY_VARIABLE);
  if (!raw?.trim()) return undefined;
  try {
    return validateApiKey(raw);
  } catch (error) {
    const why = error instanceof Error
      ? error.message.replace(/^The API key /, "it ")
      : "it is not a key";
    throw new UsageError(
      `Cannot use the ${API_KEY_VARIABLE} environment variable: ${why}`,
      {
        hints: [`Set it to the key alone, or unset it: unset ${API_KEY_VARIABLE}`],
        cause: error,
      },
    );
  }
}

/**
 * The file `LUA_API_KEY_FILE` names, made absolute against the current directory, if the
 * variable is set and not blank. The variable is optional: one that Deno does not let us read
 * (a narrowed `--allow-env`) counts as unset, as every optional variable does.
 */
function keyFilePath(ctx: Context): string | undefined {
  let raw;
  try {
    raw = ctx.env(API_KEY_FILE_VARIABLE);
  } catch (error) {
    if (permissionErrorFrom(error) instanceof PermissionError) return undefined;
    throw error;
  }
  if (!raw?.trim()) return undefined;
  return absolutePath(ctx, raw);
}

function envFileSource(path: string): KeySource {
  return { kind: "env-file", variable: API_KEY_FILE_VARIABLE, path };
}

/**
 * Resolves the API key the CLI would use, and its source.
 *
 * @example
 * ```ts
 * import { denoContext, resolveApiKey } from "../mod.ts";
 * const resolved = await resolveApiKey(denoContext());
 * console.log(resolved ? `using the key from ${resolved.source.kind}` : "no key");
 * ```
 *
 * @param ctx Environment, files and current directory.
 * @param options Where warnings go.
 * @returns The key and its source, or `undefined` when no source has one.
 * @throws {FileError} When `LUA_API_KEY_FILE` names a file that is missing, blank, malformed or
 * unreadable (it is never skipped), when the credentials file is needed but malformed or
 * unreadable, or the home directory is unknown.
 * @throws {UsageError} When `LUA_API_KEY` is set to something that cannot be a key.
 */
export async function resolveApiKey(
  ctx: Context,
  options: ReadOptions = {},
): Promise<ResolvedApiKey | undefined> {
  const fromEnv = envKey(ctx);
  if (fromEnv) return { key: fromEnv, source: { kind: "env", variable: API_KEY_VARIABLE } };
  const keyFile = keyFilePath(ctx);
  if (keyFile !== undefined) {
    const { key, path } = await readApiKeyFile(ctx, keyFile, options);
    return { key, source: envFileSource(path) };
  }
  const stored = await readCredentials(ctx, options);
  if (stored) return { key: stored.key, source: { kind: "credentials", path: stored.path } };
  const dotenv = await readDotenvKey(ctx, options);
  if (dotenv) return { key: dotenv.key, source: { kind: "dotenv", path: dotenv.path } };
  return undefined;
}

/** Options of {@linkcode listKeySources}. */
export interface ListOptions extends ReadOptions {
  /**
   * Leave out the credentials file: neither read nor reported (`lua auth logout`, which has
   * just deleted it, asks only which other sources still hold a key).
   */
  skipCredentials?: boolean;
}

/**
 * Reports every source in priority order, whether or not it holds a key; errors are recorded
 * in the report rather than thrown. The first report with a key or an error decides, as in
 * {@linkcode resolveApiKey}: its key is the one in use, or its error stops resolution.
 *
 * @example
 * ```ts
 * import { denoContext, listKeySources } from "../mod.ts";
 * for (const report of await listKeySources(denoContext())) {
 *   console.log(report.source.kind, report.key ? "found" : "not found");
 * }
 * ```
 *
 * @param ctx Environment, files and current directory.
 * @param options Where warnings go; whether to leave out the credentials file.
 * @returns The reports: environment, the `LUA_API_KEY_FILE` file (only when the variable is
 * set), credentials file (unless skipped), `.env`.
 */
export async function listKeySources(
  ctx: Context,
  options: ListOptions = {},
): Promise<SourceReport[]> {
  const env: SourceReport = { source: { kind: "env", variable: API_KEY_VARIABLE } };
  try {
    const fromEnv = envKey(ctx);
    if (fromEnv) env.key = fromEnv;
  } catch (error) {
    if (!(error instanceof LuaError)) throw error;
    env.error = error;
  }
  const reports = [env];

  // A file shadowed by LUA_API_KEY is still read, as a shadowed credentials file is: the reader
  // stats before it opens and takes only a regular file of at most 64 KiB, so this is cheap and
  // safe, and a stale or broken secret shows up before LUA_API_KEY is unset.
  const keyFile = keyFilePath(ctx);
  if (keyFile !== undefined) {
    const envFile: SourceReport = { source: envFileSource(keyFile) };
    try {
      envFile.key = (await readApiKeyFile(ctx, keyFile, options)).key;
    } catch (error) {
      if (!(error instanceof LuaError)) throw error;
      envFile.error = error;
    }
    reports.push(envFile);
  }

  if (!options.skipCredentials) {
    let credentials: SourceReport;
    let path = "";
    try {
      path = credentialsPath(ctx);
      credentials = { source: { kind: "credentials", path } };
      const stored = await readCredentials(ctx, options);
      if (stored) credentials.key = stored.key;
    } catch (error) {
      if (!(error instanceof LuaError)) throw error;
      // `path` stays empty when the home directory is unknown.
      credentials = { source: { kind: "credentials", path }, error };
    }
    reports.push(credentials);
  }

  const dotenv: SourceReport = { source: { kind: "dotenv", path: dotenvPath(ctx) } };
  const found = await readDotenvKey(ctx, options);
  if (found) dotenv.key = found.key;
  reports.push(dotenv);
  return reports;
}
