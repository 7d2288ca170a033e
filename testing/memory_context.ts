/**
 * An in-memory {@linkcode Context} for unit tests: a small POSIX-like file system with modes
 * and symbolic links, a fixed environment, a settable clock and an injectable `fetch`.
 * Not published.
 *
 * @module
 */

import { dirname, posix } from "node:path";
import type { Context, Fetch, FileInfo, FileSystem, WriteOptions } from "../src/context.ts";
import { FsError } from "../src/fs_error.ts";

type Node =
  | { kind: "file"; data: string; mode: number; mtime: number }
  | { kind: "dir"; mode: number; mtime: number }
  | { kind: "symlink"; target: string; mode: number; mtime: number };

/** An absolute POSIX path; `\\` counts as `/`, so a context with `os: "windows"` works too. */
function absolute(path: string): string {
  return posix.resolve(path.replaceAll("\\", "/"));
}

/** A file system operation that can be made to fail. */
export type FsOperation = keyof FileSystem;

/** An in-memory file system; see {@linkcode createMemoryContext}. */
export class MemoryFileSystem implements FileSystem {
  readonly #nodes = new Map<string, Node>([["/", { kind: "dir", mode: 0o755, mtime: 0 }]]);
  readonly #faults = new Map<FsOperation, Error[]>();
  /** The clock used for modification times. */
  now: () => number = () => 0;
  /** The process umask applied to created files and directories. */
  umask = 0o022;
  /**
   * When true, the owner's permission bits count, as for a user who is not root: nothing is
   * created in, renamed into or removed from a directory without its `w` and `x` bits.
   */
  ownerModes = false;
  /**
   * The writes that change what survives a crash, in order: `write <path>` (with ` +sync` when
   * flushed), `rename <from> <to>`, `syncDir <path>`.
   */
  readonly journal: string[] = [];

  /** Makes the next call of `operation` throw `error` (queued, in order). */
  failNext(operation: FsOperation, error: Error): void {
    const list = this.#faults.get(operation) ?? [];
    list.push(error);
    this.#faults.set(operation, list);
  }

  #fault(operation: FsOperation): void {
    const error = this.#faults.get(operation)?.shift();
    if (error) throw error;
  }

  #resolve(path: string, followLast: boolean, depth = 0): string {
    if (depth > 20) throw new FsError("FilesystemLoop", `too many links: ${path}`);
    const parts = absolute(path).split("/").filter(Boolean);
    let current = "/";
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(current, parts[i]!);
      const node = this.#nodes.get(next);
      const last = i === parts.length - 1;
      if (node?.kind === "symlink" && (!last || followLast)) {
        current = this.#resolve(posix.resolve(current, node.target), true, depth + 1);
      } else {
        current = next;
      }
      if (!last && this.#nodes.get(current)?.kind === "file") {
        throw new FsError("NotADirectory", `Not a directory: ${path}`);
      }
    }
    return current;
  }

  #get(path: string, follow = true): [string, Node] {
    const real = this.#resolve(path, follow);
    const node = this.#nodes.get(real);
    if (!node) throw new FsError("NotFound", `No such file or directory: ${path}`);
    return [real, node];
  }

  #parentDir(path: string): string {
    const parent = this.#nodes.get(dirname(path));
    if (!parent) throw new FsError("NotFound", `No such file or directory: ${path}`);
    if (parent.kind !== "dir") throw new FsError("NotADirectory", `Not a directory: ${path}`);
    if (this.ownerModes && (parent.mode & 0o300) !== 0o300) {
      throw new FsError("PermissionDenied", `Permission denied (os error 13): ${path}`);
    }
    return dirname(path);
  }

  /** Creates a file directly, for setting up a test. */
  putFile(path: string, data: string, mode = 0o600): void {
    this.#nodes.set(absolute(path), { kind: "file", data, mode, mtime: this.now() });
  }

  /** Creates a directory and its parents directly, for setting up a test. */
  putDir(path: string, mode = 0o755): void {
    let current = "/";
    for (const part of absolute(path).split("/").filter(Boolean)) {
      current = posix.join(current, part);
      if (!this.#nodes.has(current)) this.#nodes.set(current, { kind: "dir", mode, mtime: 0 });
    }
  }

  /** Creates a symbolic link, for setting up a test. */
  putSymlink(path: string, target: string): void {
    this.#nodes.set(absolute(path), { kind: "symlink", target, mode: 0o777, mtime: 0 });
  }

  /** The contents of a file, or `undefined`. Does not follow links. */
  peek(path: string): string | undefined {
    const node = this.#nodes.get(absolute(path));
    return node?.kind === "file" ? node.data : undefined;
  }

  /** The permission bits of a path, or `undefined`. Does not follow links. */
  modeOf(path: string): number | undefined {
    return this.#nodes.get(absolute(path))?.mode;
  }

  /** Every path in the file system, sorted. */
  paths(): string[] {
    return [...this.#nodes.keys()].sort();
  }

  readTextFile(path: string): Promise<string> {
    return Promise.resolve().then(() => {
      this.#fault("readTextFile");
      const [, node] = this.#get(path);
      if (node.kind === "dir") throw new FsError("IsADirectory", `Is a directory: ${path}`);
      if (node.kind !== "file") throw new FsError("NotFound", path);
      if ((node.mode & 0o444) === 0) throw new FsError("PermissionDenied", `denied: ${path}`);
      return node.data;
    });
  }

  writeTextFile(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    return Promise.resolve().then(() => {
      this.#fault("writeTextFile");
      // Like O_CREAT | O_EXCL: a link at the path, even a dangling one, counts as existing.
      if (options.createNew && this.#nodes.has(this.#resolve(path, false))) {
        throw new FsError("AlreadyExists", path);
      }
      const real = this.#resolve(path, true);
      const existing = this.#nodes.get(real);
      if (existing?.kind === "dir") throw new FsError("IsADirectory", path);
      this.#parentDir(real);
      const mode = existing?.mode ?? ((options.mode ?? 0o666) & ~this.umask);
      this.#nodes.set(real, { kind: "file", data, mode, mtime: this.now() });
      this.journal.push(`write ${real}${options.sync ? " +sync" : ""}`);
    });
  }

  mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    return Promise.resolve().then(() => {
      this.#fault("mkdir");
      const real = this.#resolve(path, true);
      const existing = this.#nodes.get(real);
      if (existing) {
        if (options.recursive && existing.kind === "dir") return;
        throw new FsError("AlreadyExists", path);
      }
      if (options.recursive) {
        const parent = dirname(real);
        if (!this.#nodes.has(parent)) this.putDir(parent, (options.mode ?? 0o777) & ~this.umask);
      }
      this.#parentDir(real);
      const mode = (options.mode ?? 0o777) & ~this.umask;
      this.#nodes.set(real, { kind: "dir", mode, mtime: this.now() });
    });
  }

  chmod(path: string, mode: number): Promise<void> {
    return Promise.resolve().then(() => {
      this.#fault("chmod");
      const [, node] = this.#get(path);
      node.mode = mode & 0o7777;
    });
  }

  rename(from: string, to: string): Promise<void> {
    return Promise.resolve().then(() => {
      this.#fault("rename");
      const source = this.#resolve(from, false);
      const node = this.#nodes.get(source);
      if (!node) throw new FsError("NotFound", from);
      const target = this.#resolve(to, false);
      if (this.#nodes.get(target)?.kind === "dir") throw new FsError("IsADirectory", to);
      this.#parentDir(target);
      if (target === source) return;
      if (target.startsWith(`${source}/`)) throw new Error(`Invalid argument: ${to}`);
      // A directory moves with everything under it.
      for (const [p, child] of [...this.#nodes]) {
        if (!p.startsWith(`${source}/`)) continue;
        this.#nodes.delete(p);
        this.#nodes.set(target + p.slice(source.length), child);
      }
      this.#nodes.delete(source);
      this.#nodes.set(target, node);
      this.journal.push(`rename ${source} ${target}`);
    });
  }

  remove(path: string): Promise<void> {
    return Promise.resolve().then(() => {
      this.#fault("remove");
      const real = this.#resolve(path, false);
      const node = this.#nodes.get(real);
      if (!node) throw new FsError("NotFound", path);
      if (this.ownerModes) this.#parentDir(real);
      if (node.kind === "dir" && this.#children(real).length > 0) {
        throw new Error(`Directory not empty: ${path}`);
      }
      this.#nodes.delete(real);
    });
  }

  #children(dir: string): string[] {
    return [...this.#nodes.keys()].filter((p) => p !== dir && dirname(p) === dir);
  }

  #info(node: Node): FileInfo {
    const typeBits = node.kind === "file" ? 0o100000 : node.kind === "dir" ? 0o040000 : 0o120000;
    return {
      isFile: node.kind === "file",
      isDirectory: node.kind === "dir",
      isSymlink: node.kind === "symlink",
      mode: typeBits | node.mode,
      size: node.kind === "file" ? new TextEncoder().encode(node.data).length : 0,
      mtime: new Date(node.mtime),
    };
  }

  stat(path: string): Promise<FileInfo> {
    return Promise.resolve().then(() => {
      this.#fault("stat");
      return this.#info(this.#get(path, true)[1]);
    });
  }

  lstat(path: string): Promise<FileInfo> {
    return Promise.resolve().then(() => {
      this.#fault("lstat");
      return this.#info(this.#get(path, false)[1]);
    });
  }

  syncDir(path: string): Promise<void> {
    return Promise.resolve().then(() => {
      this.#fault("syncDir");
      const [real, node] = this.#get(path);
      if (node.kind !== "dir") throw new FsError("NotADirectory", path);
      this.journal.push(`syncDir ${real}`);
    });
  }

  readDir(path: string): Promise<string[]> {
    return Promise.resolve().then(() => {
      this.#fault("readDir");
      const [real, node] = this.#get(path);
      if (node.kind !== "dir") throw new FsError("NotADirectory", path);
      return this.#children(real).map((p) => posix.basename(p));
    });
  }
}

/** Options for {@linkcode createMemoryContext}. */
export interface MemoryContextOptions {
  /** Environment variables. `HOME` defaults to `/home/user`. */
  env?: Record<string, string | undefined>;
  /** The current directory; created. Defaults to `/work`. */
  cwd?: string;
  /** The operating system. Defaults to `linux`. */
  os?: string;
  /** The network; by default every request fails as a refused connection. */
  fetch?: Fetch;
  /** The initial clock value. */
  now?: number;
}

/** A {@linkcode Context} whose parts tests can reach and change. */
export interface MemoryContext extends Context {
  /** The in-memory file system. */
  readonly fs: MemoryFileSystem;
  /** The environment, mutable. */
  readonly vars: Record<string, string | undefined>;
  /** Moves the clock forward. */
  advance(ms: number): void;
}

/**
 * Creates an in-memory context with a home directory and a current directory.
 *
 * @param options Environment, directories, network and clock.
 * @returns The context.
 */
export function createMemoryContext(options: MemoryContextOptions = {}): MemoryContext {
  const vars: Record<string, string | undefined> = { HOME: "/home/user", ...options.env };
  const fs = new MemoryFileSystem();
  let clock = options.now ?? Date.UTC(2026, 0, 1);
  fs.now = () => clock;
  const cwd = options.cwd ?? "/work";
  fs.putDir(cwd);
  if (vars.HOME) fs.putDir(vars.HOME);
  const refuse: Fetch = () =>
    Promise.reject(new TypeError("error sending request: tcp connect error: Connection refused"));
  return {
    env: (name) => vars[name],
    vars,
    os: options.os ?? "linux",
    arch: "x86_64",
    cwd: () => cwd,
    fs,
    fetch: options.fetch ?? refuse,
    now: () => clock,
    advance: (ms) => {
      clock += ms;
    },
  };
}
