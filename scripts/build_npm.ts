/**
 * `deno task build:npm [--out DIR]`: the npm package of the library and the CLI into `npm/`, in
 * the shape of dnt's `build()`, by esbuild and TypeScript run in process (`docs/npm.md`).
 * @module
 */

import * as esbuild from "esbuild";
import ts from "typescript";
import { cpSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MIN_NODE } from "../main_node.ts";
import { bundlePlugin } from "./bundle_plugin.ts";

/** What to build: dnt's `build()` options, cut to what this package needs. */
export interface BuildOptions {
  /** The project root, with `deno.json` (name, version, license, the import map). */
  root: string;
  /** The output directory; replaced. */
  outDir: string;
  /** The library: subpath of `exports` → source file. */
  entryPoints: Record<string, string>;
  /** The commands, all running one source file. */
  bin: { names: readonly string[]; path: string };
  /** Files copied into the package: name in the package → source file. */
  copy: Record<string, string>;
  /** The rest of `package.json`. */
  package: Record<string, unknown>;
}

/** What {@linkcode buildNpm} wrote: `package.json`, and the files (relative paths, sorted). */
export type BuildResult = { packageJson: Record<string, unknown>; files: string[] };

/** The CLI in the package: the file every `bin` runs. */
export const CLI_FILE = "bin/lua.cjs";

/** The repository the package is published from (npm provenance checks it). */
export const REPOSITORY = "https://github.com/lua-ai-global/lua-cli";

/** This package's {@linkcode BuildOptions}, for the project at `root`. */
export function luaBuild(root: string, outDir: string = join(root, "npm")): BuildOptions {
  return {
    root,
    outDir,
    entryPoints: { ".": "mod.ts", "./node": "src/node.ts" },
    bin: { names: ["lua", "lua-ai"], path: "main_node.ts" },
    copy: {
      "README.md": "scripts/npm_assets/README.md",
      "LICENSE": "LICENSE",
      "esm/require.cjs": "scripts/npm_assets/require.cjs",
    },
    package: {
      description: "The Lua platform CLI (lua auth configure | key | logout | status) and its " +
        "authentication core as a library.",
      keywords: ["lua", "heylua", "cli", "api-key", "authentication", "otp"],
      homepage: `${REPOSITORY}#readme`,
      bugs: { url: `${REPOSITORY}/issues` },
      repository: { type: "git", url: `git+${REPOSITORY}.git` },
      engines: { node: `>=${MIN_NODE.join(".")}.0` }, // main_node.ts refuses an older Node
      publishConfig: { access: "public" },
      sideEffects: false,
    },
  };
}

/**
 * The npm range of a Deno `npm:` specifier (the import map's target).
 *
 * @example
 * ```ts
 * import { npmRange } from "./build_npm.ts";
 * import assert from "node:assert/strict";
 * assert.equal(npmRange("npm:@inquirer/prompts@7"), "^7.0.0");
 * assert.equal(npmRange("npm:undici@6.21"), "^6.21.0");
 * assert.equal(npmRange("npm:x@~1.2.3"), "~1.2.3");
 * ```
 */
export function npmRange(specifier: string): string {
  const range = /^npm:\/?(?:@[^/@]+\/)?[^/@]+@([^/]+)/.exec(specifier)?.[1] ?? "*";
  return /^\d+(\.\d+)?$/.test(range) ? `^${range}${range.includes(".") ? "" : ".0"}.0` : range;
}

/**
 * A declaration file with its relative `.ts` specifiers rewritten to `.js` (not in comments).
 *
 * @example
 * ```ts
 * import { jsSpecifiers } from "./build_npm.ts";
 * import assert from "node:assert/strict";
 * assert.equal(jsSpecifiers(`export * from "./src/a.ts";`), `export * from "./src/a.js";`);
 * ```
 */
export function jsSpecifiers(text: string): string {
  const specifier = /((?:from|import)\s*\(?\s*["']\.\.?\/[^"'\n]*?)\.ts(["'])/g;
  return text.replace(/^(?!\s*(\*|\/\/|\/\*)).+/gm, (line) => line.replace(specifier, "$1.js$2"));
}

/** The package of a bare specifier: `@s/x` of `@s/x/sub`, `x` of `x/sub`. */
function packageName(specifier: string): string {
  return /^(@[^/]+\/)?[^/]+/.exec(specifier)![0];
}

/** Removes `dir`, unless it holds something that is not a build of `name`. */
async function replaceDir(dir: string, name: string): Promise<void> {
  const old = await Deno.readTextFile(join(dir, "package.json")).then(JSON.parse, () => ({}));
  if (old.name !== name && (await Array.fromAsync(Deno.readDir(dir)).catch(() => [])).length) {
    throw new Error(`Refusing to replace ${dir}: it is not empty and not a build of ${name}.`);
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/**
 * Builds the package: `esm/` and {@linkcode CLI_FILE} (esbuild), `types/` (tsc), `package.json`,
 * the copied files.
 */
export async function buildNpm(options: BuildOptions): Promise<BuildResult> {
  const { root, outDir, copy } = options;
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  await replaceDir(outDir, config.name);
  const library: Record<string, string> = {};
  const exports: Record<string, Record<string, string>> = {};
  for (const [subpath, path] of Object.entries(options.entryPoints)) {
    const name = path.replace(/^src\//, "").replace(/\.ts$/, "");
    library[name] = join(root, path);
    const types = `./types/${path.replace(/\.ts$/, ".d.ts")}`;
    exports[subpath] = { types, import: `./esm/${name}.js`, require: "./esm/require.cjs" };
  }
  const common: esbuild.BuildOptions = {
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node20",
    packages: "external", // npm packages stay imports: the dependencies
    charset: "utf8",
    metafile: true,
  };
  try {
    const lib = await esbuild.build({
      ...common,
      entryPoints: library,
      outdir: join(outDir, "esm"),
      splitting: true,
      format: "esm",
    });
    // The CLI apart, as one CommonJS file: Node 20 starts an ES module about 8 ms (a fifth of
    // `node -e 0`) later than a CommonJS one, for its ES module loader. Its import()s of npm
    // packages stay import()s, which load that loader only when they run (a prompt, a proxy).
    const cli = await esbuild.build({
      ...common,
      entryPoints: [join(root, options.bin.path)],
      outfile: join(outDir, CLI_FILE),
      format: "cjs",
      // main_node.ts is only ever run as the command; node.ts's createRequire (Node < 20.16)
      // gets this file's URL.
      define: { "import.meta.main": "true", "import.meta.url": "__import_meta_url" },
      banner: {
        js: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;',
      },
      plugins: [bundlePlugin({ eager: false })], // fewer files: bundle_plugin.ts
    });
    const external = (built: esbuild.BuildResult) =>
      Object.values(built.metafile!.outputs).flatMap((output) => output.imports)
        .filter((i) => i.external && !/^node:/.test(i.path));
    // A static import would be a require() in the CLI, which an ES module package refuses.
    const required = external(cli).find((i) => i.kind !== "dynamic-import");
    if (required) throw new Error(`The CLI must import "${required.path}" with import().`);
    const packages = [...new Set([lib, cli].flatMap(external).map((i) => packageName(i.path)))]
      .sort();
    const missing = packages.find((pkg) => !config.imports?.[pkg]);
    if (missing) throw new Error(`"${missing}" is not in deno.json's imports.`);
    const host = ts.createCompilerHost({}); // writes into new directories, formats errors
    const { diagnostics } = ts.createProgram(Object.values(library), {
      declaration: true,
      emitDeclarationOnly: true,
      noCheck: true, // `deno check` checks the source; the exported API is explicitly typed
      module: ts.ModuleKind.Preserve, // and so `moduleResolution: "bundler"`
      strict: true,
      exactOptionalPropertyTypes: true,
      rootDir: root,
      outDir: join(outDir, "types"),
    }).emit(undefined, (file, text) => host.writeFile(file, jsSpecifiers(text), false));
    if (diagnostics.length > 0) throw new Error(ts.formatDiagnostics(diagnostics, host));
    for (const [to, from] of Object.entries(copy)) cpSync(join(root, from), join(outDir, to));
    const packageJson = {
      ...Object.fromEntries(["name", "version", "license"].map((key) => [key, config[key]])),
      ...options.package,
      type: "module",
      main: exports["."]?.import,
      types: exports["."]?.types,
      exports,
      bin: Object.fromEntries(options.bin.names.map((name) => [name, CLI_FILE])),
      files: ["esm/", "types/", dirname(CLI_FILE) + "/"],
      dependencies: Object.fromEntries(packages.map((pkg) => [pkg, npmRange(config.imports[pkg])])),
    };
    await Deno.writeTextFile(join(outDir, "package.json"), JSON.stringify(packageJson, null, 2));
    const all = readdirSync(outDir, { recursive: true, encoding: "utf8" });
    return { packageJson, files: all.filter((f) => statSync(join(outDir, f)).isFile()).sort() };
  } catch (error) {
    await Deno.remove(outDir, { recursive: true }).catch(() => {}); // no half-built package
    throw error;
  } finally {
    await esbuild.stop();
  }
}

if (import.meta.main) {
  const [flag, out] = Deno.args;
  if (Deno.args.length > 0 && (flag !== "--out" || !out || Deno.args.length > 2)) {
    console.error("usage: scripts/build_npm.ts [--out DIR]");
    Deno.exit(2);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const { packageJson, files } = await buildNpm(luaBuild(root, out && resolve(out)));
  console.log(`${packageJson.name}@${packageJson.version}: ${files.length} files`);
}
