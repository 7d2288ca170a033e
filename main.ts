/**
 * The `lua` command-line interface: `lua auth configure | key | logout | status`.
 *
 * Run it with exactly the permissions it needs:
 *
 * ```sh
 * deno run --allow-env --allow-read --allow-write --allow-net main.ts auth status
 * ```
 *
 * This module and `main_node.ts` (the same for Node) are the only ones that exit the process.
 *
 * @module
 */

import { denoContext } from "./src/context.ts";
import { denoIo } from "./src/cli/io.ts";
import { type Host, runCliMain } from "./src/cli/main_run.ts";

/**
 * Deno's side of the CLI: its context, its terminal, and its permission queries (which never
 * prompt).
 *
 * @returns The host {@linkcode runCliMain} runs on.
 */
export function denoHost(): Host {
  return {
    context: denoContext(),
    io: denoIo,
    granted: (permission) => Deno.permissions.querySync(permission).state === "granted",
  };
}

if (import.meta.main) {
  Deno.exit(await runCliMain(Deno.args, denoHost()));
}
