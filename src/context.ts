/**
 * The one small object through which the library reaches the outside world: environment,
 * files, current directory, clock and network. {@linkcode denoContext} is the real one;
 * tests pass an in-memory one.
 *
 * @module
 */

import { FS_ERROR_CODES, FsError } from "./fs_error.ts";

/** What the library needs to know about a directory entry. */
export interface FileInfo {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** A symbolic link (only from {@linkcode FileSystem.lstat}). */
  isSymlink: boolean;
  /** Permission bits and file type, or `null` where the platform has none (Windows). */
  mode: number | null;
  /** Size in bytes. */
  size: number;
  /** Last modification time, if known. */
  mtime: Date | null;
}

/** Options for {@linkcode FileSystem.writeTextFile}. */
export interface WriteOptions {
  /** Permission bits of a newly created file. */
  mode?: number;
  /** Fail with `AlreadyExists` if the file exists. */
  createNew?: boolean;
}

/**
 * The file operations the library uses, with the semantics of the Deno functions of the same
 * name. An operating-system failure is an {@linkcode FsError} (`NotFound`, `AlreadyExists`, …),
 * whatever the runtime; anything else (a missing Deno permission) is thrown as it is.
 */
export interface FileSystem {
  /** Reads a whole file as UTF-8 text. */
  readTextFile(path: string): Promise<string>;
  /** Writes a whole file. */
  writeTextFile(path: string, data: string, options?: WriteOptions): Promise<void>;
  /** Creates a directory, and its parents when `recursive`. */
  mkdir(path: string, options?: { recursive?: boolean; mode?: number }): Promise<void>;
  /** Changes permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /** Renames atomically, replacing `to` (a link at `to` is replaced, not followed). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file, an empty directory, or a link (not its target). */
  remove(path: string): Promise<void>;
  /** Information about a path, following links. */
  stat(path: string): Promise<FileInfo>;
  /** Information about a path itself, not following a final link. */
  lstat(path: string): Promise<FileInfo>;
  /** Names of the entries of a directory. */
  readDir(path: string): Promise<string[]>;
}

/** The side effects the library depends on. */
export interface Context {
  /** Reads an environment variable; `undefined` when unset. */
  env(name: string): string | undefined;
  /** The operating system, as `Deno.build.os` names it; `"windows"` also picks `\\` for paths. */
  readonly os: string;
  /** The processor architecture, as `Deno.build.arch` names it (`x86_64`, `aarch64`). */
  readonly arch: string;
  /** The current working directory. */
  cwd(): string;
  /** The file system. */
  readonly fs: FileSystem;
  /** The network. */
  readonly fetch: typeof fetch;
  /** The clock, in milliseconds since the epoch. */
  now(): number;
}

function toInfo(info: Deno.FileInfo): FileInfo {
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    isSymlink: info.isSymlink,
    mode: info.mode,
    size: info.size,
    mtime: info.mtime,
  };
}

/**
 * Deno's error for an operating-system failure as an {@linkcode FsError}: Deno's classes bear
 * the names of the codes. Anything else (`NotCapable`, a `TypeError`) is returned as it is.
 *
 * @param error What a Deno file function threw.
 * @returns The error to throw.
 */
export function fromDenoError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = FS_ERROR_CODES.find((name) => error instanceof Deno.errors[name]);
  return code ? new FsError(code, error.message, { cause: error }) : error;
}

async function mapped<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw fromDenoError(error);
  }
}

/** The real file system, through Deno's APIs. */
export const denoFileSystem: FileSystem = {
  readTextFile: (path) => mapped(() => Deno.readTextFile(path)),
  writeTextFile: (path, data, options = {}) =>
    mapped(() => Deno.writeTextFile(path, data, options)),
  mkdir: (path, options = {}) => mapped(() => Deno.mkdir(path, options)),
  chmod: (path, mode) => mapped(() => Deno.chmod(path, mode)),
  rename: (from, to) => mapped(() => Deno.rename(from, to)),
  remove: (path) => mapped(() => Deno.remove(path)),
  stat: (path) => mapped(async () => toInfo(await Deno.stat(path))),
  lstat: (path) => mapped(async () => toInfo(await Deno.lstat(path))),
  readDir: (path) =>
    mapped(async () => {
      const names: string[] = [];
      for await (const entry of Deno.readDir(path)) names.push(entry.name);
      return names;
    }),
};

/**
 * The real context: Deno's environment, file system, clock and `fetch`.
 *
 * Reading the environment needs `--allow-env`, files `--allow-read`/`--allow-write`, the network
 * `--allow-net`; each is asked for only when used.
 *
 * @example
 * ```ts
 * import { denoContext } from "./context.ts";
 * const ctx = denoContext();
 * console.log(ctx.os, typeof ctx.now());
 * ```
 *
 * @returns A context backed by the Deno runtime.
 */
export function denoContext(): Context {
  return {
    env: (name) => Deno.env.get(name),
    os: Deno.build.os,
    arch: Deno.build.arch,
    cwd: () => Deno.cwd(),
    fs: denoFileSystem,
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
  };
}
