/**
 * The `Deno` global of the npm build (see `scripts/build_npm.ts` and `docs/npm.md`):
 * `@deno/shim-deno`, patched where it differs from Deno 2, and loaded only when needed.
 *
 * The shim (0.19) implements the Deno 1.40 namespace. Against what this code base relies on,
 * it:
 * - lacks the Deno 2 error classes `NotADirectory`, `IsADirectory`, `NotCapable`,
 *   `FilesystemLoop`, `NetworkUnreachable`, `NotSupported` and `WouldBlock`, so that
 *   `error instanceof Deno.errors.NotADirectory` throws a `TypeError`;
 * - maps only `ENOENT`, `EEXIST` and `EBADF` to Deno errors, and not at all in `chmod`,
 *   `rename` and `remove`, so that `EACCES`, `ENOTDIR`, `EISDIR` … escape as Node errors;
 * - leaves `error.name` as `"Error"` on its error classes (Deno names them);
 * - reports every platform but Windows and macOS as `"linux"` in `Deno.build.os`;
 * - writes `Deno.stdout.writeSync` / `Deno.stderr.writeSync` with `fs.writeSync`, which throws
 *   `EAGAIN` when the descriptor is a full non-blocking pipe;
 * - costs about 30 ms to load on Node (it loads `tls`, `net`, `dns`, `child_process`,
 *   `readline`, `crypto` … up front), more than the rest of the CLI's start-up.
 *
 * {@linkcode lazyDeno} is what the build injects: the members the CLI needs at start-up and to
 * read files (`args`, `build`, `env`, `cwd`, `exit`, `permissions.query(Sync)`, `errors`,
 * `stdin`/`stdout`/`stderr` `isTerminal` and `writeSync`, `stat`, `lstat`, `readTextFile`) are
 * implemented here, as the shim does them; any other member loads the shim (synchronously, on
 * first use) and comes from it, patched by {@linkcode patchDenoShim}.
 *
 * This module is on the start-up path of every command, so it does as little as it can there:
 * it imports no Node module but `node:module` (see below), makes each error class when first
 * read, checks terminals without `node:tty` ({@linkcode isTerminal}), and reads files
 * synchronously in the CLI ({@linkcode LazyDenoOptions}).
 *
 * The build injects this module's `Deno` and `performance` exports: esbuild rewrites every
 * reference to the `Deno` and `performance` globals to them. So this module itself must not use
 * either global at run time (types are fine; `globalThis.performance` is not rewritten), and
 * must not bind either name locally.
 *
 * @module
 */

import type { Stats } from "node:fs";
import { createRequire } from "node:module";

// Node's modules are not imported but taken from `process.getBuiltinModule` (Node 20.16+), or
// else required. An ESM import of a built-in module reads every export, getters included:
// `import … from "node:fs"` loads the file streams and all of `stream`, and `import process
// from "node:process"` creates `process.stdin`, `stdout` and `stderr` (about 4 ms at start-up
// together); a `require` function costs another 0.6 ms. `node:tty` (which loads `net` and
// `stream`) is required only when a descriptor may be a terminal.
const process: typeof import("node:process") = globalThis.process;
const builtin =
  (typeof process.getBuiltinModule === "function"
    ? (id: string) => process.getBuiltinModule(id)
    : createRequire(import.meta.url)) as (id: string) => unknown;
const { fstatSync, lstat, lstatSync, readFile, readFileSync, stat, statSync, writeSync } = builtin(
  "node:fs",
) as typeof import("node:fs");

/** The npm package that stands in for the `Deno` namespace. */
export const SHIM_PACKAGE = "@deno/shim-deno";

/** The error classes of `Deno.errors` in Deno 2 (a test compares with the real list). */
export const DENO_ERROR_NAMES = [
  "AddrInUse",
  "AddrNotAvailable",
  "AlreadyExists",
  "BadResource",
  "BrokenPipe",
  "Busy",
  "ConnectionAborted",
  "ConnectionRefused",
  "ConnectionReset",
  "FilesystemLoop",
  "Http",
  "Interrupted",
  "InvalidData",
  "IsADirectory",
  "NetworkUnreachable",
  "NotADirectory",
  "NotCapable",
  "NotConnected",
  "NotFound",
  "NotSupported",
  "PermissionDenied",
  "TimedOut",
  "UnexpectedEof",
  "WouldBlock",
  "WriteZero",
] as const;

/** The name of one of the classes of `Deno.errors`. */
export type DenoErrorName = typeof DENO_ERROR_NAMES[number];

/** The `Deno.errors` class for each Node error code, as Deno maps the same OS errors. */
export const ERROR_CODES: Readonly<Record<string, DenoErrorName>> = {
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  ENOENT: "NotFound",
  EEXIST: "AlreadyExists",
  ENOTDIR: "NotADirectory",
  EISDIR: "IsADirectory",
  ERR_FS_EISDIR: "IsADirectory",
  ELOOP: "FilesystemLoop",
  EBUSY: "Busy",
  ENOTSUP: "NotSupported",
  EOPNOTSUPP: "NotSupported",
  EAGAIN: "WouldBlock",
  EWOULDBLOCK: "WouldBlock",
  EBADF: "BadResource",
  EPIPE: "BrokenPipe",
  EINTR: "Interrupted",
  ETIMEDOUT: "TimedOut",
  ECONNREFUSED: "ConnectionRefused",
  ECONNRESET: "ConnectionReset",
  ECONNABORTED: "ConnectionAborted",
  ENOTCONN: "NotConnected",
  EADDRINUSE: "AddrInUse",
  EADDRNOTAVAIL: "AddrNotAvailable",
  ENETUNREACH: "NetworkUnreachable",
};

/** The shim's functions that take paths or files and may fail with an OS error. */
const FS_FUNCTIONS = [
  "chmod",
  "chown",
  "copyFile",
  "create",
  "link",
  "lstat",
  "makeTempDir",
  "makeTempFile",
  "mkdir",
  "open",
  "readFile",
  "readLink",
  "readTextFile",
  "realPath",
  "remove",
  "rename",
  "stat",
  "symlink",
  "truncate",
  "utime",
  "writeFile",
  "writeTextFile",
] as const;

/** A class of `Deno.errors`. */
export type ErrorClass = new (message?: string, options?: ErrorOptions) => Error;
/** `Deno.errors`, by name. */
export type ErrorClasses = Record<string, ErrorClass>;
type AnyFunction = (...args: unknown[]) => unknown;

/**
 * The classes of `Deno.errors`, named like Deno's (`error.name === "NotFound"`). Each also
 * counts the instances of the class of the same name that `foreign` returns, so that
 * `instanceof Deno.errors.NotFound` holds for errors made by the shim's own classes. Each class
 * is made when first read (making all 25 takes about 0.3 ms, and a run reads one or two).
 *
 * @param foreign The shim's class of a name, when the shim is loaded.
 * @returns Every class of {@linkcode DENO_ERROR_NAMES}.
 */
export function denoErrorClasses(
  foreign: (name: string) => unknown = () => undefined,
): ErrorClasses {
  const make = (name: string): ErrorClass => {
    const Class = class extends Error {
      static override [Symbol.hasInstance](value: unknown): boolean {
        if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
        const other = this === Class ? foreign(name) : undefined;
        return typeof other === "function" && value instanceof other;
      }
    };
    Object.defineProperty(Class, "name", { value: name, configurable: true });
    Object.defineProperty(Class.prototype, "name", {
      value: name,
      writable: true,
      configurable: true,
    });
    return Class;
  };
  const errors: ErrorClasses = {};
  for (const name of DENO_ERROR_NAMES) {
    Object.defineProperty(errors, name, {
      get: () => {
        const value = make(name);
        Object.defineProperty(errors, name, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
        return value;
      },
      enumerable: true,
      configurable: true,
    });
  }
  return errors;
}

/**
 * Converts a Node error into the `Deno.errors` class Deno would throw for the same OS error,
 * keeping the message, `code`, `errno`, `syscall`, `path` and the stack, with the Node error as
 * `cause`. Anything else is returned unchanged.
 *
 * @param error Anything thrown.
 * @param errors The classes to convert to.
 * @returns The converted error, or `error`.
 */
export function denoErrorFrom(error: unknown, errors: ErrorClasses): unknown {
  if (!(error instanceof Error)) return error;
  if (Object.values(errors).some((Class) => error instanceof Class)) return error;
  return fromNodeError(error, errors);
}

/** {@linkcode denoErrorFrom} of an error that Node threw, which is none of `errors` yet. */
function fromNodeError(error: unknown, errors: ErrorClasses): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const name = typeof code === "string" ? ERROR_CODES[code] : undefined;
  const Class = name === undefined ? undefined : errors[name];
  if (Class === undefined) return error;
  const converted = new Class(error.message, { cause: error });
  for (const key of ["code", "errno", "syscall", "path", "stack"]) {
    if (key in error) {
      Object.defineProperty(converted, key, {
        value: (error as unknown as Record<string, unknown>)[key],
        writable: true,
        configurable: true,
        enumerable: key !== "stack",
      });
    }
  }
  return converted;
}

/**
 * Wraps a function so that its failures are `Deno.errors` instances, whether it throws or
 * rejects.
 *
 * @param fn The function.
 * @param errors The classes to convert to.
 * @returns The wrapped function.
 */
export function mapErrors<F extends AnyFunction>(fn: F, errors: ErrorClasses): F {
  const convert = (error: unknown): never => {
    throw denoErrorFrom(error, errors);
  };
  return function (this: unknown, ...args: unknown[]): unknown {
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      convert(error);
    }
    if (result instanceof Promise) return result.catch(convert);
    return result;
  } as F;
}

function mapIterable<T>(
  iterate: (...args: unknown[]) => AsyncIterable<T>,
  errors: ErrorClasses,
): (...args: unknown[]) => AsyncIterable<T> {
  return async function* (...args: unknown[]): AsyncGenerator<T> {
    try {
      yield* iterate(...args);
    } catch (error) {
      throw denoErrorFrom(error, errors);
    }
  };
}

function mapSyncIterable<T>(
  iterate: (...args: unknown[]) => Iterable<T>,
  errors: ErrorClasses,
): (...args: unknown[]) => Iterable<T> {
  return function* (...args: unknown[]): Generator<T> {
    try {
      yield* iterate(...args);
    } catch (error) {
      throw denoErrorFrom(error, errors);
    }
  };
}

/**
 * `Deno.build.os` for a Node `process.platform`.
 *
 * @param platform Node's name of the platform.
 * @returns Deno's name of it.
 */
export function denoOs(platform: string): string {
  if (platform === "win32") return "windows";
  if (platform === "sunos") return "solaris";
  return platform; // darwin, linux, android, freebsd, netbsd, openbsd, aix
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A `writeSync` for a standard stream that waits and retries when a non-blocking pipe is full
 * (`EAGAIN`) instead of failing.
 *
 * @param fd The file descriptor.
 * @param write Writes once (defaults to `fs.writeSync`).
 * @returns The function, returning the number of bytes written.
 */
export function retryingWriteSync(
  fd: number,
  write: (fd: number, data: Uint8Array) => number = writeSync,
): (data: Uint8Array) => number {
  return (data) => {
    for (let waitMs = 1;; waitMs = Math.min(waitMs * 2, 50)) {
      try {
        return write(fd, data);
      } catch (error) {
        if ((error as { code?: unknown }).code !== "EAGAIN") throw error;
        sleepSync(waitMs);
      }
    }
  };
}

function withWriteSync<T extends object>(stream: T, fd: number): T {
  const patched = Object.create(stream) as T & { writeSync(data: Uint8Array): number };
  Object.defineProperty(patched, "writeSync", { value: retryingWriteSync(fd), writable: true });
  return patched;
}

/**
 * A patched copy of `@deno/shim-deno`'s `Deno` (the shim object itself is not modified; its
 * error classes get their names): complete, named error classes, OS errors of the file
 * functions mapped to them, `Deno.build.os` for every platform, and `writeSync` on the
 * standard streams that survives full pipes.
 *
 * @param shim The `Deno` export of `@deno/shim-deno`.
 * @param platform `process.platform`.
 * @param errors The error classes; by default {@linkcode denoErrorClasses} bridged to the
 *   shim's.
 * @returns The object the npm build's code sees as `Deno`.
 */
export function patchDenoShim(
  shim: typeof Deno,
  platform: string,
  errors?: ErrorClasses,
): typeof Deno {
  const own = shim.errors as unknown as Record<string, unknown>;
  for (const [name, Class] of Object.entries(own)) {
    // the shim's classes keep the name "Error"; its functions still throw them
    if (typeof Class !== "function" || Object.hasOwn(Class.prototype, "name")) continue;
    Object.defineProperty(Class.prototype, "name", {
      value: name,
      writable: true,
      configurable: true,
    });
  }
  const classes = errors ?? denoErrorClasses((name) => own[name]);
  const patched: Record<string, unknown> = { ...shim, errors: classes };
  for (const name of FS_FUNCTIONS.flatMap((name) => [name, `${name}Sync`])) {
    const fn = patched[name];
    if (typeof fn === "function") patched[name] = mapErrors(fn as AnyFunction, classes);
  }
  if (typeof patched.readDir === "function") {
    patched.readDir = mapIterable(patched.readDir as () => AsyncIterable<unknown>, classes);
  }
  if (typeof patched.readDirSync === "function") {
    patched.readDirSync = mapSyncIterable(patched.readDirSync as () => Iterable<unknown>, classes);
  }
  patched.build = { ...shim.build, os: denoOs(platform) };
  patched.stdout = withWriteSync(shim.stdout, 1);
  patched.stderr = withWriteSync(shim.stderr, 2);
  return patched as unknown as typeof Deno;
}

/**
 * `Deno.FileInfo` from Node's `Stats`, as the shim makes it.
 *
 * @param stats What `fs.stat` returned.
 * @param windows Whether the platform is Windows (some fields are then `null`).
 * @returns The Deno view of it.
 */
export function fileInfo(stats: Stats, windows: boolean): Deno.FileInfo {
  const unix = <T>(value: T): T | null => windows ? null : value;
  return {
    isFile: stats.isFile(),
    isDirectory: stats.isDirectory(),
    isSymlink: stats.isSymbolicLink(),
    size: stats.size,
    mtime: stats.mtime,
    atime: stats.atime,
    birthtime: stats.birthtime,
    ctime: stats.ctime,
    dev: stats.dev,
    ino: unix(stats.ino),
    mode: unix(stats.mode),
    nlink: unix(stats.nlink),
    uid: unix(stats.uid),
    gid: unix(stats.gid),
    rdev: unix(stats.rdev),
    blksize: unix(stats.blksize),
    blocks: unix(stats.blocks),
    isBlockDevice: unix(stats.isBlockDevice()),
    isCharDevice: unix(stats.isCharacterDevice()),
    isFifo: unix(stats.isFIFO()),
    isSocket: unix(stats.isSocket()),
  };
}

let nullDevice: number | undefined;

/**
 * Whether a descriptor is a terminal, as `tty.isatty` answers, without loading `node:tty`
 * (which loads `net` and `stream`, about 2 ms) when the answer is plain: a terminal is a
 * character device, so anything else is not one, and neither is the null device. Other
 * character devices, and Windows, are left to `tty.isatty`.
 *
 * @param fd The file descriptor.
 * @param platform `process.platform`.
 * @returns True when `fd` is a terminal.
 */
export function isTerminal(fd: number, platform: string): boolean {
  if (platform !== "win32") {
    try {
      const info = fstatSync(fd);
      if (!info.isCharacterDevice()) return false;
      nullDevice ??= statSync("/dev/null").rdev;
      if (info.rdev === nullDevice) return false;
    } catch {
      // a closed descriptor, or no /dev/null: tty.isatty decides
    }
  }
  return (builtin("node:tty") as typeof import("node:tty")).isatty(fd);
}

/** An object whose own members are `own`, and whose other members come from `rest()`. */
function layered<T extends object>(own: Partial<T>, rest: () => T): T {
  return new Proxy(own, {
    get: (target, key) =>
      Object.hasOwn(target, key) ? Reflect.get(target, key) : Reflect.get(rest(), key),
    has: (target, key) => Object.hasOwn(target, key) || Reflect.has(rest(), key),
  }) as T;
}

function envKey(key: string): string {
  if (key === "" || key.includes("=") || key.includes("\0")) {
    throw new TypeError(`Key is an empty string or contains "=" or NUL: "${key}"`);
  }
  return key;
}

/** Options of {@linkcode lazyDeno}. */
export interface LazyDenoOptions {
  /**
   * Read files synchronously (`stat`, `lstat`, `readTextFile`, still returning promises): right
   * for the CLI, which awaits each read before it does anything else, and saves it the thread
   * pool's round trips (about 1 ms at start-up); not for the library, whose reads must not
   * block its caller's event loop. A `readTextFile` with a `signal` is always asynchronous.
   */
  syncReads?: boolean;
}

/**
 * The `Deno` of the npm build: start-up and read-only members implemented here on Node's
 * APIs, everything else from `@deno/shim-deno`, loaded on first use and patched by
 * {@linkcode patchDenoShim}.
 *
 * @param load Loads the shim and returns its `Deno` (synchronously: `require`).
 * @param platform `process.platform`.
 * @param options How files are read.
 * @returns The object the npm build's code sees as `Deno`.
 */
export function lazyDeno(
  load: () => typeof Deno,
  platform: string,
  options: LazyDenoOptions = {},
): typeof Deno {
  let shim: typeof Deno | undefined;
  let raw: Record<string, unknown> | undefined;
  const errors = denoErrorClasses((name) => raw?.[name]);
  const full = (): typeof Deno => {
    if (shim) return shim;
    const loaded = load();
    raw = loaded.errors as unknown as Record<string, unknown>;
    return shim = patchDenoShim(loaded, platform, errors);
  };
  const windows = platform === "win32";
  const sync = <T>(read: () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      let value: T;
      try {
        value = read();
      } catch (error) {
        reject(fromNodeError(error, errors));
        return;
      }
      resolve(value);
    });
  const statWith =
    (fn: typeof stat, fnSync: typeof statSync) => (path: string | URL): Promise<Deno.FileInfo> =>
      options.syncReads ? sync(() => fileInfo(fnSync(path), windows)) : new Promise(
        (resolve, reject) => {
          fn(path, (error, stats) => {
            if (error) reject(fromNodeError(error, errors));
            else resolve(fileInfo(stats, windows));
          });
        },
      );
  const arch = process.arch === "arm64" ? "aarch64" : "x86_64";
  const os = denoOs(platform);
  const granted = () => Object.assign(new EventTarget(), { state: "granted", partial: false });
  const own: Partial<typeof Deno> = {
    args: process.argv.slice(2),
    build: {
      arch,
      os: os as typeof Deno.build.os,
      vendor: "pc",
      target: windows
        ? `${arch}-pc-windows-msvc`
        : os === "darwin"
        ? `${arch}-apple-darwin`
        : `${arch}-unknown-${os}-gnu`,
      standalone: false,
    } as typeof Deno.build,
    env: layered<typeof Deno.env>({
      get: (key) => process.env[envKey(key)],
      has: (key) => process.env[envKey(key)] !== undefined,
      toObject: () => ({ ...process.env }) as Record<string, string>,
    }, () => full().env),
    cwd: () => process.cwd(),
    exit: (code?: number): never => process.exit(code),
    errors: errors as unknown as typeof Deno.errors,
    permissions: layered<typeof Deno.permissions>({
      query: () => Promise.resolve(granted() as unknown as Deno.PermissionStatus),
      querySync: () => granted() as unknown as Deno.PermissionStatus,
    }, () => full().permissions),
    stdin: layered<typeof Deno.stdin>(
      { isTerminal: () => isTerminal(0, platform) },
      () => full().stdin,
    ),
    stdout: layered<typeof Deno.stdout>(
      { isTerminal: () => isTerminal(1, platform), writeSync: retryingWriteSync(1) },
      () => full().stdout,
    ),
    stderr: layered<typeof Deno.stderr>(
      { isTerminal: () => isTerminal(2, platform), writeSync: retryingWriteSync(2) },
      () => full().stderr,
    ),
    stat: statWith(stat, statSync),
    lstat: statWith(lstat, lstatSync),
    readTextFile: (path, readOptions) => {
      const signal = readOptions?.signal;
      if (options.syncReads && !signal) return sync(() => readFileSync(path, "utf8"));
      return new Promise((resolve, reject) => {
        readFile(path, { encoding: "utf8", ...(signal ? { signal } : {}) }, (error, text) => {
          if (error) reject(fromNodeError(error, errors));
          else resolve(text);
        });
      });
    },
  };
  return layered(own, full);
}

/**
 * A `performance` whose `now()` does not load Node's `perf_hooks` (0.8 ms at start-up, for the
 * one `performance.now()` every run makes): milliseconds since the process started, from the
 * clock of Node's `performance.now()`. Its other members are Node's `performance`, read on first
 * use.
 *
 * @param hrtime `process.hrtime.bigint`.
 * @param uptime `process.uptime`, in seconds.
 * @param real Node's `performance`, read only when a member other than `now` is used.
 * @returns The `performance` of the npm build.
 */
export function lazyPerformance(
  hrtime: () => bigint,
  uptime: () => number,
  real: () => Performance,
): Performance {
  const ms = () => Number(hrtime()) / 1e6;
  const origin = ms() - uptime() * 1000;
  return new Proxy({ now: () => ms() - origin } as Performance, {
    get: (own, key) => {
      if (Object.hasOwn(own, key)) return Reflect.get(own, key);
      const target = real();
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
    has: (own, key) => Object.hasOwn(own, key) || Reflect.has(real(), key),
  });
}

/**
 * `true` in the CLI's bundle and `false` in the library's: `scripts/build_npm.ts` defines it
 * (esbuild's `define`) for each. Undefined when this module runs unbundled (its tests).
 */
declare const LUA_NPM_CLI: boolean | undefined;

/** The `Deno` of the npm build, which esbuild injects in place of the global. */
const denoOnNode: typeof Deno = lazyDeno(
  () => (createRequire(import.meta.url)(SHIM_PACKAGE) as { Deno: typeof Deno }).Deno,
  process.platform,
  { syncReads: typeof LUA_NPM_CLI === "boolean" && LUA_NPM_CLI },
);

/** The `performance` of the npm build, which esbuild injects in place of the global. */
const performanceOnNode: Performance = lazyPerformance(
  () => process.hrtime.bigint(),
  () => process.uptime(),
  () => globalThis.performance,
);

export { denoOnNode as Deno, performanceOnNode as performance };
