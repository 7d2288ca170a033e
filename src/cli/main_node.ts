/**
 * {@linkcode runCliMain} on Node's context and terminal (`src/node.ts`): what `main_node.ts`
 * imports once it has checked the Node version. One module, so that the npm build loads the
 * CLI's start-up code as one file.
 *
 * @module
 */

import { nodeContext, nodeIo } from "../node.ts";
import { runCliMain } from "./main.ts";

/**
 * Runs the CLI on Node (which has no permissions to check).
 *
 * @param args The arguments after the program name.
 * @param programName The path the program was run as (`process.argv[1]`): `lua` or `lua-ai`.
 * @returns The exit code for the process.
 */
export function runCliOnNode(args: readonly string[], programName?: string): Promise<number> {
  const host = { context: nodeContext(), io: nodeIo, granted: () => true };
  return runCliMain(args, host, programName === undefined ? {} : { programName });
}
