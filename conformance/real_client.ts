/**
 * The real Lua CLI, `lua-cli` on npm at one pinned version, installed once into a per-user
 * cache directory outside the repository (`$XDG_CACHE_HOME/lua-conformance/lua-cli-<version>`,
 * else `~/.cache/…`), with retries.
 *
 * ```ts ignore
 * import { ensureRealClient } from "./real_client.ts";
 *
 * const client = await ensureRealClient();
 * if (client.ok) console.log(client.entry);
 * else console.error(`skipped: ${client.reason}`);
 * ```
 *
 * @module
 */

import { join, resolve } from "node:path";
import { run, type RunOutput } from "../testing/process.ts";
import { installPinned, userCacheDir } from "./npm_cache.ts";

/** The npm package of the real client. */
export const REAL_CLIENT_PACKAGE = "lua-cli";
/** The version the conformance check runs; bump it deliberately, never float it. */
export const REAL_CLIENT_VERSION = "3.37.0";

/**
 * Where the real client is installed: `$LUA_CONFORMANCE_DIR` when set, else
 * `<user cache>/lua-conformance/lua-cli-<version>`.
 *
 * @example
 * ```ts
 * import { realClientDir, REAL_CLIENT_VERSION } from "./real_client.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(realClientDir().endsWith(`lua-cli-${REAL_CLIENT_VERSION}`) || Deno.env.has("LUA_CONFORMANCE_DIR"));
 * ```
 *
 * @returns An absolute path.
 */
export function realClientDir(): string {
  const explicit = Deno.env.get("LUA_CONFORMANCE_DIR");
  if (explicit) return resolve(explicit);
  return join(userCacheDir(), "lua-conformance", `${REAL_CLIENT_PACKAGE}-${REAL_CLIENT_VERSION}`);
}

/** The real client, ready to run, or why it cannot run here. */
export type RealClient =
  | {
    ok: true;
    /** The install directory. */
    dir: string;
    /** The script its `lua` command runs (`bin.lua` of its package.json). */
    entry: string;
    /** The Node.js version that runs it. */
    node: string;
  }
  | {
    ok: false;
    /** One sentence: what is missing and what was tried. */
    reason: string;
  };

/** Options of {@linkcode ensureRealClient}. */
export interface EnsureRealClientOptions {
  /** The install directory; defaults to {@linkcode realClientDir}. */
  dir?: string;
  /** Runs `npm install` in a directory; replaced in tests. */
  install?: (dir: string) => Promise<RunOutput>;
  /** Runs `node --version`; replaced in tests. */
  nodeVersion?: () => Promise<RunOutput>;
  /** The wait before the n-th retry, in ms. */
  backoffMs?: (retry: number) => number;
  /** Told about progress (installing, retrying). */
  log?: (line: string) => void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Locates the real client, installing it first if needed. Never throws: whatever stops it from
 * running here (no Node.js, no registry, a damaged cache) comes back as a reason.
 *
 * @param options Directory, and replacements for tests.
 * @returns The client's entry script, or the reason it is unavailable.
 */
export async function ensureRealClient(options: EnsureRealClientOptions = {}): Promise<RealClient> {
  const dir = options.dir ?? realClientDir();
  const log = options.log ?? ((_line: string): void => {});
  let node: string;
  try {
    const output = await (options.nodeVersion ?? (() => run("node", ["--version"])))();
    if (output.code !== 0) throw new Error(`node --version exited ${output.code}`);
    node = output.stdout.trim();
  } catch (error) {
    return { ok: false, reason: `Node.js cannot be run here (${message(error)}).` };
  }
  const spec = `${REAL_CLIENT_PACKAGE}@${REAL_CLIENT_VERSION}`;
  try {
    log(`conformance: using ${spec} from "${dir}" (installed on first use)`);
    await installPinned(dir, {
      name: "lua-conformance",
      dependencies: { [REAL_CLIENT_PACKAGE]: REAL_CLIENT_VERSION },
      ...(options.install ? { install: options.install } : {}),
      ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
      onRetry: (attempt, detail) =>
        log(`conformance: install attempt ${attempt} failed, retrying: ${detail}`),
    });
  } catch (error) {
    return { ok: false, reason: message(error) };
  }
  const packageDir = join(dir, "node_modules", REAL_CLIENT_PACKAGE);
  try {
    const manifest = JSON.parse(await Deno.readTextFile(join(packageDir, "package.json")));
    if (manifest?.version !== REAL_CLIENT_VERSION) {
      throw new Error(`it holds version ${JSON.stringify(manifest?.version)}`);
    }
    const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.lua;
    if (typeof bin !== "string") throw new Error("its package.json has no bin.lua");
    const entry = resolve(packageDir, bin);
    if (!(await Deno.stat(entry)).isFile) throw new Error(`"${entry}" is not a file`);
    return { ok: true, dir, entry, node };
  } catch (error) {
    return {
      ok: false,
      reason: `The cache "${dir}" is not a usable ${spec} (${
        message(error)
      }); delete it to reinstall.`,
    };
  }
}
