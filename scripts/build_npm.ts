/**
 * `deno task build:npm [--out DIR]`: the npm package of the library and the CLI, from the same
 * TypeScript source, into `npm/`. The shape is dnt's `build()`: entry points, an output
 * directory, the fields of `package.json`; esbuild (bundles) and TypeScript (declarations) run
 * in this process, imported from npm. Details in `docs/npm.md`; the package is tested on Node
 * by `scripts/npm_package_test.ts`.
 *
 * @module
 */

import * as esbuild from "npm:esbuild@0.28.2";
import ts from "npm:typescript@5.9.3";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MIN_NODE } from "../main_node.ts";

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

/** The repository the package is published from (npm provenance checks it). */
export const REPOSITORY = "https://github.com/lua-ai-global/lua-cli";

/**
 * This package's options.
 *
 * @param root The project root.
 * @param outDir The output directory.
 * @returns The options of {@linkcode buildNpm}.
 */
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

/** What {@linkcode buildNpm} wrote. */
export interface BuildResult {
  /** The generated `package.json`. */
  packageJson: Record<string, unknown>;
  /** The files written, relative to the output directory, sorted. */
  files: string[];
}

/**
 * The npm range of a Deno `npm:` specifier: `npm:commander@14` → `^14.0.0`.
 *
 * @example
 * ```ts
 * import { npmRange } from "./build_npm.ts";
 * import assert from "node:assert/strict";
 * assert.equal(npmRange("npm:@inquirer/prompts@7"), "^7.0.0");
 * assert.equal(npmRange("npm:undici@6.21"), "^6.21.0");
 * assert.equal(npmRange("npm:x@~1.2.3"), "~1.2.3");
 * ```
 *
 * @param specifier The import map's target.
 * @returns The range.
 */
export function npmRange(specifier: string): string {
  const range = /^npm:\/?(?:@[^/@]+\/)?[^/@]+@([^/]+)/.exec(specifier)?.[1] ?? "*";
  if (/^\d+$/.test(range)) return `^${range}.0.0`;
  return /^\d+\.\d+$/.test(range) ? `^${range}.0` : range;
}

/**
 * Rewrites the relative `.ts` specifiers of a declaration file to `.js` (not in comments).
 *
 * @example
 * ```ts
 * import { jsSpecifiers } from "./build_npm.ts";
 * import assert from "node:assert/strict";
 * assert.equal(jsSpecifiers(`export * from "./src/a.ts";`), `export * from "./src/a.js";`);
 * ```
 *
 * @param text A declaration file.
 * @returns It with `.js` specifiers.
 */
export function jsSpecifiers(text: string): string {
  return text.split("\n").map((line) =>
    /^\s*(\*|\/\/|\/\*)/.test(line)
      ? line
      : line.replace(/((?:from|import)\s*\(?\s*["']\.\.?\/[^"'\n]*?)\.ts(["'])/g, "$1.js$2")
  ).join("\n");
}

async function replaceDir(dir: string, name: string): Promise<void> {
  const previous = await Deno.readTextFile(join(dir, "package.json")).then(JSON.parse, () => ({}));
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  if (entries.length > 0 && previous.name !== name) {
    throw new Error(`Refusing to replace ${dir}: it is not empty and not a build of ${name}.`);
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
}

/** Bundles for Node; returns the bare imports the bundle keeps (the dependencies). */
async function bundle(
  options: esbuild.BuildOptions & { entryPoints: Record<string, string> },
): Promise<string[]> {
  const result = await esbuild.build({
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    charset: "utf8",
    metafile: true,
    logLevel: "warning",
    ...options,
  });
  return Object.values(result.metafile!.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external && !i.path.startsWith("node:")).map((i) => i.path)
  );
}

const DYNAMIC_IMPORT = /(?<!typeof\s*)\bimport\(\s*"(\.\.?\/[^"]+\.ts)"\s*\)/g;
const NPM_IMPORT = /^\s*import\s[^;]*?from\s*"(?!node:|\.)[^"]+"/m;

/**
 * An esbuild plugin for the CLI: on Node each module file costs about 0.5 ms at start-up, so an
 * `import("./x.ts")` of a project module becomes a static import, unless `x.ts` statically
 * imports an npm package (commander) and so is worth loading late. The entry keeps its own
 * `import()`s: they come after its Node version check.
 */
const fewerFiles: esbuild.Plugin = {
  name: "fewer-files",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const source = await Deno.readTextFile(path);
      if (Object.values(build.initialOptions.entryPoints ?? {}).includes(path)) return undefined;
      const statics: string[] = [];
      const contents = source.replace(DYNAMIC_IMPORT, (all, specifier: string) => {
        const target = Deno.readTextFileSync(resolve(dirname(path), specifier));
        if (NPM_IMPORT.test(target)) return all;
        statics.push(`import * as __m${statics.length} from ${JSON.stringify(specifier)};`);
        return `Promise.resolve(__m${statics.length - 1})`;
      });
      return { contents: statics.join("") + contents, loader: "ts" };
    });
  },
};

/** Writes the declarations of `files` (tsc in process, no type check: `deno check` does it). */
function declarations(root: string, files: string[], outDir: string): void {
  const program = ts.createProgram(files, {
    declaration: true,
    emitDeclarationOnly: true,
    noCheck: true,
    allowImportingTsExtensions: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    types: [],
    rootDir: root,
    outDir,
  });
  const { diagnostics } = program.emit(undefined, (file, text) => {
    Deno.mkdirSync(dirname(file), { recursive: true });
    Deno.writeTextFileSync(file, jsSpecifiers(text));
  });
  if (diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => "\n",
    }));
  }
}

/**
 * Builds the package: `esm/` (the library and the CLI, bundled for Node by esbuild, npm
 * packages left as imports), `types/` (declarations), `package.json`, and the copied files.
 *
 * @param options What to build.
 * @returns What was written.
 */
export async function buildNpm(options: BuildOptions): Promise<BuildResult> {
  const { root, outDir } = options;
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  await replaceDir(outDir, config.name);
  const esm = join(outDir, "esm");
  const entry = (path: string) => path.replace(/^src\//, "").replace(/\.ts$/, "");
  const library = Object.fromEntries(
    Object.values(options.entryPoints).map((path) => [entry(path), join(root, path)]),
  );
  try {
    const settled = await Promise.allSettled([
      bundle({ absWorkingDir: root, entryPoints: library, outdir: esm }),
      // The CLI apart, so that its start-up code is one chunk, not split by the library's.
      bundle({
        absWorkingDir: root,
        entryPoints: { main: join(root, options.bin.path) },
        outdir: esm,
        chunkNames: "chunks/[name]-[hash]",
        define: { "import.meta.main": "true" }, // main.js is only ever run as the command
        plugins: [fewerFiles],
      }),
    ]);
    const failed = settled.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const imported = settled.map((result) => result.status === "fulfilled" ? result.value : []);
    declarations(root, Object.values(library), join(outDir, "types"));
    for (const [to, from] of Object.entries(options.copy)) {
      await Deno.mkdir(dirname(join(outDir, to)), { recursive: true });
      await Deno.copyFile(join(root, from), join(outDir, to));
    }
    const name = (s: string) => s.split("/").slice(0, s.startsWith("@") ? 2 : 1).join("/");
    const packages = [...new Set(imported.flat().map(name))].sort();
    const dependencies = Object.fromEntries(packages.map((pkg) => {
      if (!config.imports?.[pkg]) throw new Error(`"${pkg}" is not in deno.json's imports.`);
      return [pkg, npmRange(config.imports[pkg])];
    }));
    const exports = Object.fromEntries(
      Object.entries(options.entryPoints).map(([subpath, path]) => [subpath, {
        types: `./types/${path.replace(/\.ts$/, ".d.ts")}`,
        import: `./esm/${entry(path)}.js`,
        require: "./esm/require.cjs",
      }]),
    );
    const packageJson = {
      name: config.name,
      version: config.version,
      license: config.license,
      ...options.package,
      type: "module",
      main: exports["."]?.import,
      types: exports["."]?.types,
      exports,
      bin: Object.fromEntries(options.bin.names.map((name) => [name, "esm/main.js"])),
      files: ["esm/", "types/"],
      dependencies,
    };
    await Deno.writeTextFile(join(outDir, "package.json"), JSON.stringify(packageJson, null, 2));
    const files = (await Array.fromAsync(walk(outDir))).map((f) => relative(outDir, f)).sort();
    return { packageJson, files };
  } catch (error) {
    await Deno.remove(outDir, { recursive: true }).catch(() => {}); // no half-built package
    throw error;
  } finally {
    await esbuild.stop();
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else yield path;
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
