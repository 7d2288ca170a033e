/**
 * `deno task build:deno [--out FILE]`: the CLI as one minified JavaScript file, `dist/lua.js` (its
 * source map beside it), the file `deno install` installs (README, "With Deno"). Deno evaluates
 * every module of a source tree before the first line runs, about 0.2 ms each for the CLI's 33;
 * the source tree starts at 1.6–1.75x an empty script (docs/benchmarks.md). esbuild (`npm:`, in
 * process, as in `build_npm.ts`) bundles it through `bundle_plugin.ts`: every `import()` of a
 * project module becomes static, and the functions that the everyday command lines run are
 * compiled with the script, so that Deno's V8 code cache holds them. Which ones: a first,
 * profiling bundle runs the command lines of the command table ({@linkcode profileLines}) in a
 * temporary home, without network permission, and records the functions that ran.
 * `node:` modules stay imports, and so does `@inquirer/prompts`, which Deno loads only for a
 * prompt (`PROMPTS_SPECIFIER` in `src/cli/io.ts`). Tested by `scripts/build_deno_test.ts`.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BundleOptions, bundlePlugin } from "./bundle_plugin.ts";
import { isGroup, longFlag } from "../src/cli/command.ts";
import type { GroupSpec } from "../src/cli/command.ts";
import { PROGRAM } from "../src/cli/commands.ts";

/** The bundle's place in the repository. */
export const BUNDLE = "dist/lua.js";

/**
 * The command lines the profile runs, from the command table: the version, every help screen,
 * every command with no flag, with each boolean flag and with all of them (for each word its
 * argument takes), and a mistyped command and option at each level.
 *
 * @example
 * ```ts
 * import { profileLines } from "./build_deno.ts";
 * import assert from "node:assert/strict";
 * const lines = profileLines().map((line) => line.join(" "));
 * assert.ok(lines.includes("auth status --offline"));
 * assert.ok(lines.includes("completion bash"));
 * ```
 *
 * @param program The command table.
 * @returns The argument lists, each once.
 */
export function profileLines(program: GroupSpec = PROGRAM): string[][] {
  const lines: string[][] = [["--version"], ["--help"], ["x-unknown"]];
  const walk = (group: GroupSpec, path: string[]): void => {
    for (const spec of group.commands) {
      const at = [...path, spec.name];
      lines.push([...at, "--help"], ["help", ...at]);
      if (isGroup(spec)) {
        lines.push([...at, "x-unknown"]);
        walk(spec, at);
        continue;
      }
      const booleans = Object.entries(spec.flags).filter(([, flag]) => flag.value === undefined)
        .map(([name]) => longFlag(name));
      for (const word of spec.argument?.choices ?? [undefined]) {
        const base = word === undefined ? at : [...at, word];
        lines.push(base, ...booleans.map((flag) => [...base, flag]), [...base, "--x-unknown"]);
        if (booleans.length > 1) lines.push([...base, ...booleans]);
      }
    }
  };
  walk(program, []);
  return [...new Map(lines.map((line) => [line.join(" "), line])).values()];
}

/** Runs the profiling bundle for every profile line; returns the ids of the functions that ran. */
async function profile(bundle: string, work: string): Promise<Set<string>> {
  // A key of the typed shape, and no network: a line that would ask the platform stops at
  // Deno's permission check, so only what runs on the machine is compiled with the bundle.
  const key = `api_00000000-0000-4000-8000-000000000000.${"A".repeat(43)}`;
  const lines = profileLines();
  const run = async (args: string[], index: number): Promise<void> => {
    const home = join(work, `home-${index}`);
    await Deno.mkdir(join(home, ".lua-cli"), { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(join(home, ".lua-cli", "credentials"), `${key}\n`, { mode: 0o600 });
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--allow-env", "--allow-read", "--allow-write", bundle, ...args],
      cwd: home,
      clearEnv: true,
      env: {
        HOME: home,
        DENO_DIR: join(work, "deno"),
        LUA_TELEMETRY: "false",
        NO_COLOR: "1",
        LUA_PROFILE: join(work, `profile-${index}.txt`),
      },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  };
  for (let i = 0; i < lines.length; i += 2) {
    await Promise.all(lines.slice(i, i + 2).map((args, j) => run(args, i + j)));
  }
  const ids = new Set<string>();
  for (const [index] of lines.entries()) {
    const text = await Deno.readTextFile(join(work, `profile-${index}.txt`)).catch(() => "");
    for (const id of text.split("\n")) if (id) ids.add(id);
  }
  return ids;
}

/** What the profiling bundle does at exit: its ids into the file `LUA_PROFILE` names. */
const PROFILE_BANNER = 'globalThis.__luaProfile = new Set(); addEventListener("unload", () => ' +
  'Deno.writeTextFileSync(Deno.env.get("LUA_PROFILE"), [...globalThis.__luaProfile].join("\\n")));';

/**
 * Bundles `main.ts` into one file, after a profiling bundle has shown which functions the
 * everyday command lines run.
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
  const work = await Deno.makeTempDir({ prefix: "lua-build-deno-" });
  const build = (outfile: string, options: BundleOptions, extra: esbuild.BuildOptions = {}) =>
    esbuild.build({
      absWorkingDir: root,
      entryPoints: [join(root, "main.ts")],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "esnext",
      external: ["node:*"],
      charset: "utf8",
      logLevel: "silent",
      plugins: [bundlePlugin(options)],
      ...extra,
    });
  try {
    const profiling = join(work, "profile.js");
    await build(profiling, { eager: false, profile: true }, { banner: { js: PROFILE_BANNER } });
    const eager = await profile(profiling, work);
    if (eager.size === 0) throw new Error("The profile run recorded no function.");
    // Less source to load (0.3–0.8 ms a line); the map beside it puts the source's names and
    // lines back into a LUA_DEBUG stack trace.
    await build(outFile, { eager }, { minify: true, sourcemap: "linked" });
  } finally {
    await esbuild.stop();
    await Deno.remove(work, { recursive: true });
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
