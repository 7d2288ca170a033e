/**
 * `deno task build:deno [--out FILE]`: the CLI as one minified JavaScript file, `dist/lua.js` (its
 * source map beside it), the file `deno install` installs (README, "With Deno"). Deno evaluates
 * every module of a source tree before the first line runs, about 0.2 ms each for the CLI's 33:
 * one file starts at 1.2–1.5x an empty script, the source tree at 1.6–1.75x
 * (docs/benchmarks.md). `deno bundle`, built into Deno, does the work. `node:`
 * modules stay imports, and so does `@inquirer/prompts`, which Deno loads only for a prompt
 * (`PROMPTS_SPECIFIER` in `src/cli/io.ts`). Tested by `scripts/build_deno_test.ts`.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The bundle's place in the repository. */
export const BUNDLE = "dist/lua.js";

/**
 * Bundles `main.ts` into one file.
 *
 * @param root The project root, with `deno.json` and `main.ts`.
 * @param outFile The file to write; `dist/lua.js` under `root` by default.
 * @returns The file written.
 * @throws {Error} With `deno bundle`'s own message when it fails.
 */
export async function buildDeno(
  root: string,
  outFile: string = join(root, BUNDLE),
): Promise<string> {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=deno",
      // Less source to load (66 KB, not 126 KB: 0.3–0.8 ms a line); the map beside it puts the
      // source's names and lines back into a LUA_DEBUG stack trace.
      "--minify",
      "--sourcemap=linked",
      `--config=${join(root, "deno.json")}`,
      `--output=${outFile}`,
      join(root, "main.ts"),
    ],
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`deno bundle failed: ${new TextDecoder().decode(stderr).trim()}`);
  return outFile;
}

if (import.meta.main) {
  const [flag, out] = Deno.args;
  if (Deno.args.length > 0 && (flag !== "--out" || !out || Deno.args.length > 2)) {
    console.error("usage: scripts/build_deno.ts [--out FILE]");
    Deno.exit(2);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  console.log(await buildDeno(root, out ? resolve(out) : undefined));
}
