/**
 * `deno task build:deno [--out FILE]`: the CLI as one minified JavaScript file, `dist/lua.js` (its
 * source map beside it), the file `deno install` installs (README, "With Deno"). Deno evaluates
 * every module of a source tree before the first line runs, about 0.2 ms each for the CLI's 33;
 * the source tree starts at 1.6–1.75x an empty script (docs/benchmarks.md). esbuild (`npm:`, in
 * process, as in `build_npm.ts`) bundles it through `bundle_plugin.ts`: every `import()` of a
 * project module becomes static and every function is compiled with its script, so that Deno's
 * V8 code cache holds it. `node:` modules stay imports, and so does `@inquirer/prompts`, which
 * Deno loads only for a prompt (`PROMPTS_SPECIFIER` in `src/cli/io.ts`). Tested by
 * `scripts/build_deno_test.ts`.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundlePlugin } from "./bundle_plugin.ts";

/** The bundle's place in the repository. */
export const BUNDLE = "dist/lua.js";

/**
 * Bundles `main.ts` into one file.
 *
 * @param root The project root, with `main.ts`.
 * @param outFile The file to write; `dist/lua.js` under `root` by default.
 * @returns The file written.
 * @throws {Error} With esbuild's own message when it fails.
 */
export async function buildDeno(
  root: string,
  outFile: string = join(root, BUNDLE),
): Promise<string> {
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: [join(root, "main.ts")],
      outfile: outFile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "esnext",
      external: ["node:*"],
      charset: "utf8",
      // Less source to load (0.3–0.8 ms a line); the map beside it puts the source's names and
      // lines back into a LUA_DEBUG stack trace.
      minify: true,
      sourcemap: "linked",
      logLevel: "silent",
      plugins: [bundlePlugin({ eager: true })],
    });
  } finally {
    await esbuild.stop();
  }
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
