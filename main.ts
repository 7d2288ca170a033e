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

import { runCliMain } from "./src/cli/main.ts";
import { denoHost } from "./src/cli/main_deno.ts";

if (import.meta.main) {
  Deno.exit(await runCliMain(Deno.args, denoHost()));
}
