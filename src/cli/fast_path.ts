/**
 * The fast path: the everyday forms of `auth key`, `auth status` and `auth logout` (only their
 * own boolean flags), the top-level help screens and `--version` run without loading the
 * argument parser, which would otherwise dominate start-up. Anything else, including every error and `--help`, goes through commander;
 * a test checks that both paths agree.
 *
 * @module
 */

/** A command recognised by the fast path, with its flags. */
export type FastCommand =
  | { command: "help"; text: "root" | "auth" }
  | { command: "version" }
  | { command: "auth key"; force: boolean }
  | { command: "auth status"; json: boolean; offline: boolean }
  | { command: "auth logout"; force: boolean };

const FLAGS: Record<string, Record<string, string>> = {
  key: { "--force": "force", "-f": "force" },
  status: { "--json": "json", "--offline": "offline" },
  logout: { "--force": "force", "-f": "force" },
};

/**
 * Recognises an everyday command line.
 *
 * @example
 * ```ts
 * import { matchFastPath } from "./fast_path.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(matchFastPath(["auth", "key", "--force"]), { command: "auth key", force: true });
 * assert.equal(matchFastPath(["auth", "key", "--help"]), undefined);
 * ```
 *
 * @param args The arguments after the program name.
 * @returns The command, or `undefined` when commander must parse the line.
 */
export function matchFastPath(args: readonly string[]): FastCommand | undefined {
  const line = args.join(" ");
  if (line === "" || line === "--help" || line === "-h") return { command: "help", text: "root" };
  if (line === "auth" || line === "auth --help" || line === "auth -h") {
    return { command: "help", text: "auth" };
  }
  if (line === "--version" || line === "-v") return { command: "version" };
  const [group, name, ...rest] = args;
  if (group !== "auth" || name === undefined) return undefined;
  const known = FLAGS[name];
  if (!known) return undefined;
  const set = new Set<string>();
  for (const arg of rest) {
    const flag = known[arg];
    if (flag === undefined) return undefined;
    set.add(flag);
  }
  switch (name) {
    case "key":
      return { command: "auth key", force: set.has("force") };
    case "status":
      return { command: "auth status", json: set.has("json"), offline: set.has("offline") };
    default:
      return { command: "auth logout", force: set.has("force") };
  }
}
