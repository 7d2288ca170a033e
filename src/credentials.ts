/**
 * The credentials file, `~/.lua-cli/credentials`: the API key alone on one line, owner-only
 * (0600) in an owner-only directory (0700), replaced atomically.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { FileError, LuaError, permissionErrorFrom } from "./errors.ts";
import { configDir, CREDENTIALS_FILE_NAME, credentialsPath, joinPath, parentDir } from "./paths.ts";
import { DOTENV_KEY_LINE, validateApiKey } from "./validate.ts";
import { isFsError } from "./fs_error.ts";
import { shellQuote } from "./shell_quote.ts";

/** A key read from the credentials file. */
export interface StoredKey {
  /** The API key. */
  key: string;
  /** The file it came from. */
  path: string;
}

/** Options for the functions that read local files. */
export interface ReadOptions {
  /** Receives warnings (loose permissions, unreadable `.env`) for the user; ignored by default. */
  onWarning?: (message: string) => void;
}

/** Temporary files are named with this prefix, in the same directory as the target. */
export const TEMP_PREFIX = ".credentials.tmp-";
/**
 * Temporary files older than this are left over from a crashed run and removed. A live writer
 * holds its temporary file for milliseconds, between writing it and renaming it.
 */
export const STALE_TEMP_MS = 10_000;
/** No honest credentials file is larger. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * Turns a file system failure into a {@linkcode FileError} naming the file, or a
 * {@linkcode PermissionError} when a Deno permission is missing (but not for a special file
 * that only `--allow-all` would open: that is a {@linkcode FileError}).
 *
 * @param error What the file system threw.
 * @param what How to describe the operation, e.g. `Cannot read credentials file`.
 * @param path The file.
 * @returns An error for the user.
 */
export function fileErrorFrom(error: unknown, what: string, path: string): LuaError {
  // Deno opens special files (a link to /proc/self/environ) only with --allow-all: the file is
  // not one we can use, and that is no reason to ask for every permission.
  if (error instanceof Error && error.name === "NotCapable" && /--allow-all/.test(error.message)) {
    return new FileError(`${what} "${path}": it is a special file, not a regular one`, path, {
      cause: error,
    });
  }
  const converted = permissionErrorFrom(error);
  if (converted instanceof LuaError) return converted;
  let reason = error instanceof Error ? error.message : String(error);
  if (isFsError(error, "PermissionDenied")) reason = "permission denied";
  else if (isFsError(error, "IsADirectory")) reason = "it is a directory";
  else if (isFsError(error, "NotADirectory")) reason = "a parent is not a directory";
  else if (isFsError(error, "NotFound")) reason = "no such file or directory";
  return new FileError(`${what} "${path}": ${reason}`, path, { cause: error });
}

/** The environment variable that names a file holding the key (Docker and Kubernetes secrets). */
export const API_KEY_FILE_VARIABLE = "LUA_API_KEY_FILE";

/**
 * How the messages about one kind of key file name it and what they advise. The checks are
 * the same for every key file; only these words differ.
 */
interface KeyFileNaming {
  /** The file as a sentence's subject: `Credentials file`. */
  subject: string;
  /** The start of a read failure: `Cannot read credentials file`. */
  cannotRead: string;
  /** Hints for a file that holds anything but one key. */
  malformedHints: readonly string[];
  /** Hints for a directory at the path. */
  directoryHints: (path: string) => string[];
  /**
   * What a missing or blank file means: `undefined` is "no key here, ask the next source"; a
   * string is the hint of the error it is instead.
   */
  absentHint?: string;
}

/** `~/.lua-cli/credentials`: a missing or blank one is simply no key. */
const CREDENTIALS_NAMING: KeyFileNaming = {
  subject: "Credentials file",
  cannotRead: "Cannot read credentials file",
  malformedHints: [
    "Store a key again: lua auth configure",
    "Or remove the file: lua auth logout --force",
  ],
  directoryHints: (path) => [
    `Move it out of the way: mv ${shellQuote(path)} ${shellQuote(`${path}.bak`)}`,
  ],
};

/**
 * The file `LUA_API_KEY_FILE` names: it was asked for, so a missing or blank one is an error,
 * never a silent fall back to a lower source.
 */
const KEY_FILE_NAMING: KeyFileNaming = {
  subject: `${API_KEY_FILE_VARIABLE} file`,
  cannotRead: `Cannot read ${API_KEY_FILE_VARIABLE} file`,
  malformedHints: [
    `Fix the file, or unset it: unset ${API_KEY_FILE_VARIABLE}`,
  ],
  directoryHints: () => [
    `Point ${API_KEY_FILE_VARIABLE} at the file inside it, or unset it: unset ${API_KEY_FILE_VARIABLE}`,
  ],
  absentHint:
    `Point ${API_KEY_FILE_VARIABLE} at a file holding the key, or unset it: unset ${API_KEY_FILE_VARIABLE}`,
};

function malformed(naming: KeyFileNaming, path: string, why: string): FileError {
  const rule = "it must hold the API key alone on one line";
  return new FileError(`${naming.subject} "${path}" is malformed: ${why}; ${rule}`, path, {
    hints: [...naming.malformedHints],
  });
}

/**
 * Parses the contents of a credentials file: the key alone, surrounding whitespace ignored.
 *
 * @example
 * ```ts
 * import { parseCredentials } from "./credentials.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseCredentials("  api_123\r\n", "/c"), "api_123");
 * assert.equal(parseCredentials("\n \n", "/c"), undefined);
 * ```
 *
 * @param text The file's contents.
 * @param path The file, for error messages.
 * @returns The key, or `undefined` for an empty or blank file.
 * @throws {FileError} When the file holds anything but one key.
 */
export function parseCredentials(text: string, path: string): string | undefined {
  return parseKeyText(text, path, CREDENTIALS_NAMING);
}

function parseKeyText(text: string, path: string, naming: KeyFileNaming): string | undefined {
  const lines = text.split(/\r?\n|\r/).map((line) => line.trim()).filter((line) => line !== "");
  if (lines.length === 0) return undefined;
  if (lines.some((line) => DOTENV_KEY_LINE.test(line))) {
    throw malformed(naming, path, "it holds LUA_API_KEY=…, the .env format");
  }
  if (lines.length > 1) throw malformed(naming, path, `it has ${lines.length} non-blank lines`);
  const key = lines[0]!;
  try {
    validateApiKey(key);
  } catch {
    throw malformed(naming, path, "the key has spaces or control characters in it, or is too long");
  }
  return key;
}

function looseModeWarnings(
  ctx: Context,
  naming: KeyFileNaming,
  path: string,
  fileMode: number | null,
  dirMode: number | null,
): string[] {
  if (ctx.os === "windows") return [];
  const warnings: string[] = [];
  if (fileMode !== null && (fileMode & 0o077) !== 0) {
    const mode = (fileMode & 0o777).toString(8).padStart(4, "0");
    warnings.push(
      `${naming.subject} "${path}" is accessible by other users (mode ${mode}); fix it: chmod 600 ${
        shellQuote(path)
      }`,
    );
  }
  if (dirMode !== null && (dirMode & 0o022) !== 0) {
    const dir = parentDir(path);
    const mode = (dirMode & 0o777).toString(8).padStart(4, "0");
    warnings.push(
      `Directory "${dir}" is writable by other users (mode ${mode}); fix it: chmod 700 ${
        shellQuote(dir)
      }`,
    );
  }
  return warnings;
}

/**
 * Reads a key file: a regular file (a symbolic link is followed), at most 64 KiB, holding one
 * key on one line. Loose modes give warnings with the `chmod` that fixes them; the key is
 * still used. The one reader of the credentials file and of the `LUA_API_KEY_FILE` file.
 */
async function readKeyFile(
  ctx: Context,
  path: string,
  naming: KeyFileNaming,
  options: ReadOptions,
): Promise<StoredKey | undefined> {
  const absent = (cause?: unknown, why = "no such file or directory"): undefined => {
    if (naming.absentHint === undefined) return undefined;
    throw new FileError(`${naming.cannotRead} "${path}": ${why}`, path, {
      hints: [naming.absentHint],
      ...(cause === undefined ? {} : { cause }),
    });
  };
  let info;
  try {
    info = await ctx.fs.stat(path);
  } catch (error) {
    if (isFsError(error, "NotFound")) return absent(error);
    throw fileErrorFrom(error, naming.cannotRead, path);
  }
  if (info.isDirectory) {
    throw new FileError(`${naming.cannotRead} "${path}": it is a directory`, path, {
      hints: naming.directoryHints(path),
    });
  }
  if (!info.isFile) {
    throw new FileError(`${naming.cannotRead} "${path}": it is not a regular file`, path);
  }
  if (info.size > MAX_FILE_BYTES) throw malformed(naming, path, `it is ${info.size} bytes long`);
  let text;
  try {
    text = await ctx.fs.readTextFile(path);
  } catch (error) {
    // Deleted between the check and the read (a concurrent logout): there is no file.
    if (isFsError(error, "NotFound")) return absent(error);
    throw fileErrorFrom(error, naming.cannotRead, path);
  }
  const key = parseKeyText(text, path, naming);
  if (key === undefined) return absent(undefined, "it is empty");
  if (options.onWarning) {
    const dirMode = await ctx.fs.stat(parentDir(path)).then((d) => d.mode, () => null);
    for (const warning of looseModeWarnings(ctx, naming, path, info.mode, dirMode)) {
      options.onWarning(warning);
    }
  }
  return { key, path };
}

/**
 * Reads the key from `~/.lua-cli/credentials`.
 *
 * A symbolic link at that path is followed; its target must be a regular file. A file or
 * directory that other users can reach gives a warning with the `chmod` that fixes it, and
 * the key is still used.
 *
 * @example
 * ```ts
 * import { readCredentials } from "./credentials.ts";
 * import { denoContext } from "./context.ts";
 * const stored = await readCredentials(denoContext());
 * console.log(stored ? `key in ${stored.path}` : "no credentials file");
 * ```
 *
 * @param ctx Environment and file system.
 * @param options Where warnings go.
 * @returns The key and the file, or `undefined` when there is no file or it is blank.
 * @throws {FileError} When the file cannot be read or is malformed.
 */
export async function readCredentials(
  ctx: Context,
  options: ReadOptions = {},
): Promise<StoredKey | undefined> {
  return await readKeyFile(ctx, credentialsPath(ctx), CREDENTIALS_NAMING, options);
}

/**
 * Reads the key from the file `LUA_API_KEY_FILE` names (a Docker or Kubernetes secret), with
 * the checks of the credentials file: a regular file (a symbolic link, as Kubernetes mounts
 * secrets, is followed), at most 64 KiB, the key alone on one line, and warnings with the
 * `chmod` that fixes a mode other users can reach. Unlike the credentials file, a missing or
 * blank file is an error: the variable asked for it.
 *
 * @example
 * ```ts ignore
 * import { readApiKeyFile } from "./credentials.ts";
 * import { denoContext } from "./context.ts";
 * const { key } = await readApiKeyFile(denoContext(), "/run/secrets/lua_api_key");
 * ```
 *
 * @param ctx Environment and file system.
 * @param path The file, absolute (`absolutePath` of `./paths.ts` resolves a relative one).
 * @param options Where warnings go.
 * @returns The key and the file.
 * @throws {FileError} When the file is missing, blank, unreadable or malformed; each message
 * names `LUA_API_KEY_FILE` and the path.
 */
export async function readApiKeyFile(
  ctx: Context,
  path: string,
  options: ReadOptions = {},
): Promise<StoredKey> {
  // `readKeyFile` returns `undefined` only for a naming without `absentHint`.
  return (await readKeyFile(ctx, path, KEY_FILE_NAMING, options))!;
}

/**
 * Makes sure `~/.lua-cli` is a directory we can write into. One we create, or find as a real
 * directory, is set to exactly 0700 whatever the umask (this also repairs one an earlier run
 * created under a umask such as 0277). A symbolic link to a directory is written inside but
 * never chmodded: its target may be shared, and its mode is not ours to change.
 */
async function ensureConfigDir(ctx: Context, dir: string): Promise<void> {
  const inTheWay = (cause?: unknown): FileError =>
    new FileError(`Cannot create directory "${dir}": a file is in the way`, dir, { cause });
  try {
    let info = await ctx.fs.lstat(dir).catch((error) => {
      if (isFsError(error, "NotFound")) return undefined;
      throw error;
    });
    if (!info) {
      await ctx.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      info = await ctx.fs.lstat(dir);
    }
    if (info.isSymlink) {
      if (!(await ctx.fs.stat(dir)).isDirectory) throw inTheWay();
      return;
    }
    if (!info.isDirectory) throw inTheWay();
    if (ctx.os !== "windows" && info.mode !== null && (info.mode & 0o777) !== 0o700) {
      await ctx.fs.chmod(dir, 0o700);
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    if (isFsError(error, "AlreadyExists")) throw inTheWay(error);
    throw fileErrorFrom(error, "Cannot create directory", dir);
  }
}

/**
 * Removes our temporary files in `dir` older than `olderThanMs`, or all of them. A temporary
 * file holds a whole key: one left by a killed run must not outlive a logout.
 */
async function removeTemps(ctx: Context, dir: string, olderThanMs: number | "all"): Promise<void> {
  const names = await ctx.fs.readDir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX))) {
    const temp = joinPath(ctx, dir, name);
    const info = await ctx.fs.lstat(temp).catch(() => undefined);
    const age = info?.mtime ? ctx.now() - info.mtime.getTime() : Infinity;
    if (olderThanMs === "all" || age > olderThanMs) await ctx.fs.remove(temp).catch(() => {});
  }
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Stores a key in `~/.lua-cli/credentials`, atomically: the key is written to a temporary
 * file (mode 0600) in the same directory, which is then renamed over the target. The
 * directory is created with mode 0700 whatever the umask, and set back to it if it is looser
 * or tighter; a symbolic link to a directory there is written inside, never chmodded. The
 * temporary file is flushed to disk before the rename and the directory after it. A symbolic
 * link at the target is replaced, never written through. Temporary files left by a crashed
 * earlier run are removed.
 *
 * @example
 * ```ts ignore
 * import { writeCredentials } from "./credentials.ts";
 * import { denoContext } from "./context.ts";
 * const path = await writeCredentials(denoContext(), "api_0123456789abcdef0123456789abcdef");
 * console.log(`saved to ${path}`);
 * ```
 *
 * @param ctx Environment and file system.
 * @param key The API key; validated first.
 * @returns The path of the credentials file.
 * @throws {UsageError} When the key is not a plausible key.
 * @throws {FileError} When the file cannot be written; the old file is then untouched.
 */
export async function writeCredentials(ctx: Context, key: string): Promise<string> {
  return await writeConfigFile(ctx, CREDENTIALS_FILE_NAME, validateApiKey(key), "credentials file");
}

/**
 * Writes a file of `~/.lua-cli` the way the credentials file is written: atomically through a
 * temporary file of mode 0600, in a directory of mode 0700, never through a link.
 *
 * @example
 * ```ts ignore
 * import { writeConfigFile } from "./credentials.ts";
 * import { denoContext } from "./context.ts";
 * await writeConfigFile(denoContext(), "telemetry.json", "{}\n", "telemetry file");
 * ```
 *
 * @param ctx Environment and file system.
 * @param name The file's name inside `~/.lua-cli`.
 * @param text What it holds.
 * @param what How messages name it, e.g. `"telemetry file"`.
 * @returns The file's path.
 * @throws {FileError} When the file cannot be written; the old file is then untouched.
 */
export async function writeConfigFile(
  ctx: Context,
  name: string,
  text: string,
  what: string,
): Promise<string> {
  const dir = configDir(ctx);
  const path = joinPath(ctx, dir, name);
  await ensureConfigDir(ctx, dir);
  await removeTemps(ctx, dir, STALE_TEMP_MS);
  for (let attempt = 1;; attempt++) {
    const temp = joinPath(ctx, dir, TEMP_PREFIX + randomSuffix());
    try {
      // Flushed before the rename, so that a crash never leaves an empty file in its place.
      await ctx.fs.writeTextFile(temp, text, { mode: 0o600, createNew: true, sync: true });
      if (ctx.os !== "windows") await ctx.fs.chmod(temp, 0o600);
      await ctx.fs.rename(temp, path);
      break;
    } catch (error) {
      await ctx.fs.remove(temp).catch(() => {});
      // A concurrent logout removed our temporary file: write again, as if we started after it.
      if (isFsError(error, "NotFound") && attempt < 3) continue;
      throw fileErrorFrom(error, `Cannot write ${what}`, path);
    }
  }
  // The rename is durable only once the directory is flushed. The file is in place either way,
  // so a failure here (a file system that cannot) is not reported.
  await ctx.fs.syncDir(dir).catch(() => {});
  return path;
}

/**
 * Deletes `~/.lua-cli/credentials` (a symbolic link there is removed, not its target), and
 * every temporary file of ours beside it: one left by a run killed mid-write holds a whole key.
 *
 * @example
 * ```ts ignore
 * import { deleteCredentials } from "./credentials.ts";
 * import { denoContext } from "./context.ts";
 * const deleted = await deleteCredentials(denoContext());
 * console.log(deleted ? `deleted ${deleted}` : "nothing stored");
 * ```
 *
 * @param ctx Environment and file system.
 * @returns The path that was deleted, or `undefined` when there was no file.
 * @throws {FileError} When the path cannot be deleted.
 */
export async function deleteCredentials(ctx: Context): Promise<string | undefined> {
  const path = credentialsPath(ctx);
  await removeTemps(ctx, parentDir(path), "all");
  try {
    const info = await ctx.fs.lstat(path);
    if (info.isDirectory) {
      throw new FileError(`Cannot delete credentials file "${path}": it is a directory`, path, {
        hints: [`Remove it yourself if it is yours: rm -r ${shellQuote(path)}`],
      });
    }
    await ctx.fs.remove(path);
    return path;
  } catch (error) {
    if (error instanceof FileError) throw error;
    if (isFsError(error, "NotFound")) return undefined;
    throw fileErrorFrom(error, "Cannot delete credentials file", path);
  }
}
