/**
 * The `lua` command-line interface: `lua auth configure | key | logout | status`.
 *
 * Run it with exactly the permissions it needs:
 *
 * ```sh
 * deno run --allow-env --allow-read --allow-write --allow-net main.ts auth status
 * ```
 *
 * This is the only module that exits the process.
 *
 * @module
 */

import { runCliMain } from "./src/cli/main_run.ts";

if (import.meta.main) {
  Deno.exit(await runCliMain(Deno.args));
}
