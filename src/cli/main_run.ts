/**
 * Wiring of the real process: the Deno context, the terminal, the command, then telemetry.
 *
 * @module
 */

import { denoContext } from "../context.ts";
import { dotenvPath } from "../dotenv.ts";
import { runCli } from "./run.ts";
import { type CliContext, safeProgramName } from "./cli_context.ts";
import { denoIo } from "./io.ts";
import { envOptOut } from "./telemetry.ts";

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** Reads the environment only when allowed, so that a missing --allow-env never prompts here. */
function softEnv(name: string): string | undefined {
  return granted({ name: "env", variable: name }) ? Deno.env.get(name) : undefined;
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
 * @param options The program's name.
 * @returns The exit code for the process.
 */
export async function runCliMain(
  args: readonly string[],
  options: MainOptions = {},
): Promise<number> {
  const started = performance.now();
  const cli: CliContext = {
    ...denoContext(),
    io: denoIo(softEnv),
    programName: safeProgramName(options.programName),
  };
  const record = await runCli(args, cli);
  // An opt-out the CLI may not read must still count: send only when both switches are readable.
  const switchesReadable = granted({ name: "env", variable: "LUA_TELEMETRY" }) &&
    granted({ name: "env", variable: "DO_NOT_TRACK" });
  if (switchesReadable && envOptOut(softEnv) === undefined) {
    const { sendTelemetry } = await import("./telemetry_send.ts");
    // Telemetry reads the environment softly: with a narrowed --allow-env it sees only what
    // it may, and never triggers a permission prompt.
    const soft = { ...cli, env: softEnv };
    await sendTelemetry(soft, record, performance.now() - started, {
      notice: (text) => cli.io.err(text),
      permitted: (url) => granted({ name: "net", host: url.host }),
      mayTouch: (path) =>
        granted({ name: "read", path }) && granted({ name: "write", path }) &&
        granted({ name: "read", path: dotenvPath(cli) }),
    });
  }
  return record.exitCode;
}
