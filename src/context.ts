/**
 * The one small object through which the library reaches the outside world: environment,
 * files, current directory, clock and network. {@linkcode denoContext} is the real one;
 * tests pass an in-memory one.
 *
 * @module
 */

import { PermissionError } from "./errors.ts";
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
  /** Flush the data to disk (fsync) before returning, so that a crash cannot leave it empty. */
  sync?: boolean;
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
  /**
   * Flushes a directory's entries to disk (fsync), so that a file renamed into it survives a
   * crash. Does nothing where the platform cannot (Windows).
   */
  syncDir(path: string): Promise<void>;
}

/** What the library sends with {@linkcode Fetch}: a `RequestInit`, narrowed. */
export interface FetchInit {
  /** The HTTP method. */
  method: string;
  /** The request's headers, each name once. */
  headers: Record<string, string>;
  /** The body, if any. */
  body?: string;
  /** Ends the request, and the reading of its answer's body, with the signal's reason. */
  signal: AbortSignal;
  /** Redirects are never followed: a 3xx answer is returned as it is. */
  redirect: "manual";
}

/** What the library reads of an answer: a `Response`, narrowed. */
export interface FetchResponse {
  /** The HTTP status. */
  readonly status: number;
  /** `"opaqueredirect"` for a redirect a browser-like `fetch` hides; otherwise unused. */
  readonly type?: string;
  /** The answer's headers, by case-insensitive name. */
  readonly headers: { get(name: string): string | null };
  /** The body: its chunks, once; `cancel` stops reading and releases the connection. */
  readonly body: (AsyncIterable<Uint8Array> & { cancel(): Promise<void> }) | null;
}

/**
 * The network, as the library uses it: a `fetch` narrowed to what it needs, so that a runtime
 * can answer without building web `Request` and `Response` objects (on Node, those load undici:
 * about 50 ms). The global `fetch` is one.
 */
export type Fetch = (url: string, init: FetchInit) => Promise<FetchResponse>;

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
  readonly fetch: Fetch;
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

/** A permission checked before it is used, named as `Deno.permissions` names them. */
export type Permission =
  | { name: "env"; variable: string }
  | { name: "net"; host: string }
  | { name: "read" | "write"; path: string };

const answers = new Map<string, boolean>();

function query(descriptor: Permission | { name: Permission["name"] }): boolean {
  // The kind, then its one subject (a command asks dozens of times: no JSON.stringify).
  const { name, variable, path, host } = descriptor as
    & Partial<
      Record<"variable" | "path" | "host", string>
    >
    & { name: string };
  const subject = variable ?? path ?? host;
  const key = subject === undefined ? name : `${name}\0${subject}`;
  let granted = answers.get(key);
  if (granted === undefined) {
    granted = Deno.permissions.querySync(descriptor as Deno.PermissionDescriptor).state ===
      "granted";
    answers.set(key, granted);
  }
  return granted;
}

/**
 * Whether Deno grants a permission, asked without ever prompting. The kind as a whole is asked
 * first (`--allow-read` with no list grants every path), then the one path, variable or host;
 * each answer is remembered for the process, as nothing here requests or revokes one. A
 * command asks a few dozen times, and a read query for a path costs about 40 µs.
 *
 * @example
 * ```ts
 * import { isGranted } from "./context.ts";
 * console.log(isGranted({ name: "env", variable: "HOME" }) ? "HOME may be read" : "no --allow-env");
 * ```
 *
 * @param descriptor The permission.
 * @returns True when it is granted.
 */
export function isGranted(descriptor: Permission): boolean {
  return query({ name: descriptor.name }) || query(descriptor);
}

/**
 * Checks a Deno permission without ever prompting: on a terminal, Deno would otherwise ask and
 * wait. A command then ends with one sentence naming the flag, and exit 2.
 *
 * @throws {PermissionError} When the permission is not granted.
 */
function need(descriptor: Permission, flag: string, subject?: string): void {
  if (isGranted(descriptor)) return;
  throw new PermissionError(flag, subject === undefined ? {} : { subject });
}

const canRead = (path: string): void => need({ name: "read", path }, "--allow-read");
const canWrite = (path: string): void => need({ name: "write", path }, "--allow-write");

/**
 * Deno's error for an operating-system failure as an {@linkcode FsError}: Deno's classes bear
 * the names of the codes. Anything else (`NotCapable`, a `PermissionError`) is returned as it is.
 *
 * @param error What a Deno file function threw.
 * @returns The error to throw.
 */
export function fromDenoError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = FS_ERROR_CODES.find((name) => error instanceof Deno.errors[name]);
  return code ? new FsError(code, error.message, { cause: error }) : error;
}

// Reads, and the writes that touch only metadata, are Deno's synchronous calls behind the same
// promises: a command makes a few such calls, and each asynchronous call's trip through Deno's
// thread pool cost a command line about 0.7 ms in all (docs/benchmarks.md). Writing a file's
// data stays asynchronous: its fsync may take long, and a spinner may be turning meanwhile.
const settle = <T>(call: () => T): Promise<T> => new Promise((resolve) => resolve(call()));

const unmapped: FileSystem = {
  readTextFile: (path) =>
    settle(() => {
      canRead(path);
      return Deno.readTextFileSync(path);
    }),
  writeTextFile: async (path, data, options = {}) => {
    canWrite(path);
    const { sync, ...rest } = options;
    if (!sync) return await Deno.writeTextFile(path, data, rest);
    const file = await Deno.open(path, {
      write: true,
      create: true,
      truncate: true,
      ...(rest.createNew ? { createNew: true } : {}),
      ...(rest.mode === undefined ? {} : { mode: rest.mode }),
    });
    try {
      let bytes = new TextEncoder().encode(data);
      while (bytes.length > 0) bytes = bytes.subarray(await file.write(bytes));
      await file.sync();
    } finally {
      file.close();
    }
  },
  mkdir: (path, options = {}) =>
    settle(() => {
      canWrite(path);
      Deno.mkdirSync(path, options);
    }),
  chmod: (path, mode) =>
    settle(() => {
      canWrite(path);
      Deno.chmodSync(path, mode);
    }),
  rename: (from, to) =>
    settle(() => {
      canRead(from);
      canWrite(from);
      canWrite(to);
      Deno.renameSync(from, to);
    }),
  remove: (path) =>
    settle(() => {
      canWrite(path);
      Deno.removeSync(path);
    }),
  stat: (path) =>
    settle(() => {
      canRead(path);
      return toInfo(Deno.statSync(path));
    }),
  lstat: (path) =>
    settle(() => {
      canRead(path);
      return toInfo(Deno.lstatSync(path));
    }),
  readDir: (path) =>
    settle(() => {
      canRead(path);
      return [...Deno.readDirSync(path)].map((entry) => entry.name);
    }),
  syncDir: async (path) => {
    if (Deno.build.os === "windows") return;
    canRead(path);
    const dir = await Deno.open(path, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  },
};

/**
 * The real file system, through Deno's APIs. Each operation first checks its Deno permission,
 * so that none raises Deno's prompt, and throws an {@linkcode FsError} for an operating-system
 * failure ({@linkcode fromDenoError}).
 */
export const denoFileSystem: FileSystem = Object.fromEntries(
  Object.entries(unmapped).map(([name, operation]) => [
    name,
    (...args: unknown[]) =>
      (operation as (...a: unknown[]) => Promise<unknown>)(...args).catch((error) => {
        throw fromDenoError(error);
      }),
  ]),
) as unknown as FileSystem;

/**
 * The real context: Deno's environment, file system, clock and `fetch`.
 *
 * Reading the environment needs `--allow-env`, files `--allow-read`/`--allow-write`, the network
 * `--allow-net`. Each is checked when used, without a prompt: a missing one is a
 * {@linkcode PermissionError} (exit 2) naming the flag, and for a variable the variable.
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
    env: (name) => {
      need({ name: "env", variable: name }, "--allow-env", name);
      return Deno.env.get(name);
    },
    os: Deno.build.os,
    arch: Deno.build.arch,
    cwd: () => Deno.cwd(),
    fs: denoFileSystem,
    fetch: async (url, init) => {
      need({ name: "net", host: new URL(url).host }, "--allow-net");
      return await fetch(url, init);
    },
    now: () => Date.now(),
  };
}
