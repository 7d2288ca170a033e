/**
 * Helpers for end-to-end tests: a sandbox with a temporary HOME and working directory, and
 * the real CLI run as a subprocess with exactly the documented permissions.
 *
 * @module
 */

export { exists } from "../testing/process.ts";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));
/** The CLI's entry point. */
export const MAIN: string = join(ROOT, "main.ts");

const BUNDLE_PATH = Deno.env.get("LUA_TEST_BUNDLE");
const BUNDLE = BUNDLE_PATH ? resolve(ROOT, BUNDLE_PATH) : undefined;

/**
 * `deno run` of the CLI under test with `permissions`: the source tree (`main.ts` with
 * deno.json), or a bundle README's `deno install` installs, run with no deno.json as the
 * installed command runs it (`LUA_TEST_BUNDLE` under `deno task test:bundle`).
 *
 * @param permissions The Deno permission flags.
 * @param bundle The bundle to run instead of the source tree.
 * @returns The arguments of `deno`, before the CLI's own.
 */
export function denoRunLua(
  permissions: readonly string[],
  bundle: string | undefined = BUNDLE,
): string[] {
  return bundle
    ? ["run", "--quiet", "--no-config", LUA_V8_FLAGS, ...permissions, bundle]
    : ["run", "--quiet", "--config", join(ROOT, "deno.json"), ...permissions, MAIN];
}

/** Exactly the permissions the README documents. */
export const LUA_PERMISSIONS: readonly string[] = [
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-net",
];
/**
 * The V8 flags README's `deno install` gives the installed command (docs/benchmarks.md):
 * - `--no-sparkplug`: V8's baseline compiler compiles functions that have run a little, for code
 *   that goes on running; a command line is over in about 10 ms, and the compiling is only cost
 *   (`auth status --offline` and `auth logout --force` start 1.3-1.9 ms sooner without it);
 * - `--no-enable-lazy-source-positions`: V8 then keeps each function's source positions with its
 *   code, in Deno's code cache. Lazily, the first exception thrown through a function made V8
 *   parse it again to find the line: 0.4-0.5 ms for the first "no such file" (a missing `.env`,
 *   no sessions folder), every run.
 */
export const LUA_V8_FLAGS = "--v8-flags=--no-sparkplug,--no-enable-lazy-source-positions";
/** A well-formed key that no emulator knows. */
export const SAMPLE_KEY = "api_0123456789abcdef0123456789abcdef";
/**
 * Where telemetry goes unless a test says otherwise: a loopback port nothing listens on (the
 * discard port), so that no run can ever reach the real PostHog host.
 */
export const NO_TELEMETRY_URL = "http://127.0.0.1:9";

/** A temporary HOME and working directory. */
export interface Sandbox {
  /** The temporary root. */
  dir: string;
  /** HOME for the CLI. */
  home: string;
  /** The working directory for the CLI. */
  cwd: string;
  /** `$HOME/.lua-cli/credentials`. */
  credentials: string;
  /** Removes everything. */
  cleanup(): Promise<void>;
}

/**
 * Creates a sandbox under the system temporary directory.
 *
 * @returns The sandbox.
 */
export async function sandbox(): Promise<Sandbox> {
  const dir = await Deno.makeTempDir({ prefix: "lua-e2e-" });
  const home = join(dir, "home");
  const cwd = join(dir, "project");
  await Deno.mkdir(home);
  await Deno.mkdir(cwd);
  return {
    dir,
    home,
    cwd,
    credentials: join(home, ".lua-cli", "credentials"),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * Writes `$HOME/.lua-cli/credentials` the way the old CLI would (0755 dir, given file mode).
 *
 * @param sb The sandbox.
 * @param text The file's contents.
 * @param mode The file's mode.
 */
export async function storeKey(sb: Sandbox, text: string, mode = 0o600): Promise<void> {
  await Deno.mkdir(join(sb.home, ".lua-cli"), { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(sb.credentials, text, { mode });
  await Deno.chmod(sb.credentials, mode);
}

/**
 * Writes a session file of the platform's own CLI, `$HOME/.lua-cli/sessions/<id>.json`, as its
 * email login leaves it.
 *
 * @param sb The sandbox.
 * @param id The session's id.
 * @param fields Fields instead of the usual ones (`kind` decides whether it is a session).
 * @returns The file's path.
 */
export async function storeSession(
  sb: Sandbox,
  id: string,
  fields: Record<string, unknown> = { kind: "firebase-session" },
): Promise<string> {
  const dir = join(sb.home, ".lua-cli", "sessions");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${id}.json`);
  const session = { id, email: "ada@example.com", refreshToken: `rt_${id}`, ...fields };
  await Deno.writeTextFile(path, JSON.stringify(session), { mode: 0o600 });
  return path;
}

/** The outcome of a CLI run. */
export interface RunResult {
  /** Exit code. */
  code: number;
  /** Everything on stdout. */
  stdout: string;
  /** Everything on stderr. */
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  ms: number;
  /** Time from the last byte written (stdout or stderr) to the exit, in ms. */
  lingerMs: number;
  /** When the process exited, on this process's `performance.now()` clock. */
  exitedAt: number;
}

/**
 * The settings that point the CLI at one platform: the OTP service, the API and telemetry.
 *
 * @param url The platform's origin (usually the emulator's).
 * @returns `LUA_AUTH_URL`, `LUA_API_URL` and `LUA_TELEMETRY_URL`, all `url`.
 */
export function platformEnv(url: string): Record<string, string> {
  return { LUA_AUTH_URL: url, LUA_API_URL: url, LUA_TELEMETRY_URL: url };
}

/** Options for {@linkcode lua}. */
export interface LuaOptions {
  /**
   * Extra environment variables (the environment is otherwise cleared); `undefined` removes a
   * variable {@linkcode baseEnv} sets.
   */
  env?: Record<string, string | undefined>;
  /** What to write to stdin; stdin is empty (not a terminal) otherwise. */
  stdin?: string;
  /** Permissions instead of {@linkcode LUA_PERMISSIONS}. */
  permissions?: readonly string[];
  /** The whole environment, instead of {@linkcode baseEnv} plus `env`. */
  exactEnv?: Record<string, string>;
}

/** The Deno cache, so that subprocesses with a temporary HOME download nothing. */
export function denoDir(): string {
  return Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache", "deno");
}

/**
 * The environment of every subprocess: Deno's cache and this machine's certificates, the
 * sandbox's HOME, and telemetry off and pointed at {@linkcode NO_TELEMETRY_URL}. A test that
 * turns telemetry on points `LUA_TELEMETRY_URL` at its emulator ({@linkcode platformEnv}).
 *
 * @param sb The sandbox.
 * @returns The variables.
 */
export function baseEnv(sb: Sandbox): Record<string, string> {
  const env: Record<string, string> = {
    HOME: sb.home,
    DENO_DIR: denoDir(),
    DENO_NO_UPDATE_CHECK: "1",
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    LUA_TELEMETRY: "false",
    LUA_TELEMETRY_URL: NO_TELEMETRY_URL,
  };
  for (const name of ["DENO_CERT", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

/**
 * Runs `main.ts` in a subprocess with a cleared environment, the sandbox's HOME and working
 * directory, and exactly the documented permissions.
 *
 * @param sb The sandbox.
 * @param args The CLI arguments.
 * @param options Environment, stdin, permissions.
 * @returns Exit code, output and wall time.
 */
export async function lua(
  sb: Sandbox,
  args: readonly string[],
  options: LuaOptions = {},
): Promise<RunResult> {
  const started = performance.now();
  const child = spawnLua(sb, args, options, options.stdin === undefined ? "null" : "piped");
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  let lastOutput = started;
  const mark = (): void => {
    lastOutput = performance.now();
  };
  const [stdout, stderr, status] = await Promise.all([
    collect(child.stdout, mark),
    collect(child.stderr, mark),
    child.status,
  ]);
  const exitedAt = performance.now();
  return {
    code: status.code,
    stdout,
    stderr,
    ms: exitedAt - started,
    lingerMs: Math.max(0, exitedAt - lastOutput),
    exitedAt,
  };
}

/** Reads a stream to its end as UTF-8, calling `mark` at each chunk. */
async function collect(stream: ReadableStream<Uint8Array>, mark: () => void): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    mark();
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(all);
}

/**
 * Starts `main.ts` as {@linkcode lua} does, for a test that drives stdin or stdout itself.
 *
 * @param sb The sandbox.
 * @param args The CLI arguments.
 * @param options Environment and permissions (`stdin` is ignored).
 * @param stdin `"piped"` to write stdin, `"null"` for none.
 * @returns The child, stdout and stderr piped.
 */
export function spawnLua(
  sb: Sandbox,
  args: readonly string[],
  options: Omit<LuaOptions, "stdin"> = {},
  stdin: "piped" | "null" = "null",
): Deno.ChildProcess {
  const env: Record<string, string> = {};
  for (
    const [name, value] of Object.entries(options.exactEnv ?? { ...baseEnv(sb), ...options.env })
  ) {
    if (value !== undefined) env[name] = value;
  }
  return new Deno.Command(Deno.execPath(), {
    args: [...denoRunLua(options.permissions ?? LUA_PERMISSIONS), ...args],
    cwd: sb.cwd,
    clearEnv: true,
    env,
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * The permission bits of a path.
 *
 * @param path The path.
 * @returns `mode & 0o777`.
 */
export async function modeOf(path: string): Promise<number> {
  return ((await Deno.stat(path)).mode ?? 0) & 0o777;
}

/**
 * Runs `fn` over `items`, `limit` at a time, keeping the order of the results.
 *
 * @param items The inputs.
 * @param limit How many run at once.
 * @param fn The work.
 * @returns The results, in the order of `items`.
 */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
