/**
 * The Node.js side of the runtime seam: {@linkcode nodeContext} (environment, files, clock,
 * network) and {@linkcode nodeIo} (the terminal), on Node's own modules. The npm build's
 * `lua` command runs on these (`main_node.ts`); a library user on Node passes
 * `nodeContext()` where Deno code passes `denoContext()`.
 *
 * @example
 * ```ts ignore
 * import { nodeContext } from "@lua/cli/node";
 * import { resolveApiKey } from "@lua/cli";
 * console.log(await resolveApiKey(nodeContext()));
 * ```
 *
 * @module
 */

import { createRequire } from "node:module";
import type * as NodeFs from "node:fs";
import type { Stats } from "node:fs";
import type { Context, Fetch, FetchInit, FetchResponse, FileInfo, FileSystem } from "./context.ts";
import { FsError, type FsErrorCode } from "./fs_error.ts";
import {
  colorWanted,
  guardedOutput,
  inquirerPrompter,
  type Io,
  type OutputSink,
  progressWanted,
} from "./cli/io.ts";
import type { ProgressTerminal } from "./cli/progress.ts";
import { MAX_KEY_INPUT_BYTES, readFirstLine } from "./cli/read_line.ts";

// Node's modules are taken from `process.getBuiltinModule` (Node 20.16+; a `require` before),
// not imported: the ES module of a built-in reads every export, getters included, so
// `import … from "node:fs"` loads the file streams and all of `stream`, `node:fs/promises`
// loads `readline`, and `import process from "node:process"` opens stdin, stdout and stderr,
// several milliseconds at start-up together.
const process = globalThis.process;
const builtin = (process.getBuiltinModule ?? createRequire(import.meta.url)) as (
  id: string,
) => unknown;
const fs = builtin("node:fs") as typeof NodeFs;

/** Node's error codes for the {@linkcode FsErrorCode}s, as Deno maps the same OS errors. */
const NODE_CODES: Readonly<Record<string, FsErrorCode>> = {
  ENOENT: "NotFound",
  EEXIST: "AlreadyExists",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EISDIR: "IsADirectory",
  ERR_FS_EISDIR: "IsADirectory",
  ENOTDIR: "NotADirectory",
  ELOOP: "FilesystemLoop",
  EBUSY: "Busy",
  ENOTSUP: "NotSupported",
  EOPNOTSUPP: "NotSupported",
};

/**
 * Node's error for an operating-system failure as an {@linkcode FsError}, by its `code`;
 * anything else is returned as it is.
 *
 * @example
 * ```ts
 * import { fromNodeError } from "./node.ts";
 * import { isFsError } from "./fs_error.ts";
 * import assert from "node:assert/strict";
 * const enoent = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
 * assert.ok(isFsError(fromNodeError(enoent), "NotFound"));
 * ```
 *
 * @param error What a Node file function threw.
 * @returns The error to throw.
 */
export function fromNodeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = NODE_CODES[(error as { code?: unknown }).code as string];
  return code ? new FsError(code, error.message, { cause: error }) : error;
}

/** Calls a callback-style function of `node:fs`, rejecting with {@linkcode fromNodeError}. */
function call<T = void>(
  run: (done: (error: NodeJS.ErrnoException | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    run((error, value) => error ? reject(fromNodeError(error)) : resolve(value as T))
  );
}

function toInfo(stats: Stats, windows: boolean): FileInfo {
  return {
    isFile: stats.isFile(),
    isDirectory: stats.isDirectory(),
    isSymlink: stats.isSymbolicLink(),
    mode: windows ? null : stats.mode,
    size: stats.size,
    mtime: stats.mtime,
  };
}

/**
 * The operating system in `Deno.build.os`'s names.
 *
 * @param platform `process.platform`.
 * @returns `"windows"`, `"darwin"`, `"linux"`, …
 */
export function denoOsName(platform: string): string {
  if (platform === "win32") return "windows";
  if (platform === "sunos") return "solaris";
  return platform;
}

/**
 * The processor architecture in `Deno.build.arch`'s names.
 *
 * @param arch `process.arch`.
 * @returns `"x86_64"`, `"aarch64"`, …
 */
export function denoArchName(arch: string): string {
  if (arch === "x64") return "x86_64";
  if (arch === "arm64") return "aarch64";
  return arch;
}

/**
 * The real file system through `node:fs`, with Deno's semantics: `writeTextFile`'s
 * `mode` is applied to the file (and `sync` flushes it), `remove` removes a file, a link or an
 * empty directory, `syncDir` does nothing on Windows.
 *
 * @param os The platform, in `Deno.build.os`'s names (modes are `null` on Windows).
 * @returns The file system.
 */
export function nodeFileSystem(os: string = denoOsName(process.platform)): FileSystem {
  const windows = os === "windows";
  const stat = (path: string) => call<Stats>((done) => fs.stat(path, done));
  const lstat = (path: string) => call<Stats>((done) => fs.lstat(path, done));
  const chmod = (path: string, mode: number) => call((done) => fs.chmod(path, mode, done));
  return {
    readTextFile: (path) => call<string>((done) => fs.readFile(path, "utf8", done)),
    writeTextFile: async (path, data, options = {}) => {
      const flag = options.createNew ? "wx" : "w";
      const mode = options.mode;
      if (options.sync) {
        const fd = await call<number>((done) => fs.open(path, flag, mode ?? 0o666, done));
        try {
          let bytes = new TextEncoder().encode(data);
          while (bytes.length > 0) {
            const written = await call<number>((done) => fs.write(fd, bytes, done));
            bytes = bytes.subarray(written);
          }
          await call((done) => fs.fsync(fd, done));
        } finally {
          await call((done) => fs.close(fd, done));
        }
      } else {
        const write = mode === undefined ? { flag } : { flag, mode };
        await call((done) => fs.writeFile(path, data, write, done));
      }
      if (mode !== undefined && !windows) await chmod(path, mode);
    },
    mkdir: (path, options = {}) => call((done) => fs.mkdir(path, options, (e) => done(e))),
    chmod,
    rename: (from, to) => call((done) => fs.rename(from, to, done)),
    remove: async (path) => {
      const directory = (await lstat(path)).isDirectory();
      await call((done) => directory ? fs.rmdir(path, done) : fs.unlink(path, done));
    },
    stat: async (path) => toInfo(await stat(path), windows),
    lstat: async (path) => toInfo(await lstat(path), windows),
    readDir: (path) => call<string[]>((done) => fs.readdir(path, done)),
    syncDir: async (path) => {
      if (windows) return;
      const fd = await call<number>((done) => fs.open(path, "r", done));
      try {
        await call((done) => fs.fsync(fd, done));
      } finally {
        await call((done) => fs.close(fd, done));
      }
    },
  };
}

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

type NodeHttp = typeof import("node:http");
type Answer = import("node:http").IncomingMessage;

/** A header of a Node answer as `Headers.get` gives it: repeated values joined by `, `. */
function headerOf(answer: Answer, name: string): string | null {
  const value = answer.headers[name.toLowerCase()];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

/**
 * One request on `node:http` or `node:https`, answered as {@linkcode FetchResponse}. A redirect
 * is returned as it is. The signal ends the request, and then the reading of the body, with
 * its reason (as `fetch` does: a `TimeoutError` for `AbortSignal.timeout`). One connection a
 * request (`agent: false`), closed after the answer: nothing is left open when the command is
 * done.
 */
const httpFetch: Fetch = (url, init) =>
  new Promise((resolve, reject) => {
    const { signal } = init;
    if (signal.aborted) return reject(signal.reason);
    const target = new URL(url);
    const http = builtin(target.protocol === "https:" ? "node:https" : "node:http") as NodeHttp;
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) {
      headers["content-length"] = String(new TextEncoder().encode(init.body).byteLength);
    }
    let answer: Answer | undefined;
    const onAbort = (): void => void (answer ?? request).destroy(signal.reason);
    const request = http.request(target, { method: init.method, headers, agent: false });
    signal.addEventListener("abort", onAbort, { once: true });
    const settle = (): void => signal.removeEventListener("abort", onAbort);
    request.once("error", (error) => {
      settle();
      reject(error);
    });
    request.once("response", (response) => {
      answer = response;
      response.once("close", settle);
      resolve(
        {
          status: response.statusCode ?? 0,
          headers: { get: (name) => headerOf(response, name) },
          body: {
            [Symbol.asyncIterator]: () => response[Symbol.asyncIterator](),
            cancel: () => {
              response.destroy();
              return Promise.resolve();
            },
          },
        } satisfies FetchResponse,
      );
    });
    request.end(init.body);
  });

/**
 * The network on Node: `node:http` and `node:https` themselves, which load in a few
 * milliseconds, where Node's `fetch` and `Headers` load undici (about 50 ms, with `node:http2`
 * and a WebAssembly parser). When `HTTPS_PROXY` or `HTTP_PROXY` is set (in either case; Node
 * 20's `fetch` ignores them), requests go through undici's `EnvHttpProxyAgent`, which honours
 * `NO_PROXY`, loaded on the first request.
 *
 * @example
 * ```ts ignore
 * import { nodeFetch } from "@lua/cli/node";
 * const signal = AbortSignal.timeout(10_000);
 * const answer = await nodeFetch((name) => process.env[name])(
 *   "https://api.heylua.ai/",
 *   { method: "GET", headers: {}, signal, redirect: "manual" },
 * );
 * console.log(answer.status);
 * ```
 *
 * @param env Reads the environment.
 * @returns The `fetch` of the context.
 */
export function nodeFetch(env: (name: string) => string | undefined): Fetch {
  if (!PROXY_VARIABLES.some((name) => env(name))) return httpFetch;
  let proxied: Promise<Fetch> | undefined;
  return async (url, init) => {
    proxied ??= import("undici").then(({ EnvHttpProxyAgent, fetch: undiciFetch }) => {
      const either = (lower: string) => env(lower) || env(lower.toUpperCase()) || "";
      // undici warns on stderr that the class is experimental (its options may change): not
      // something for the CLI's user, who set a proxy variable and gets the proxy.
      const emitWarning = process.emitWarning;
      process.emitWarning = () => {};
      let dispatcher;
      try {
        dispatcher = new EnvHttpProxyAgent({
          httpProxy: either("http_proxy"),
          httpsProxy: either("https_proxy"),
          noProxy: either("no_proxy"),
        });
      } finally {
        process.emitWarning = emitWarning;
      }
      return ((url: string, init: FetchInit) =>
        undiciFetch(url, { ...init, dispatcher } as Parameters<typeof undiciFetch>[1])) as Fetch;
    });
    return (await proxied)(url, init);
  };
}

/**
 * The real context on Node: `process.env`, `node:fs`, the clock, and the network
 * ({@linkcode nodeFetch}).
 *
 * @example
 * ```ts
 * import { nodeContext } from "./node.ts";
 * const ctx = nodeContext();
 * console.log(ctx.os, ctx.cwd());
 * ```
 *
 * @returns A context backed by Node.
 */
export function nodeContext(): Context {
  const env = (name: string): string | undefined => process.env[name];
  const os = denoOsName(process.platform);
  return {
    env,
    os,
    arch: denoArchName(process.arch),
    cwd: () => process.cwd(),
    fs: nodeFileSystem(os),
    fetch: nodeFetch(env),
    now: () => Date.now(),
  };
}

/**
 * Whether a descriptor is a terminal. `node:tty` (which loads `net` and `stream`, about 2 ms at
 * start-up) is loaded only for a character device other than the null device: a pipe, a file
 * or `/dev/null` is never a terminal.
 */
function isTerminal(fd: number): boolean {
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isCharacterDevice()) return false;
    if (process.platform !== "win32" && stats.rdev === fs.statSync("/dev/null").rdev) return false;
  } catch {
    return false;
  }
  return (builtin("node:tty") as typeof import("node:tty")).isatty(fd);
}

/**
 * A writer of a descriptor, synchronous (so that nothing is lost when the process exits), that
 * waits out `EAGAIN` from a full non-blocking pipe and goes quiet once the reader is gone
 * (`EPIPE`), as Deno's does on `BrokenPipe`.
 */
function writer(fd: number): (text: string) => void {
  let closed = false;
  return (text) => {
    let bytes = new TextEncoder().encode(text);
    while (!closed && bytes.length > 0) {
      try {
        bytes = bytes.subarray(fs.writeSync(fd, bytes));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "EPIPE") closed = true;
        else if (code === "EAGAIN") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        else throw error;
      }
    }
  };
}

/**
 * The real terminal on Node: descriptors 1 and 2 written synchronously through the output
 * guard, a key read from stdin up to its first newline, and the prompts of `@inquirer/prompts`
 * drawn on stderr.
 *
 * @param env Reads the environment, for `NO_COLOR` and `TERM`.
 * @returns The IO object.
 */
export function nodeIo(env: (name: string) => string | undefined): Io {
  const stdinTerminal = isTerminal(0);
  const stderrTerminal = isTerminal(2);
  const color = colorWanted(stderrTerminal, env);
  const colorOut = colorWanted(isTerminal(1), env);
  const stderr = writer(2);
  const sink: OutputSink = { stdout: writer(1), stderr, color, colorOut };
  if (progressWanted(stderrTerminal, env)) sink.progress = nodeProgressTerminal(stderr);
  const { holding, ...output } = guardedOutput(sink);
  return {
    ...output,
    canPrompt: () => stdinTerminal && stderrTerminal,
    stdinTerminal,
    readStdinLine: () => {
      const { Readable } = builtin("node:stream") as typeof import("node:stream");
      const stdin = Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>;
      return readFirstLine(stdin, MAX_KEY_INPUT_BYTES);
    },
    color,
    colorOut,
    prompt: holding(inquirerPrompter(() => import("@inquirer/prompts"))),
  };
}

/**
 * Node's stderr as the spinner's terminal (only when it is one): its width, timers, and Ctrl-C.
 * `process.stderr` (a tty stream, which loads `net` and `stream`) is touched only when a spinner
 * is drawn, never at start-up.
 */
function nodeProgressTerminal(write: (text: string) => void): ProgressTerminal {
  return {
    write,
    columns: () => (process.stderr as { columns?: number }).columns || 80,
    every: (ms, tick) => {
      const id = setInterval(tick, ms);
      return () => clearInterval(id);
    },
    onInterrupt: (listener) => {
      process.on("SIGINT", listener);
      return () => void process.off("SIGINT", listener);
    },
  };
}
