/**
 * The `lua` command-line interface: `lua auth configure | key | logout | status`.
 *
 * Run it with exactly the permissions it needs:
 *
 * ```sh
 * deno run --allow-env --allow-read --allow-write --allow-net main.ts auth status
 * ```
 *
 * This module and `main_node.ts` (the same for Node) are the only ones that end the process.
 *
 * @module
 */

import { runCliMain } from "./src/cli/main.ts";
import { denoHost } from "./src/cli/main_deno.ts";
import { ExitCode } from "./src/errors.ts";

if (import.meta.main) {
  // The CLI runs from a fresh stack, not from this module's top level: the first Error made
  // with a function on the stack has V8 parse that function again for its source positions,
  // and in the bundle (scripts/build_deno.ts) this top level is the whole CLI (2 ms a usage
  // error). A run ends when its work is done, not by Deno.exit: Deno writes a module's V8
  // code cache only after its evaluation, so exiting at once left every run compiling the
  // CLI afresh (1-1.5 ms a line; docs/benchmarks.md). Ctrl-C is the exception: it abandons
  // what was in flight (a request may still be waiting for its answer), so it exits now.
  queueMicrotask(async () => {
    const code = await runCliMain(Deno.args, denoHost());
    if (code === ExitCode.Interrupted) Deno.exit(code);
    Deno.exitCode = code;
  });
}
