/**
 * What the tests of the conformance harness share: a stand-in for the real client, and whether
 * Node.js runs here at all (when it does not, they are ignored with the reason).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { run } from "../testing/process.ts";

/** A stand-in for the real client's entry script (`testdata/fake_lua.mjs`). */
export const FAKE_LUA: string = fileURLToPath(new URL("./testdata/fake_lua.mjs", import.meta.url));

/** Whether `node --version` runs. */
export const NODE_AVAILABLE: boolean = await run("node", ["--version"]).then(
  (output) => output.code === 0,
  () => false,
);

/**
 * Whether a test that needs Node.js must be ignored; prints the reason once per module.
 *
 * @param module The test module's name, for the message.
 * @returns True when Node.js does not run here.
 */
export function ignoreWithoutNode(module: string): boolean {
  if (!NODE_AVAILABLE) console.error(`${module}: ignored: Node.js is not on PATH`);
  return !NODE_AVAILABLE;
}
