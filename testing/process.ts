/**
 * Subprocesses and files for tests and test tooling: run a program to completion, and ask
 * whether a path exists.
 *
 * @module
 */

/** A finished subprocess. */
export interface RunOutput {
  /** Its exit code. */
  code: number;
  /** What it wrote to stdout. */
  stdout: string;
  /** What it wrote to stderr. */
  stderr: string;
}

/** Options of {@linkcode run}. */
export interface RunOptions {
  /** The working directory. */
  cwd?: string;
  /** Variables to set (added to the environment, or the whole of it with `clearEnv`). */
  env?: Record<string, string>;
  /** Start from an empty environment. */
  clearEnv?: boolean;
  /** Text for stdin; stdin is closed (`null`) without it. */
  stdin?: string;
  /** Kills the program when it aborts. */
  signal?: AbortSignal;
}

/**
 * Runs a program to completion, collecting its output.
 *
 * @example
 * ```ts
 * import { run } from "./process.ts";
 * import assert from "node:assert/strict";
 *
 * const output = await run(Deno.execPath(), ["eval", "console.log(6 * 7)"]);
 * assert.equal(output.stdout.trim(), "42");
 * ```
 *
 * @param command The program.
 * @param args Its arguments.
 * @param options Directory, environment, standard input.
 * @returns Code and output.
 */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunOutput> {
  const child = new Deno.Command(command, {
    args: [...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.clearEnv ? { clearEnv: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/**
 * Whether a program can be run here: it is on `PATH` and `program -c "exit 0"`, or `program
 * --version`, succeeds. Tests that need a shell or a tool skip themselves without it.
 *
 * @example
 * ```ts
 * import { hasProgram } from "./process.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await hasProgram("no-such-program-here"), false);
 * ```
 *
 * @param program The program's name.
 * @param args What to run it with; `-c "exit 0"` (a shell) by default.
 * @returns True when it ran and succeeded.
 */
export async function hasProgram(
  program: string,
  args: readonly string[] = ["-c", "exit 0"],
): Promise<boolean> {
  try {
    return (await run(program, args)).code === 0;
  } catch {
    return false;
  }
}

/**
 * Whether something is at a path (a link counts, even a dangling one).
 *
 * @example
 * ```ts
 * import { exists } from "./process.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await exists(Deno.execPath()), true);
 * ```
 *
 * @param path The path.
 * @returns True when it exists.
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
