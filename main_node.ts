#!/usr/bin/env node
/**
 * The `lua` command on Node.js: the npm package's `bin` (`lua` and `lua-ai`). It refuses a
 * Node older than the package supports, then runs the CLI on Node's context and terminal
 * (`src/node.ts`). The CLI is imported only after the version check: an older Node fails on
 * its imports (`parseEnv` of `node:util` is 20.12's).
 *
 * With `main.ts`, the only module that exits the process.
 *
 * @module
 */

/** The oldest Node the package supports, as `[major, minor]`. */
export const MIN_NODE: readonly [number, number] = [20, 12];

/**
 * Why this Node cannot run the CLI, or `undefined` when it can.
 *
 * @example
 * ```ts
 * import { nodeTooOld } from "./main_node.ts";
 * import assert from "node:assert/strict";
 * assert.equal(nodeTooOld("22.1.0"), undefined);
 * assert.equal(
 *   nodeTooOld("18.20.4"),
 *   "lua needs Node.js 20.12.0 or newer, and this is Node.js 18.20.4.",
 * );
 * ```
 *
 * @param version `process.versions.node`.
 * @returns One sentence naming the found and the needed version.
 */
export function nodeTooOld(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const [needMajor, needMinor] = MIN_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `lua needs Node.js ${needMajor}.${needMinor}.0 or newer, and this is Node.js ${version}.`;
}

if (import.meta.main) {
  // the global, not node:process, whose ES module opens the standard streams
  const process = globalThis.process;
  const tooOld = nodeTooOld(process.versions.node);
  if (tooOld) {
    process.stderr.write(`Error: ${tooOld}\n`);
    process.exit(1);
  }
  import("./src/cli/main_node.ts").then(async ({ runCliOnNode }) => {
    process.exit(await runCliOnNode(process.argv.slice(2), process.argv[1]));
  });
}
