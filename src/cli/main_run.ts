/**
 * Wiring of the real process: the Deno context, the terminal, then the command.
 *
 * @module
 */

import { denoContext } from "../context.ts";
import { runCli } from "./app.ts";
import type { CliContext } from "./cli_context.ts";
import { denoIo } from "./io.ts";

export type { CliContext };

function softEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: no colour preferences, and the command will say so
  }
}

/**
 * Runs the CLI in this process with the real context and terminal.
 *
 * @param args The arguments after the program name.
 * @returns The exit code for the process.
 */
export async function runCliMain(args: readonly string[]): Promise<number> {
  const cli: CliContext = { ...denoContext(), io: denoIo(softEnv) };
  const record = await runCli(args, cli);
  return record.exitCode;
}
