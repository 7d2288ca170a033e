/**
 * Where the CLI keeps its files: `~/.lua-cli/credentials` and friends.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { FileError } from "./errors.ts";

/** The name of the configuration directory inside the home directory. */
export const CONFIG_DIR_NAME = ".lua-cli";
/** The name of the credentials file inside the configuration directory. */
export const CREDENTIALS_FILE_NAME = "credentials";

/**
 * Joins path segments with the separator of the context's platform (`\\` when `ctx.os` is
 * `"windows"`, `/` elsewhere), as `node:path`'s `join` does for plain segments. Kept here
 * rather than imported from `node:path` so that the everyday commands start without Node
 * compatibility.
 *
 * @example
 * ```ts
 * import { joinPath } from "./paths.ts";
 * import assert from "node:assert/strict";
 * const linux = { os: "linux" };
 * assert.equal(joinPath(linux, "/home/ada/", ".lua-cli", "credentials"), "/home/ada/.lua-cli/credentials");
 * assert.equal(joinPath({ os: "windows" }, "C:\\Users\\ada", ".env"), "C:\\Users\\ada\\.env");
 * ```
 *
 * @param ctx Which platform's separator.
 * @param first The first segment.
 * @param rest The following segments.
 * @returns The joined path.
 */
export function joinPath(ctx: Pick<Context, "os">, first: string, ...rest: string[]): string {
  const separator = ctx.os === "windows" ? "\\" : "/";
  let path = first;
  for (const part of rest) {
    path = path.endsWith("/") || path.endsWith(separator) ? path + part : path + separator + part;
  }
  return path;
}

/**
 * The directory part of a path (everything before the last separator).
 *
 * @example
 * ```ts
 * import { parentDir } from "./paths.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parentDir("/home/ada/.lua-cli/credentials"), "/home/ada/.lua-cli");
 * ```
 *
 * @param path The path.
 * @returns Its parent directory.
 */
export function parentDir(path: string): string {
  const index = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (index < 0) return ".";
  return index === 0 ? path.slice(0, 1) : path.slice(0, index);
}

/**
 * A path made absolute against the current directory; an absolute one is returned unchanged
 * (on Windows a drive path such as `C:\x`, a UNC path, or one from the root such as `\x`).
 *
 * @example
 * ```ts
 * import { absolutePath } from "./paths.ts";
 * import assert from "node:assert/strict";
 * const ctx = { os: "linux", cwd: () => "/work" };
 * assert.equal(absolutePath(ctx, "/run/secrets/key"), "/run/secrets/key");
 * assert.equal(absolutePath(ctx, "secrets/key"), "/work/secrets/key");
 * ```
 *
 * @param ctx The operating system and the current directory.
 * @param path The path, absolute or relative.
 * @returns An absolute path.
 */
export function absolutePath(ctx: Pick<Context, "os" | "cwd">, path: string): string {
  const absolute = ctx.os === "windows" ? /^([A-Za-z]:)?[\\/]/.test(path) : path.startsWith("/");
  return absolute ? path : joinPath(ctx, ctx.cwd(), path);
}

/**
 * The user's home directory: `HOME`, or `USERPROFILE` on Windows.
 *
 * @example
 * ```ts
 * import { homeDir } from "./paths.ts";
 * import assert from "node:assert/strict";
 * const ctx = { env: (n: string) => n === "HOME" ? "/home/ada" : undefined, os: "linux" };
 * assert.equal(homeDir(ctx), "/home/ada");
 * ```
 *
 * @param ctx Where to read the environment.
 * @returns The home directory.
 * @throws {FileError} When neither variable is set.
 */
export function homeDir(ctx: Pick<Context, "env" | "os">): string {
  const home = ctx.env("HOME") || (ctx.os === "windows" ? ctx.env("USERPROFILE") : undefined);
  if (!home) {
    const variable = ctx.os === "windows" ? "USERPROFILE" : "HOME";
    throw new FileError(
      `Cannot find the home directory: ${variable} is not set.`,
      `$${variable}`,
      { hints: [`Set ${variable}, or pass the key in the LUA_API_KEY environment variable.`] },
    );
  }
  return home;
}

/**
 * The configuration directory, `~/.lua-cli`.
 *
 * @param ctx Where to read the environment.
 * @returns Its absolute path.
 */
export function configDir(ctx: Pick<Context, "env" | "os">): string {
  return joinPath(ctx, homeDir(ctx), CONFIG_DIR_NAME);
}

/**
 * The credentials file, `~/.lua-cli/credentials`.
 *
 * @example
 * ```ts
 * import { credentialsPath } from "./paths.ts";
 * import assert from "node:assert/strict";
 * const ctx = { env: (n: string) => n === "HOME" ? "/home/ada" : undefined, os: "linux" };
 * assert.equal(credentialsPath(ctx), "/home/ada/.lua-cli/credentials");
 * ```
 *
 * @param ctx Where to read the environment.
 * @returns Its absolute path.
 */
export function credentialsPath(ctx: Pick<Context, "env" | "os">): string {
  return joinPath(ctx, configDir(ctx), CREDENTIALS_FILE_NAME);
}
