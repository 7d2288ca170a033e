/**
 * `deno task build:npm`: builds the npm package of the CLI and library into `npm/`, from the
 * same TypeScript source, without dnt.
 *
 * ```sh
 * deno run --allow-env --allow-read --allow-write --allow-run --allow-net scripts/build_npm.ts \
 *   [--out DIR]
 * ```
 *
 * - `esm/`: ESM for Node (esbuild, code splitting so that the commands stay lazily loaded):
 *   `esm/mod.js` (the library) and `esm/main.js` (the `lua` and `lua-ai` commands). npm
 *   packages stay external and become `dependencies`; the `Deno` global is
 *   `@deno/shim-deno`, patched and loaded on demand by `scripts/npm_shim.ts`.
 * - `types/`: declarations of the library (tsc), checked against `@types/node` after emit.
 * - `package.json`, `README.md`, `LICENSE`.
 *
 * esbuild and TypeScript are installed with npm, once, into a cache directory
 * (`$LUA_BUILD_TOOLS_DIR`, else `$XDG_CACHE_HOME/lua-cli/npm-build-tools/…`, else
 * `~/.cache/…`), and run on Node: nothing is added to `deno.lock`. Details in `docs/npm.md`.
 *
 * @module
 */

import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SHIM_PACKAGE } from "./npm_shim.ts";

/** The tools the build runs on Node, pinned. */
export const TOOL_VERSIONS: Readonly<Record<string, string>> = {
  "esbuild": "0.28.2",
  "typescript": "5.9.3",
  "@types/node": "20.19.43",
};

export { SHIM_PACKAGE };
/** The range of {@linkcode SHIM_PACKAGE} in `dependencies`. */
export const SHIM_RANGE = "~0.19.2";

/** The Node versions the package supports (`node:util` `parseEnv` needs 20.12). */
export const NODE_ENGINES = ">=20.12.0";

/** The commands the package installs; each runs the CLI. */
export const BIN_NAMES: readonly string[] = ["lua", "lua-ai"];

/**
 * Dependencies that a bundled import needs next to it although the bundle does not import
 * them: `@commander-js/extra-typings` re-exports `commander`, its peer dependency.
 */
export const PEER_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  "@commander-js/extra-typings": ["commander"],
};

const DEFAULT_DESCRIPTION =
  "The Lua platform CLI (lua auth configure | key | logout | status) and its authentication " +
  "core as a library.";

/** What {@linkcode buildNpm} needs to know. */
export interface BuildOptions {
  /** The project root, where `deno.json` is. Defaults to the parent of `scripts/`. */
  root?: string;
  /** The output directory; replaced. Defaults to `<root>/npm`. */
  outDir?: string;
  /** Where esbuild and TypeScript are installed; defaults to {@linkcode defaultToolsDir}. */
  toolsDir?: string;
  /** Receives progress lines; silent by default. */
  log?: (line: string) => void;
}

/** What {@linkcode buildNpm} wrote. */
export interface BuildResult {
  /** The output directory (absolute). */
  outDir: string;
  /** The generated `package.json`. */
  packageJson: PackageJson;
  /** The files written, relative to `outDir`, sorted. */
  files: string[];
  /** Their total size in bytes. */
  bytes: number;
}

/** The fields of the generated `package.json`. */
export interface PackageJson {
  /** From `deno.json`. */
  name: string;
  /** From `deno.json`. */
  version: string;
  /** From `deno.json`, or a default. */
  description: string;
  /** From `deno.json`. */
  license: string;
  /** Always `"module"`. */
  type: "module";
  /** The library entry. */
  main: string;
  /** The library declarations. */
  types: string;
  /** The library, `.` only. */
  exports: Record<string, { types: string; import: string }>;
  /** `lua` and `lua-ai`. */
  bin: Record<string, string>;
  /** What `npm pack` takes besides package.json, README and LICENSE. */
  files: string[];
  /** The supported Node versions. */
  engines: { node: string };
  /** Runtime dependencies only. */
  dependencies: Record<string, string>;
}

interface DenoJson {
  name?: string;
  version?: string;
  license?: string;
  description?: string;
  imports?: Record<string, string>;
}

/** An `npm:` specifier taken apart. */
export interface NpmSpecifier {
  /** The package name, with its scope. */
  name: string;
  /** The version or range, `""` when none. */
  range: string;
  /** The path inside the package, with its leading `/`, or `""`. */
  subpath: string;
}

/**
 * Parses `npm:name@range/subpath` (the scope and each part optional but the name).
 *
 * @example
 * ```ts
 * import { parseNpmSpecifier } from "./build_npm.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseNpmSpecifier("npm:@scope/pkg@^1.2/sub"), {
 *   name: "@scope/pkg",
 *   range: "^1.2",
 *   subpath: "/sub",
 * });
 * ```
 *
 * @param specifier The specifier.
 * @returns Its parts, or `undefined` when it is not an `npm:` specifier.
 */
export function parseNpmSpecifier(specifier: string): NpmSpecifier | undefined {
  const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@([^/]*))?(\/.*)?$/.exec(specifier);
  if (!match) return undefined;
  return { name: match[1]!, range: match[2] ?? "", subpath: match[3] ?? "" };
}

/**
 * Turns a Deno-style range into an npm one: a bare major or major.minor becomes a caret range
 * (`14` → `^14.0.0`), anything else is kept.
 *
 * @param range The range from an `npm:` specifier.
 * @returns The range for `package.json`.
 */
export function npmRange(range: string): string {
  if (range === "") return "*";
  if (/^\d+$/.test(range)) return `^${range}.0.0`;
  if (/^\d+\.\d+$/.test(range)) return `^${range}.0`;
  return range;
}

/**
 * The package an import specifier belongs to: `@scope/name` or `name`.
 *
 * @param specifier A bare specifier, e.g. `@inquirer/prompts` or `commander/lib/x.js`.
 * @returns The package name.
 */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtinModules.includes(packageName(specifier));
}

/**
 * The runtime `dependencies`: each package the bundle imports, with the range of its `npm:`
 * entry in the import map, plus their {@linkcode PEER_DEPENDENCIES}.
 *
 * @param externals The external imports of the bundle (bare specifiers and Node builtins).
 * @param imports The import map, with {@linkcode SHIM_PACKAGE} added.
 * @returns The dependencies, sorted by name.
 * @throws {Error} When a package has no `npm:` entry in the import map.
 */
export function runtimeDependencies(
  externals: Iterable<string>,
  imports: Readonly<Record<string, string>>,
): Record<string, string> {
  const ranges = new Map<string, string>();
  for (const target of Object.values(imports)) {
    const npm = parseNpmSpecifier(target);
    if (npm) ranges.set(npm.name, npmRange(npm.range));
  }
  const names = new Set<string>();
  for (const specifier of externals) {
    if (isBuiltin(specifier)) continue;
    const name = packageName(specifier);
    names.add(name);
    for (const peer of PEER_DEPENDENCIES[name] ?? []) names.add(peer);
  }
  const dependencies: Record<string, string> = {};
  for (const name of [...names].sort()) {
    const range = ranges.get(name);
    if (range === undefined) {
      throw new Error(`The bundle imports "${name}", which has no npm: entry in deno.json.`);
    }
    dependencies[name] = range;
  }
  return dependencies;
}

/**
 * Rewrites the relative `.ts` specifiers of a declaration file to `.js`, as Node resolves them
 * next to the built JavaScript.
 *
 * @example
 * ```ts
 * import { rewriteDeclarationImports } from "./build_npm.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   rewriteDeclarationImports(`export { a } from "./src/a.ts";\nimport("../b.ts");`),
 *   `export { a } from "./src/a.js";\nimport("../b.js");`,
 * );
 * ```
 *
 * @param text The declaration file.
 * @returns It with `.js` specifiers (comments, where the examples are, are left alone).
 */
export function rewriteDeclarationImports(text: string): string {
  return text.split("\n").map((line) =>
    /^\s*(\*|\/\/|\/\*)/.test(line) ? line : line.replace(
      /((?:from|import)\s*\(?\s*)(["'])(\.\.?\/[^"'\n]*?)\.(m?)ts\2/g,
      (_all, before: string, quote: string, path: string, m: string) =>
        `${before}${quote}${path}.${m}js${quote}`,
    )
  ).join("\n");
}

/**
 * The default tools directory: `$LUA_BUILD_TOOLS_DIR`, else under `$XDG_CACHE_HOME` or
 * `~/.cache`, named after {@linkcode TOOL_VERSIONS}.
 *
 * @returns An absolute path.
 */
export function defaultToolsDir(): string {
  const explicit = Deno.env.get("LUA_BUILD_TOOLS_DIR");
  if (explicit) return resolve(explicit);
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  const cache = Deno.env.get("XDG_CACHE_HOME") ||
    (home ? join(home, ".cache") : join(tmpdir(), "cache"));
  const key = Object.entries(TOOL_VERSIONS).map(([n, v]) => `${n.replace(/\W/g, "")}${v}`);
  return join(cache, "lua-cli", "npm-build-tools", key.join("-"));
}

/** A finished subprocess. */
export interface RunOutput {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs a program to completion, collecting its output.
 *
 * @param command The program.
 * @param args Its arguments.
 * @param options Directory, environment additions, standard input.
 * @returns Code and output.
 */
export async function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; clearEnv?: boolean; stdin?: string } = {},
): Promise<RunOutput> {
  const child = new Deno.Command(command, {
    args: [...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.clearEnv ? { clearEnv: true } : {}),
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

async function runOrThrow(
  what: string,
  command: string,
  args: readonly string[],
  cwd?: string,
): Promise<RunOutput> {
  const output = await run(command, args, cwd ? { cwd } : {});
  if (output.code !== 0) {
    throw new Error(
      `${what} failed (exit ${output.code}): ${command} ${args.join(" ")}\n` +
        `${output.stdout}${output.stderr}`.trim(),
    );
  }
  return output;
}

/** The npm command of this platform. */
export const NPM = Deno.build.os === "windows" ? "npm.cmd" : "npm";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Installs {@linkcode TOOL_VERSIONS} into `dir` with npm, unless already there. Safe to run
 * concurrently: each install goes to a fresh directory that is then renamed into place.
 *
 * @param dir The tools directory; defaults to {@linkcode defaultToolsDir}.
 * @returns `dir`.
 */
export async function ensureTools(dir: string = defaultToolsDir()): Promise<string> {
  if (await exists(join(dir, ".complete"))) return dir;
  await Deno.mkdir(dirname(dir), { recursive: true });
  const staging = await Deno.makeTempDir({ dir: dirname(dir), prefix: `.${basename(dir)}-` });
  try {
    const manifest = {
      private: true,
      name: "lua-cli-npm-build-tools",
      dependencies: TOOL_VERSIONS,
    };
    await Deno.writeTextFile(join(staging, "package.json"), JSON.stringify(manifest, null, 2));
    await runOrThrow("Installing the build tools", NPM, [
      "install",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
    ], staging);
    await Deno.writeTextFile(join(staging, ".complete"), "");
    try {
      await Deno.rename(staging, dir);
    } catch (error) {
      if (!(await exists(join(dir, ".complete")))) throw error; // else another build won
    }
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
  return dir;
}

/**
 * The CLI's `import()`s of its own modules whose targets are bundled into the chunk that
 * `esm/main.js` loads at start-up: each becomes a static import. They are what the everyday
 * command lines run (`src/cli/fast_path.ts`); none has side effects at the top level. On Node,
 * each ES module file costs about 0.5 ms to resolve, read and link, and a dynamic import waits
 * for the thread pool besides.
 */
export const CLI_EAGER_IMPORTS: readonly string[] = [
  "src/cli/auth_key.ts",
  "src/cli/auth_logout.ts",
  "src/cli/auth_status.ts",
  "src/cli/help_text.ts",
  "src/version.ts",
];

/**
 * The CLI's `import()`s of its own modules that stay `import()`s, each target in a chunk
 * loaded when a command needs it: commander and every command line the fast path does not
 * take (`app.ts`), `auth configure`, the platform client and telemetry. The build fails on an
 * `import()` of a module in neither list.
 */
export const CLI_LAZY_IMPORTS: readonly string[] = [
  "src/cli/app.ts",
  "src/cli/auth_configure.ts",
  "src/client.ts",
  "src/cli/telemetry.ts",
  "src/cli/telemetry_send.ts",
];

/**
 * What `main.ts` imports: the CLI's start-up code. Each module of {@linkcode CLI_LAZY_IMPORTS}
 * imports it too in the bundle (a no-op at run time, as it is loaded by then), so that
 * esbuild, which puts code in a chunk by the set of entry points that reach it, puts all of it
 * in one chunk instead of one per such set.
 */
export const CLI_START_MODULE = "src/cli/main_run.ts";

/**
 * Runs esbuild's `build` on Node, once per bundle, at once. The import map is applied by a
 * plugin: `npm:` targets become external bare imports, relative targets are resolved, `jsr:`
 * and URLs are refused. For the CLI a second plugin applies {@linkcode CLI_EAGER_IMPORTS},
 * {@linkcode CLI_LAZY_IMPORTS} and {@linkcode CLI_START_MODULE}.
 */
const ESBUILD_RUNNER = `
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const esbuild = createRequire(resolve(config.toolsDir, "package.json"))("esbuild");

function mapped(specifier) {
  const imports = config.imports;
  if (Object.hasOwn(imports, specifier)) return imports[specifier];
  let best = "";
  for (const key of Object.keys(imports)) {
    if (key.endsWith("/") && specifier.startsWith(key) && key.length > best.length) best = key;
  }
  return best ? imports[best] + specifier.slice(best.length) : specifier;
}

const npmTargets = new Set();
const denoSpecifiers = {
  name: "deno-specifiers",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const path = args.path;
      if (path.startsWith(".") || isAbsolute(path) || path.startsWith("node:")) return undefined;
      const target = mapped(path);
      const npm = /^npm:\\/?((?:@[^/@]+\\/)?[^/@]+)(?:@[^/]*)?(\\/.*)?$/.exec(target);
      if (npm) {
        npmTargets.add(target);
        return { path: npm[1] + (npm[2] ?? ""), external: true };
      }
      if (/^(jsr|https?|file|data):/.test(target)) {
        return { errors: [{ text: \`"\${path}" (\${target}) cannot be used in the npm build\` }] };
      }
      if (target.startsWith("./") || target.startsWith("../")) {
        return { path: resolve(config.importMapDir, target) };
      }
      if (config.builtins.includes(target.split("/")[0])) return undefined;
      return { errors: [{ text: \`"\${path}" is not in deno.json's import map\` }] };
    });
  },
};

// import("./x.ts") of a project module, not in a type (typeof import("./x.ts"))
const DYNAMIC_IMPORT = /(?<!typeof\\s*)\\bimport\\(\\s*(["'])(\\.\\.?\\/[^"'\\n]+)\\1\\s*\\)/g;

function cliChunks({ eager, lazy, start }) {
  return {
    name: "cli-chunks",
    setup(build) {
      build.onLoad({ filter: /\\.[cm]?[jt]sx?$/ }, (args) => {
        if (args.path.split(/[\\\\/]/).includes("node_modules")) return undefined;
        const source = readFileSync(args.path, "utf8");
        const added = [];
        const errors = [];
        const contents = source.replace(DYNAMIC_IMPORT, (all, _quote, specifier) => {
          const target = resolve(dirname(args.path), specifier);
          if (lazy.includes(target)) return all;
          if (!eager.includes(target)) {
            errors.push({
              text: \`import("\${specifier}") in \${args.path}: add \${target} to CLI_EAGER_IMPORTS \` +
                "or CLI_LAZY_IMPORTS in scripts/build_npm.ts",
            });
            return all;
          }
          const name = \`__eager\${added.length}\`;
          added.push(\`import * as \${name} from \${JSON.stringify(specifier)};\`);
          return \`Promise.resolve(\${name})\`;
        });
        if (errors.length > 0) return { errors };
        if (lazy.includes(args.path)) added.push(\`import \${JSON.stringify(start)};\`);
        if (added.length === 0) return undefined;
        const loader = /\\.[cm]?js$/.test(args.path) ? "js" : args.path.endsWith("x") ? "tsx" : "ts";
        return { contents: \`\${added.join(" ")}\${contents}\`, loader };
      });
    },
  };
}

const results = await Promise.all(config.builds.map(({ options, cli }) =>
  esbuild.build({ ...options, plugins: cli ? [denoSpecifiers, cliChunks(cli)] : [denoSpecifiers] })
));
const outputs = Object.assign({}, ...results.map((result) => result.metafile.outputs));
writeFileSync(config.metafileOut, JSON.stringify({ outputs, npmTargets: [...npmTargets] }));
`;

interface Metafile {
  outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
  /** The `npm:` specifiers the plugin resolved (after the import map). */
  npmTargets: string[];
}

/** What the bundle imports from outside. */
interface Externals {
  /** Bare specifiers and Node builtins. */
  imports: Set<string>;
  /** The `npm:` specifiers they came from, with their ranges. */
  npmTargets: string[];
}

async function bundle(
  root: string,
  outDir: string,
  toolsDir: string,
  workDir: string,
  imports: Record<string, string>,
): Promise<Externals> {
  // npm_shim.ts exports the `Deno` and `performance` that replace the globals; it requires the
  // shim on first use of a member it does not implement itself (loading it up front doubles the
  // start-up time).
  const injectFile = join(dirname(fileURLToPath(import.meta.url)), "npm_shim.ts");
  const metafileOut = join(workDir, "meta.json");
  const options = (entry: string, cli: boolean) => ({
    absWorkingDir: root,
    entryPoints: { [entry]: join(root, `${entry}.ts`) },
    outdir: join(outDir, "esm"),
    chunkNames: `chunks/${entry}-[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    charset: "utf8",
    inject: [injectFile],
    define: {
      // main.ts runs the CLI under `if (import.meta.main)`, which Node 20 and 22 do not set;
      // main.js is only ever run as the `lua` command, and no other module reads it.
      "import.meta.main": "true",
      // which bundle npm_shim.ts is in
      "LUA_NPM_CLI": String(cli),
    },
    metafile: true,
    logLevel: "warning",
  });
  const config = {
    toolsDir,
    imports,
    importMapDir: root,
    builtins: builtinModules,
    metafileOut,
    // Two bundles, sharing no code: the library, and the CLI, whose start-up code is one chunk
    // (shared with the library, its chunks would be split by which of the two reach them).
    builds: [
      { options: options("mod", false) },
      {
        options: options("main", true),
        cli: {
          eager: CLI_EAGER_IMPORTS.map((path) => join(root, path)),
          lazy: CLI_LAZY_IMPORTS.map((path) => join(root, path)),
          start: join(root, CLI_START_MODULE),
        },
      },
    ],
  };
  const configFile = join(workDir, "esbuild.json");
  const runner = join(workDir, "esbuild_runner.mjs");
  await Deno.writeTextFile(configFile, JSON.stringify(config));
  await Deno.writeTextFile(runner, ESBUILD_RUNNER);
  await runOrThrow("esbuild", "node", [runner, configFile]);
  const meta = JSON.parse(await Deno.readTextFile(metafileOut)) as Metafile;
  const externals = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const imported of output.imports) if (imported.external) externals.add(imported.path);
  }
  const main = join(outDir, "esm", "main.js");
  await Deno.writeTextFile(main, `#!/usr/bin/env node\n${await Deno.readTextFile(main)}`);
  if (Deno.build.os !== "windows") await Deno.chmod(main, 0o755);
  return { imports: externals, npmTargets: meta.npmTargets };
}

async function declarations(
  root: string,
  outDir: string,
  toolsDir: string,
  workDir: string,
): Promise<void> {
  const tsc = join(toolsDir, "node_modules", "typescript", "bin", "tsc");
  const typesDir = join(outDir, "types");
  const emit = {
    compilerOptions: {
      declaration: true,
      emitDeclarationOnly: true,
      // The sources are type-checked by `deno check` (with the Deno namespace, which tsc lacks);
      // their exported API is explicitly typed (JSR's no-slow-types), so the declarations need
      // no checking.
      noCheck: true,
      allowImportingTsExtensions: true,
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      rootDir: root,
      outDir: typesDir,
      lib: ["ES2022"],
      types: ["node"],
      typeRoots: [join(toolsDir, "node_modules", "@types")],
    },
    files: [join(root, "mod.ts")],
  };
  const emitConfig = join(workDir, "tsconfig.emit.json");
  await Deno.writeTextFile(emitConfig, JSON.stringify(emit, null, 2));
  await runOrThrow("tsc (declarations)", "node", [tsc, "-p", emitConfig]);
  for await (const file of walk(typesDir)) {
    if (!file.endsWith(".d.ts")) continue;
    const text = await Deno.readTextFile(file);
    const rewritten = rewriteDeclarationImports(text);
    if (rewritten !== text) await Deno.writeTextFile(file, rewritten);
  }
}

/**
 * Type-checks the emitted declarations as a Node consumer would see them: NodeNext resolution,
 * `@types/node`, strict, library files checked.
 */
async function checkDeclarations(outDir: string, toolsDir: string, workDir: string) {
  const tsc = join(toolsDir, "node_modules", "typescript", "bin", "tsc");
  const check = {
    compilerOptions: {
      noEmit: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      lib: ["ES2022"],
      types: ["node"],
      typeRoots: [join(toolsDir, "node_modules", "@types")],
    },
    files: [join(outDir, "types", "mod.d.ts")],
  };
  const checkConfig = join(workDir, "tsconfig.check.json");
  await Deno.writeTextFile(checkConfig, JSON.stringify(check, null, 2));
  await runOrThrow("tsc (checking the declarations)", "node", [tsc, "-p", checkConfig]);
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

async function prepareOutDir(outDir: string, name: string): Promise<void> {
  let entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(outDir)) entries.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    entries = [];
  }
  if (entries.length > 0) {
    let previous: { name?: unknown } = {};
    try {
      previous = JSON.parse(await Deno.readTextFile(join(outDir, "package.json")));
    } catch {
      // not a previous build
    }
    if (previous.name !== name) {
      throw new Error(
        `Refusing to replace ${outDir}: it is not empty and not a previous build of ${name}.`,
      );
    }
    await Deno.remove(outDir, { recursive: true });
  }
  await Deno.mkdir(outDir, { recursive: true });
}

/**
 * The generated `package.json`.
 *
 * @param config `deno.json`.
 * @param dependencies The runtime dependencies.
 * @returns The manifest.
 */
export function packageJson(config: DenoJson, dependencies: Record<string, string>): PackageJson {
  if (!config.name || !config.version) throw new Error("deno.json needs a name and a version.");
  return {
    name: config.name,
    version: config.version,
    description: config.description ?? DEFAULT_DESCRIPTION,
    license: config.license ?? "UNLICENSED",
    type: "module",
    main: "./esm/mod.js",
    types: "./types/mod.d.ts",
    exports: { ".": { types: "./types/mod.d.ts", import: "./esm/mod.js" } },
    bin: Object.fromEntries(BIN_NAMES.map((name) => [name, "esm/main.js"])),
    files: ["esm/", "types/"],
    engines: { node: NODE_ENGINES },
    dependencies,
  };
}

/**
 * Builds the npm package.
 *
 * @param options Where from, where to, and progress output.
 * @returns What was written.
 */
export async function buildNpm(options: BuildOptions = {}): Promise<BuildResult> {
  const log = options.log ?? (() => {});
  const root = resolve(options.root ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const outDir = resolve(options.outDir ?? join(root, "npm"));
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as DenoJson;
  const imports = { ...config.imports, [SHIM_PACKAGE]: `npm:${SHIM_PACKAGE}@${SHIM_RANGE}` };
  const started = performance.now();

  log(`tools: ${options.toolsDir ?? defaultToolsDir()}`);
  const toolsDir = await ensureTools(options.toolsDir ?? defaultToolsDir());
  await prepareOutDir(outDir, config.name ?? "");
  const workDir = await Deno.makeTempDir({ prefix: "lua-build-npm-" });
  try {
    log("esbuild: esm/mod.js, esm/main.js; tsc: types/");
    const [bundled, declared] = await Promise.allSettled([
      bundle(root, outDir, toolsDir, workDir, imports),
      declarations(root, outDir, toolsDir, workDir),
    ]);
    if (bundled.status === "rejected") throw bundled.reason;
    if (declared.status === "rejected") throw declared.reason;
    const { imports: externals, npmTargets } = bundled.value;
    // ranges from the import map, and from `npm:` specifiers written in the source
    const ranges = { ...imports, ...Object.fromEntries(npmTargets.map((t) => [t, t])) };
    const manifest = packageJson(
      config,
      runtimeDependencies([...externals, SHIM_PACKAGE], ranges),
    );
    await Deno.writeTextFile(
      join(outDir, "package.json"),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    for (const name of ["README.md", "LICENSE"]) {
      if (await exists(join(root, name))) await Deno.copyFile(join(root, name), join(outDir, name));
      else log(`warning: no ${name} to copy`);
    }
    log("tsc: checking types/ as a consumer");
    await checkDeclarations(outDir, toolsDir, workDir);
  } catch (error) {
    await Deno.remove(outDir, { recursive: true }).catch(() => {}); // no half-built package
    throw error;
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }

  const files: string[] = [];
  let bytes = 0;
  for await (const file of walk(outDir)) {
    files.push(relative(outDir, file).replaceAll("\\", "/"));
    bytes += (await Deno.stat(file)).size;
  }
  files.sort();
  log(
    `wrote ${files.length} files (${(bytes / 1024).toFixed(1)} KiB) to ${outDir} ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return {
    outDir,
    packageJson: JSON.parse(await Deno.readTextFile(join(outDir, "package.json"))),
    files,
    bytes,
  };
}

function usage(): never {
  console.error("usage: scripts/build_npm.ts [--out DIR]");
  Deno.exit(2);
}

if (import.meta.main) {
  let outDir: string | undefined;
  for (let i = 0; i < Deno.args.length; i++) {
    const arg = Deno.args[i]!;
    if (arg === "--out") outDir = Deno.args[++i] ?? usage();
    else if (arg.startsWith("--out=")) outDir = arg.slice("--out=".length);
    else usage();
  }
  try {
    const result = await buildNpm({
      ...(outDir ? { outDir } : {}),
      log: (line) => console.log(line),
    });
    const { name, version, dependencies } = result.packageJson;
    console.log(`${name}@${version}, dependencies: ${JSON.stringify(dependencies)}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
