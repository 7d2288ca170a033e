/**
 * Deno's {@linkcode Host} for `runCliMain`: what `main.ts` runs the CLI on. The Node
 * counterpart is `main_node.ts`.
 *
 * @module
 */

import { denoContext, isGranted } from "../context.ts";
import { denoIo } from "./io.ts";
import type { Host } from "./main.ts";

/**
 * Deno's side of the CLI: its context, its terminal, and its permission queries (which never
 * prompt).
 *
 * @returns The host `runCliMain` runs on.
 */
export function denoHost(): Host {
  return {
    context: denoContext(),
    io: denoIo,
    granted: isGranted,
  };
}
