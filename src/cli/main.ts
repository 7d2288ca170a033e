/**
 * Wiring of the real process: the runtime's context and terminal, the command, then telemetry.
 * The runtime comes in as a {@linkcode Host}: `main.ts` passes Deno's, `main_node.ts` Node's.
 *
 * @module
 */

import type { Context, Permission } from "../context.ts";
import { runCli } from "./run.ts";
import { type CliContext, safeProgramName } from "./cli_context.ts";
import type { Io } from "./io.ts";
import { envOptOut } from "./telemetry.ts";

/** What a runtime gives the CLI. */
export interface Host {
  /** The library's context. */
  readonly context: Context;
  /** Makes the terminal; `env` reads the environment without ever prompting. */
  io(env: (name: string) => string | undefined): Io;
  /** Whether a permission is granted, without asking (Node has no permissions: always true). */
  granted(permission: Permission): boolean;
}

/** Options of {@linkcode runCliMain}. */
export interface MainOptions {
  /**
   * The name the program was invoked as, e.g. `lua-ai`: help, hints and examples say it. A
   * launcher passes its own name (a path is cut to its base name; anything that is not a plain
   * word is shown as `lua`). Default `lua`.
   */
  programName?: string;
}

/**
 * Runs the CLI in this process with the real context and terminal, then sends telemetry.
 *
 * @param args The arguments after the program name.
 * @param host The runtime.
 * @param options The program's name.
 * @returns The exit code for the process.
 */
export async function runCliMain(
  args: readonly string[],
  host: Host,
  options: MainOptions = {},
): Promise<number> {
  const { context, granted } = host;
  // the context's clock, not `performance`: on Node that global loads perf_hooks
  const started = context.now();
  /** Reads the environment only when allowed, so that a missing --allow-env never prompts. */
  const softEnv = (name: string): string | undefined =>
    granted({ name: "env", variable: name }) ? context.env(name) : undefined;
  const cli: CliContext = {
    ...context,
    io: host.io(softEnv),
    programName: safeProgramName(options.programName),
  };
  const record = await runCli(args, cli);
  // An opt-out the CLI may not read must still count: send only when both switches are readable.
  const switchesReadable = granted({ name: "env", variable: "LUA_TELEMETRY" }) &&
    granted({ name: "env", variable: "DO_NOT_TRACK" });
  if (switchesReadable && envOptOut(softEnv) === undefined) {
    const [{ sendTelemetry }, { dotenvPath }] = await Promise.all([
      import("./telemetry_send.ts"),
      import("../dotenv.ts"),
    ]);
    // Telemetry reads the environment softly: with a narrowed --allow-env it sees only what
    // it may, and never triggers a permission prompt.
    const soft = { ...cli, env: softEnv };
    await sendTelemetry(soft, record, context.now() - started, {
      notice: (text) => cli.io.err(text),
      permitted: (url) => granted({ name: "net", host: url.host }),
      mayTouch: (path) =>
        granted({ name: "read", path }) && granted({ name: "write", path }) &&
        granted({ name: "read", path: dotenvPath(cli) }),
    });
  }
  return record.exitCode;
}
