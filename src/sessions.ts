/**
 * The sessions the platform's own CLI keeps in `~/.lua-cli/sessions/*.json` after its email
 * login (`kind: "firebase-session"`). This CLI authenticates with API keys only and never uses
 * a session; it lists them, so users know why a key is missing, and deletes them at logout.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { fileErrorFrom } from "./credentials.ts";
import { configDir, joinPath } from "./paths.ts";
import { isFsError } from "./fs_error.ts";

/** The folder of the other CLI's sessions, inside `~/.lua-cli`. */
export const SESSIONS_DIR_NAME = "sessions";
/** A session file larger than this is not a session. */
const MAX_SESSION_BYTES = 64 * 1024;

/**
 * The path of the sessions folder.
 *
 * @param ctx Environment and OS.
 * @returns `~/.lua-cli/sessions`.
 */
export function sessionsDir(ctx: Pick<Context, "env" | "os">): string {
  return joinPath(ctx, configDir(ctx), SESSIONS_DIR_NAME);
}

async function isSession(ctx: Context, path: string): Promise<boolean> {
  try {
    const info = await ctx.fs.lstat(path);
    if (!info.isFile || info.size > MAX_SESSION_BYTES) return false;
    const value = JSON.parse(await ctx.fs.readTextFile(path));
    return typeof value === "object" && value !== null && value.kind === "firebase-session";
  } catch {
    return false;
  }
}

/**
 * Lists the session files of the platform's own CLI: regular `*.json` files in
 * `~/.lua-cli/sessions` whose `kind` is `"firebase-session"`. Nothing else is read of them.
 *
 * @example
 * ```ts
 * import { denoContext, listSessions } from "@lua/cli";
 * const sessions = await listSessions(denoContext());
 * console.log(`${sessions.length} session(s) of the other CLI`);
 * ```
 *
 * @param ctx Environment and file system.
 * @returns Their paths, sorted; none when the home directory is unknown, or the folder is
 *   missing or unreadable.
 */
export async function listSessions(ctx: Context): Promise<string[]> {
  let dir: string;
  let names: string[];
  try {
    dir = sessionsDir(ctx);
    names = await ctx.fs.readDir(dir);
  } catch {
    // No home directory, no folder, or no permission to list it: no sessions to speak of.
    return [];
  }
  const paths = names.filter((name) => name.endsWith(".json") && !name.startsWith("."))
    .sort().map((name) => joinPath(ctx, dir, name));
  const checks = await Promise.all(paths.map((path) => isSession(ctx, path)));
  return paths.filter((_, i) => checks[i]);
}

/**
 * Deletes the session files of the platform's own CLI. The sessions are not ended on the
 * platform: only the local files go. A file already gone is skipped.
 *
 * @example
 * ```ts ignore
 * import { deleteSessions, denoContext } from "@lua/cli";
 * const deleted = await deleteSessions(denoContext());
 * console.log(`deleted ${deleted.length} session file(s)`);
 * ```
 *
 * @param ctx Environment and file system.
 * @param paths The session files, as {@linkcode listSessions} found them; listed when absent.
 * @returns The paths deleted.
 * @throws {FileError} When a session file cannot be deleted.
 */
export async function deleteSessions(
  ctx: Context,
  paths?: readonly string[],
): Promise<string[]> {
  paths ??= await listSessions(ctx);
  const deleted: string[] = [];
  for (const path of paths) {
    try {
      await ctx.fs.remove(path);
      deleted.push(path);
    } catch (error) {
      if (isFsError(error, "NotFound")) continue;
      throw fileErrorFrom(error, "Cannot delete session file", path);
    }
  }
  return deleted;
}
