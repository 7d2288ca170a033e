/**
 * Pinned npm packages installed once into a per-user cache directory, outside the repository,
 * with retries: the real `lua-cli` that `deno task conformance` runs.
 *
 * ```ts ignore
 * import { installPinned, userCacheDir } from "./npm_cache.ts";
 * import { join } from "node:path";
 *
 * const dir = join(userCacheDir(), "example", "left-pad-1.3.0");
 * await installPinned(dir, { name: "example", dependencies: { "left-pad": "1.3.0" } });
 * ```
 *
 * @module
 */

import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { exists, run, type RunOutput } from "../testing/process.ts";

/** The npm command of this platform. */
export const NPM: string = Deno.build.os === "windows" ? "npm.cmd" : "npm";

/**
 * The per-user cache directory: `$XDG_CACHE_HOME`, else `~/.cache`, else one under the system
 * temporary directory.
 *
 * @example
 * ```ts
 * import { userCacheDir } from "./npm_cache.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(userCacheDir().length > 0);
 * ```
 *
 * @returns An absolute path.
 */
export function userCacheDir(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return xdg;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  return home ? join(home, ".cache") : join(tmpdir(), "cache");
}

/** Options of {@linkcode installPinned}. */
export interface InstallPinnedOptions {
  /** The `name` of the private package.json written into the directory. */
  name: string;
  /** Package name to exact version. */
  dependencies: Readonly<Record<string, string>>;
  /** How many times `npm install` is tried before giving up (default 3). */
  attempts?: number;
  /** The wait before the n-th retry (n from 1), in ms (default 2 s, then 4 s, …). */
  backoffMs?: (retry: number) => number;
  /**
   * Runs the install in a directory holding the package.json; defaults to `npm install` without
   * audit, funding messages or install scripts. Replaced in tests.
   */
  install?: (dir: string) => Promise<RunOutput>;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (attempt: number, detail: string) => void;
}

/** Runs `npm install` in `dir`, without audit, funding messages or install scripts. */
function npmInstall(dir: string): Promise<RunOutput> {
  return run(NPM, ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
    cwd: dir,
  });
}

/** The last lines of an install's output, for an error message. */
function tail(output: RunOutput): string {
  const lines = `${output.stdout}${output.stderr}`.trim().split("\n");
  return lines.slice(-20).join("\n");
}

/**
 * Installs exact versions of npm packages into `dir`, unless a complete install is already
 * there. Safe to run concurrently and to interrupt: each attempt installs into a fresh
 * directory beside `dir`, which is renamed into place only once complete (marked by a
 * `.complete` file). A failed attempt is retried after a pause.
 *
 * @param dir The directory that ends up holding `package.json` and `node_modules/`.
 * @param options The packages, and how to retry.
 * @returns `dir`.
 * @throws {Error} After the last failed attempt, with npm's last lines of output.
 */
export async function installPinned(dir: string, options: InstallPinnedOptions): Promise<string> {
  if (await exists(join(dir, ".complete"))) return dir;
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? ((retry: number): number => 2000 * retry);
  const install = options.install ?? npmInstall;
  await Deno.mkdir(dirname(dir), { recursive: true });
  let detail = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      options.onRetry?.(attempt - 1, detail);
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt - 1)));
    }
    const staging = await Deno.makeTempDir({ dir: dirname(dir), prefix: `.${basename(dir)}-` });
    try {
      const manifest = { private: true, name: options.name, dependencies: options.dependencies };
      await Deno.writeTextFile(join(staging, "package.json"), JSON.stringify(manifest, null, 2));
      let output: RunOutput;
      try {
        output = await install(staging);
      } catch (error) {
        output = {
          code: -1,
          stdout: "",
          stderr: error instanceof Error ? error.message : `${error}`,
        };
      }
      if (output.code !== 0) {
        detail = `exit ${output.code}: ${tail(output)}`;
        continue;
      }
      await Deno.writeTextFile(join(staging, ".complete"), "");
      try {
        await Deno.rename(staging, dir);
      } catch (error) {
        if (!(await exists(join(dir, ".complete")))) throw error; // else another install won
      }
      return dir;
    } finally {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
    }
  }
  const packages = Object.entries(options.dependencies).map(([n, v]) => `${n}@${v}`).join(" ");
  throw new Error(
    `Cannot install ${packages} into "${dir}" after ${attempts} attempts: ${detail}`,
  );
}
