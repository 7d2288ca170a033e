/**
 * Tests of `scripts/build_npm.ts` and `scripts/npm_shim.ts`: the helpers, the shim patches
 * against the real `Deno`, and the package end to end: build, `npm pack`, `npm install` into a
 * temporary directory, then the installed `lua` and `lua-ai` and the library on Node.
 *
 * Needs Node and npm on `PATH`, and the npm registry (the package's dependencies and, on the
 * first run, the build tools). Prints the installed footprint and the start-up time.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdir as nodeMkdir, stat as nodeStat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildNpm,
  CLI_EAGER_IMPORTS,
  CLI_LAZY_IMPORTS,
  CLI_START_MODULE,
  defaultToolsDir,
  ensureTools,
  NODE_ENGINES,
  NPM,
  npmRange,
  packageJson,
  packageName,
  parseNpmSpecifier,
  rewriteDeclarationImports,
  run,
  type RunOutput,
  runtimeDependencies,
  SHIM_PACKAGE,
  SHIM_RANGE,
} from "./build_npm.ts";
import {
  DENO_ERROR_NAMES,
  denoErrorClasses,
  denoErrorFrom,
  denoOs,
  isTerminal,
  lazyDeno,
  lazyPerformance,
  mapErrors,
  patchDenoShim,
  retryingWriteSync,
} from "./npm_shim.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO_JSON = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
  name: string;
  version: string;
  license: string;
  imports: Record<string, string>;
};
const KEY = "api_0123456789abcdef0123456789abcdef";
const STORED_KEY = "api_storedstoredstoredstoredstored1";
const DOTENV_KEY = "api_dotenvdotenvdotenvdotenvdotenv2";

// ---------------------------------------------------------------------------------------------
// Helpers of the build script

Deno.test("parseNpmSpecifier takes npm: specifiers apart", () => {
  assert.deepEqual(parseNpmSpecifier("npm:commander@14"), {
    name: "commander",
    range: "14",
    subpath: "",
  });
  assert.deepEqual(parseNpmSpecifier("npm:@inquirer/prompts@^7.1/sub/path.js"), {
    name: "@inquirer/prompts",
    range: "^7.1",
    subpath: "/sub/path.js",
  });
  assert.deepEqual(parseNpmSpecifier("npm:/left-pad"), {
    name: "left-pad",
    range: "",
    subpath: "",
  });
  assert.equal(parseNpmSpecifier("jsr:@std/path@1"), undefined);
  assert.equal(parseNpmSpecifier("commander"), undefined);
});

Deno.test("npmRange turns a bare major or minor into a caret range", () => {
  assert.equal(npmRange("14"), "^14.0.0");
  assert.equal(npmRange("7.2"), "^7.2.0");
  assert.equal(npmRange("~0.19.2"), "~0.19.2");
  assert.equal(npmRange("1.2.3"), "1.2.3");
  assert.equal(npmRange(""), "*");
});

Deno.test("packageName keeps the scope and drops the subpath", () => {
  assert.equal(packageName("@inquirer/prompts"), "@inquirer/prompts");
  assert.equal(packageName("@scope/pkg/deep/file.js"), "@scope/pkg");
  assert.equal(packageName("commander/esm.mjs"), "commander");
});

Deno.test("runtimeDependencies: only what the bundle imports, its peers, import-map ranges", () => {
  const imports = {
    "@commander-js/extra-typings": "npm:@commander-js/extra-typings@14",
    "commander": "npm:commander@14",
    "@inquirer/prompts": "npm:@inquirer/prompts@7",
    "fast-check": "npm:fast-check@4",
    [SHIM_PACKAGE]: `npm:${SHIM_PACKAGE}@${SHIM_RANGE}`,
  };
  const deps = runtimeDependencies(
    ["node:path", "fs", "@commander-js/extra-typings", "@inquirer/prompts", SHIM_PACKAGE],
    imports,
  );
  assert.deepEqual(deps, {
    "@commander-js/extra-typings": "^14.0.0",
    [SHIM_PACKAGE]: SHIM_RANGE,
    "@inquirer/prompts": "^7.0.0",
    "commander": "^14.0.0",
  });
  assert.throws(() => runtimeDependencies(["left-pad"], imports), /left-pad.*no npm: entry/);
});

Deno.test("rewriteDeclarationImports rewrites relative .ts specifiers, not comments", () => {
  const text = [
    `export { a, type B } from "./src/a.ts";`,
    `import type { C } from '../c.ts';`,
    `export declare const d: typeof import("./d.mts");`,
    `export * from "pkg.ts";`,
    ` * import { a } from "./mod.ts";`,
  ].join("\n");
  assert.equal(
    rewriteDeclarationImports(text),
    [
      `export { a, type B } from "./src/a.js";`,
      `import type { C } from '../c.js';`,
      `export declare const d: typeof import("./d.mjs");`,
      `export * from "pkg.ts";`,
      ` * import { a } from "./mod.ts";`,
    ].join("\n"),
  );
});

Deno.test("packageJson: name and version from deno.json, both commands, library export", () => {
  const manifest = packageJson(DENO_JSON, { commander: "^14.0.0" });
  assert.equal(manifest.name, "@lua/cli");
  assert.equal(manifest.version, DENO_JSON.version);
  assert.equal(manifest.license, DENO_JSON.license);
  assert.equal(manifest.type, "module");
  assert.deepEqual(manifest.bin, { "lua": "esm/main.js", "lua-ai": "esm/main.js" });
  assert.deepEqual(manifest.exports, {
    ".": { types: "./types/mod.d.ts", import: "./esm/mod.js" },
  });
  assert.deepEqual(manifest.engines, { node: NODE_ENGINES });
  assert.throws(() => packageJson({}, {}), /name and a version/);
});

Deno.test("defaultToolsDir honours LUA_BUILD_TOOLS_DIR", () => {
  const before = Deno.env.get("LUA_BUILD_TOOLS_DIR");
  try {
    Deno.env.set("LUA_BUILD_TOOLS_DIR", "/opt/tools");
    assert.equal(defaultToolsDir(), "/opt/tools");
    Deno.env.delete("LUA_BUILD_TOOLS_DIR");
    assert.match(defaultToolsDir(), /lua-cli[\\/]npm-build-tools[\\/]esbuild/);
  } finally {
    if (before === undefined) Deno.env.delete("LUA_BUILD_TOOLS_DIR");
    else Deno.env.set("LUA_BUILD_TOOLS_DIR", before);
  }
});

/** A project to build: `deno.json` plus files, in a temporary directory. */
async function fixture(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "lua-npm-fixture-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

Deno.test("buildNpm: npm: specifiers become bare externals with their ranges", async () => {
  const root = await fixture({
    "deno.json": JSON.stringify({
      name: "@example/fixture",
      version: "1.2.3",
      license: "MIT",
      imports: { "pad": "npm:left-pad@1", "lib/": "./lib/", "fast-check": "npm:fast-check@4" },
    }),
    "mod.ts": `import pad from "pad";\n` +
      `import { twice } from "lib/twice.ts";\n` +
      `import dash from "npm:dashify@2.0/index.js";\n` +
      `/** Pads twice. */\n` +
      `export function f(text: string): string {\n` +
      `  return pad(twice(text), 9) + dash(Deno.build.os);\n}\n`,
    "lib/twice.ts": `export const twice = (text: string): string => text + text;\n`,
    "main.ts": `import { f } from "./mod.ts";\nif (import.meta.main) console.log(f("a"));\n`,
  });
  try {
    const result = await buildNpm({ root, toolsDir: await ensureTools() });
    assert.equal(result.outDir, join(root, "npm"));
    assert.deepEqual(result.packageJson.dependencies, {
      [SHIM_PACKAGE]: SHIM_RANGE,
      "dashify": "^2.0.0",
      "left-pad": "^1.0.0",
    });
    assert.equal(result.packageJson.name, "@example/fixture");
    assert.equal(result.packageJson.version, "1.2.3");
    const js = await Promise.all(
      result.files.filter((f) => f.endsWith(".js")).map((f) =>
        Deno.readTextFile(join(result.outDir, f))
      ),
    );
    const all = js.join("\n");
    assert.match(all, /from "left-pad"/);
    assert.match(all, /from "dashify\/index\.js"/);
    assert.match(all, /text \+ text/, "the import-map directory is bundled");
    assert.doesNotMatch(all, /npm:/);
    assert.match(all, /if \(true\)/, "import.meta.main");
    assert.ok(result.files.includes("types/mod.d.ts"));
    assert.ok(!result.files.includes("README.md"), "none to copy");
    // a second build replaces the first
    assert.deepEqual((await buildNpm({ root, toolsDir: await ensureTools() })).files, result.files);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("buildNpm refuses jsr: and URL imports, and leaves no half-built package", async () => {
  const root = await fixture({
    "deno.json": JSON.stringify({ name: "@example/jsr", version: "0.0.1" }),
    "mod.ts": `import { join } from "jsr:@std/path@1";\nexport const j: string = join("a", "b");\n`,
    "main.ts": `import "./mod.ts";\n`,
  });
  try {
    await assert.rejects(
      buildNpm({ root, toolsDir: await ensureTools() }),
      /"jsr:@std\/path@1" \(jsr:@std\/path@1\) cannot be used in the npm build/,
    );
    assert.equal(await Deno.stat(join(root, "npm")).then(() => true, () => false), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the CLI's import lists name existing modules, and main.ts imports CLI_START_MODULE", async () => {
  for (const path of [...CLI_EAGER_IMPORTS, ...CLI_LAZY_IMPORTS, CLI_START_MODULE]) {
    assert.ok((await Deno.stat(join(ROOT, path))).isFile, path);
  }
  const listed = new Set([...CLI_EAGER_IMPORTS, ...CLI_LAZY_IMPORTS]);
  assert.equal(listed.size, CLI_EAGER_IMPORTS.length + CLI_LAZY_IMPORTS.length, "none in both");
  const main = await Deno.readTextFile(join(ROOT, "main.ts"));
  assert.ok(main.includes(`from "./${CLI_START_MODULE}"`), main);
});

Deno.test("buildNpm refuses an import() of the CLI's that neither list names", async () => {
  const root = await fixture({
    "deno.json": JSON.stringify({ name: "@example/dynamic", version: "0.0.1" }),
    "mod.ts": `export const x = 1;\n`,
    "main.ts": `const { x } = await import("./lib/x.ts");\nconsole.log(x);\n`,
    "lib/x.ts": `export const x = 1;\n`,
  });
  try {
    await assert.rejects(
      buildNpm({ root, toolsDir: await ensureTools() }),
      /import\("\.\/lib\/x\.ts"\) in .*main\.ts: add .*x\.ts to CLI_EAGER_IMPORTS or CLI_LAZY_IMPORTS/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("buildNpm refuses to replace a directory that is not a previous build", async () => {
  const root = await fixture({
    "deno.json": JSON.stringify({ name: "@example/x", version: "0.0.1" }),
    "npm/precious.txt": "keep me",
  });
  try {
    await assert.rejects(
      buildNpm({ root, toolsDir: await ensureTools() }),
      /Refusing to replace .*not a previous build of @example\/x/,
    );
    assert.equal(await Deno.readTextFile(join(root, "npm", "precious.txt")), "keep me");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// The shim patches, against the real Deno

Deno.test("DENO_ERROR_NAMES is exactly Deno's list of error classes", () => {
  assert.deepEqual([...DENO_ERROR_NAMES], Object.keys(Deno.errors).sort());
});

Deno.test("denoErrorClasses: every class, named like Deno, counting a foreign class's errors", () => {
  class ShimNotFound extends Error {}
  const errors = denoErrorClasses((name) => name === "NotFound" ? ShimNotFound : undefined);
  assert.deepEqual(Object.keys(errors).sort(), [...DENO_ERROR_NAMES]);
  for (const name of DENO_ERROR_NAMES) {
    const error = new errors[name]!("boom");
    assert.ok(error instanceof Error);
    assert.ok(error instanceof errors[name]!);
    assert.equal(error.name, name);
    assert.equal(errors[name]!.name, name);
    assert.ok(error.stack?.startsWith(`${name}: boom`));
  }
  assert.ok(new ShimNotFound() instanceof errors.NotFound!);
  assert.ok(!(new ShimNotFound() instanceof errors.AlreadyExists!));
  assert.ok(!(new errors.AlreadyExists!() instanceof errors.NotFound!));
  assert.ok(!(new Error() instanceof errors.NotFound!));
  class Sub extends errors.NotFound! {}
  assert.ok(!(new ShimNotFound() instanceof Sub), "subclasses are not bridged");
  assert.ok(new Sub() instanceof errors.NotFound!);
});

Deno.test("denoErrorClasses makes each class when first read, once", () => {
  const errors = denoErrorClasses();
  const before = Object.getOwnPropertyDescriptor(errors, "NotFound")!;
  assert.equal(typeof before.get, "function", "not made yet");
  assert.equal(before.enumerable, true);
  const NotFound = errors.NotFound;
  assert.equal(errors.NotFound, NotFound, "the same class every time");
  const after = Object.getOwnPropertyDescriptor(errors, "NotFound")!;
  assert.equal(after.value, NotFound);
  assert.equal(after.writable, true);
  assert.equal(typeof Object.getOwnPropertyDescriptor(errors, "Busy")!.get, "function");
  assert.deepEqual(Object.keys(errors), [...DENO_ERROR_NAMES], "in order, made or not");
  assert.equal(new Set(Object.values(errors)).size, DENO_ERROR_NAMES.length);
});

Deno.test("denoErrorFrom maps Node's OS errors to the classes Deno throws", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "x");
    const cases: [() => Promise<unknown>, () => Promise<unknown>, string][] = [
      [() => nodeStat(join(dir, "missing")), () => Deno.stat(join(dir, "missing")), "NotFound"],
      [() => nodeStat(join(file, "x")), () => Deno.stat(join(file, "x")), "NotADirectory"],
      [() => nodeMkdir(file), () => Deno.mkdir(file), "AlreadyExists"],
    ];
    for (const [node, deno, name] of cases) {
      const nodeError = await node().then(() => undefined, (e) => e);
      const denoError = await deno().then(() => undefined, (e) => e);
      const converted = denoErrorFrom(nodeError, Deno.errors) as Error & { code?: string };
      assert.equal(converted.constructor, denoError.constructor, name);
      assert.ok(converted instanceof Deno.errors[name as keyof typeof Deno.errors]);
      assert.equal(converted.cause, nodeError);
      assert.equal(converted.code, nodeError.code);
    }
    const plain = new Error("plain");
    assert.equal(denoErrorFrom(plain, Deno.errors), plain);
    const already = new Deno.errors.NotFound("x");
    assert.equal(denoErrorFrom(already, Deno.errors), already);
    assert.equal(denoErrorFrom("text", Deno.errors), "text");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mapErrors converts thrown and rejected errors, and passes results through", async () => {
  const enoent = () => Object.assign(new Error("ENOENT: nope"), { code: "ENOENT" });
  const sync = mapErrors(() => {
    throw enoent();
  }, Deno.errors);
  assert.throws(sync, Deno.errors.NotFound);
  const async = mapErrors(() => Promise.reject(enoent()), Deno.errors);
  await assert.rejects(async(), Deno.errors.NotFound);
  const ok = mapErrors((a: unknown, b: unknown) => Promise.resolve([a, b]), Deno.errors);
  assert.deepEqual(await ok(1, 2), [1, 2]);
});

Deno.test("denoOs names platforms like Deno.build.os", () => {
  assert.equal(denoOs("win32"), "windows");
  assert.equal(denoOs("darwin"), "darwin");
  assert.equal(denoOs("freebsd"), "freebsd");
  assert.equal(denoOs("sunos"), "solaris");
  assert.equal(denoOs("linux"), "linux");
});

Deno.test("retryingWriteSync waits out EAGAIN and rethrows anything else", () => {
  let calls = 0;
  const write = retryingWriteSync(1, (_fd, data) => {
    if (++calls < 3) throw Object.assign(new Error("EAGAIN"), { code: "EAGAIN" });
    return data.length;
  });
  assert.equal(write(new Uint8Array(5)), 5);
  assert.equal(calls, 3);
  const failing = retryingWriteSync(1, () => {
    throw Object.assign(new Error("EPIPE"), { code: "EPIPE" });
  });
  assert.throws(() => failing(new Uint8Array(1)), /EPIPE/);
});

Deno.test("patchDenoShim copies the shim, patches it, and touches no lazy stream getter", async () => {
  let readableRead = false;
  class NotFound extends Error {}
  const stdin = {
    rid: 0,
    isTerminal: () => false,
    get readable() {
      readableRead = true;
      return "stream";
    },
  };
  const shim = {} as Record<string, unknown>;
  const members: Record<string, unknown> = {
    args: ["a"],
    build: { os: "linux", arch: "x86_64" },
    errors: { NotFound },
    stdin,
    stdout: { rid: 1, writeSync: () => 0 },
    stderr: { rid: 2, writeSync: () => 0 },
    stat: () => Promise.reject(Object.assign(new Error("x"), { code: "ENOTDIR" })),
    readDir: async function* () {
      yield { name: "a" };
      throw Object.assign(new Error("x"), { code: "EACCES" });
    },
  };
  for (const [name, value] of Object.entries(members)) {
    Object.defineProperty(shim, name, { get: () => value, enumerable: true }); // like the shim
  }
  const patched = patchDenoShim(shim as unknown as typeof Deno, "freebsd");
  assert.equal(readableRead, false);
  assert.deepEqual(patched.args, ["a"]);
  assert.equal(patched.build.os, "freebsd");
  assert.equal((shim.build as { os: string }).os, "linux", "the shim itself is untouched");
  assert.ok(new NotFound("x") instanceof patched.errors.NotFound, "the shim's errors count");
  assert.equal(new NotFound("x").name, "NotFound", "the shim's classes are named");
  assert.equal(new patched.errors.NotCapable("x").name, "NotCapable");
  await assert.rejects(patched.stat("/x"), patched.errors.NotADirectory);
  const names: string[] = [];
  await assert.rejects(async () => {
    for await (const entry of patched.readDir("/x")) names.push(entry.name);
  }, patched.errors.PermissionDenied);
  assert.deepEqual(names, ["a"]);
  assert.equal(patched.stdin.isTerminal(), false);
  assert.equal(patched.stdin.readable as unknown, "stream");
  assert.equal((patched.stdout as unknown as { rid: number }).rid, 1);
  assert.notEqual(patched.stdout.writeSync, (shim.stdout as { writeSync: unknown }).writeSync);
});

function fakeShim() {
  let loads = 0;
  class NotFound extends Error {}
  const shim = {
    errors: { NotFound },
    env: { set: (_k: string, _v: string) => "set by the shim" },
    permissions: { revokeSync: () => "revoked by the shim" },
    stdin: { rid: 0, read: () => "read by the shim" },
    stdout: { rid: 1, write: () => "written by the shim" },
    stderr: { rid: 2 },
    build: { os: "linux" },
    remove: () => Promise.reject(new NotFound("gone")),
    rename: () => Promise.reject(Object.assign(new Error("EISDIR"), { code: "EISDIR" })),
    execPath: () => "/usr/bin/deno",
  };
  const load = () => {
    loads++;
    return shim as unknown as typeof Deno;
  };
  return { load, loads: () => loads, NotFound };
}

for (const syncReads of [false, true]) {
  Deno.test(`lazyDeno serves start-up and reads without loading the shim (syncReads: ${syncReads})`, async () => {
    const fake = fakeShim();
    const deno = lazyDeno(fake.load, "linux", { syncReads });
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(join(dir, "file"), "text ✅");
      assert.ok(Array.isArray(deno.args));
      assert.equal(deno.build.os, "linux");
      assert.equal(deno.build.arch, Deno.build.arch);
      assert.equal(deno.env.get("PATH"), Deno.env.get("PATH"));
      assert.equal(deno.env.has("LUA_SURELY_UNSET_VARIABLE"), false);
      assert.throws(() => deno.env.get("A=B"), TypeError);
      assert.equal(deno.cwd(), Deno.cwd());
      assert.equal(deno.permissions.querySync({ name: "env" }).state, "granted");
      assert.equal((await deno.permissions.query({ name: "read" })).state, "granted");
      assert.equal(typeof deno.stdin.isTerminal(), "boolean");
      assert.equal(typeof deno.stdout.isTerminal(), "boolean");
      assert.equal(typeof deno.stderr.isTerminal(), "boolean");
      assert.equal(deno.stderr.writeSync(new Uint8Array(0)), 0);
      const read = deno.readTextFile(join(dir, "file"));
      assert.ok(read instanceof Promise);
      assert.equal(await read, "text ✅");
      const signal = new AbortController().signal;
      assert.equal(await deno.readTextFile(join(dir, "file"), { signal }), "text ✅");
      const [mine, real] = [await deno.stat(dir), await Deno.stat(dir)];
      for (const key of ["isFile", "isDirectory", "isSymlink", "mode", "size", "uid"] as const) {
        assert.equal(mine[key], real[key], key);
      }
      assert.equal(mine.mtime?.getTime(), real.mtime?.getTime());
      assert.equal((await deno.lstat(join(dir, "file"))).isFile, true);
      const failed = deno.stat(join(dir, "missing"));
      assert.ok(failed instanceof Promise, "a failure rejects, never throws");
      await assert.rejects(failed, deno.errors.NotFound);
      await assert.rejects(deno.readTextFile(join(dir, "file", "x")), deno.errors.NotADirectory);
      await assert.rejects(deno.readTextFile(dir), deno.errors.IsADirectory);
      const error = await deno.stat(join(dir, "missing")).catch((e) => e);
      assert.equal(error.code, "ENOENT");
      assert.equal(error.syscall, "stat");
      assert.equal(error.cause.code, "ENOENT");
      assert.equal(new deno.errors.NotCapable("x").name, "NotCapable");
      assert.equal(fake.loads(), 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("isTerminal answers as tty.isatty, for files, pipes, the null device and closed descriptors", async () => {
  const { isatty } = await import("node:tty");
  const { closeSync, openSync } = await import("node:fs");
  const dir = await Deno.makeTempDir();
  const fds: number[] = [];
  try {
    await Deno.writeTextFile(join(dir, "file"), "x");
    fds.push(openSync(join(dir, "file"), "r"));
    if (Deno.build.os !== "windows") fds.push(openSync("/dev/null", "r"));
    for (const fd of [0, 1, 2, ...fds]) {
      assert.equal(isTerminal(fd, process.platform), isatty(fd), `fd ${fd}`);
    }
    const closed = fds.pop()!;
    closeSync(closed);
    assert.equal(isTerminal(closed, process.platform), false, "closed");
  } finally {
    for (const fd of fds) closeSync(fd);
    await Deno.remove(dir, { recursive: true });
  }
  // a pipe, and a terminal when `script` can make one
  if (Deno.build.os === "linux") {
    const check =
      `import { isTerminal } from ${JSON.stringify(import.meta.resolve("./npm_shim.ts"))};\n` +
      `import { isatty } from "node:tty";\n` +
      `console.log(JSON.stringify([0, 1, 2].map((fd) => [isTerminal(fd, "linux"), isatty(fd)])));\n`;
    const file = join(await Deno.makeTempDir(), "check.ts");
    try {
      await Deno.writeTextFile(file, check);
      const piped = await run(Deno.execPath(), ["run", "-A", file], { stdin: "" });
      assert.equal(piped.code, 0, piped.stderr);
      for (const [mine, theirs] of JSON.parse(piped.stdout)) assert.equal(mine, theirs);
      const script = await run("script", [
        "-qec",
        `${Deno.execPath()} run -A ${file}`,
        "/dev/null",
      ]);
      if (script.code === 0) {
        const answers = JSON.parse(script.stdout.trim().split("\n").at(-1)!) as boolean[][];
        assert.deepEqual(answers.map(([mine]) => mine), answers.map(([, theirs]) => theirs));
        assert.ok(answers.some(([mine]) => mine), "a terminal is one");
      }
    } finally {
      await Deno.remove(dirname(file), { recursive: true });
    }
  }
});

Deno.test("lazyPerformance: now() in milliseconds since the start, the rest from performance", () => {
  let reads = 0;
  const lazy = lazyPerformance(
    () => process.hrtime.bigint(),
    () => process.uptime(),
    () => {
      reads++;
      return performance;
    },
  );
  const [a, real, b] = [lazy.now(), performance.now(), lazy.now()];
  assert.ok(a <= b, "monotonic");
  assert.ok(Math.abs(real - a) < 50, `${a} against performance.now() ${real}`);
  assert.equal(reads, 0, "now() does not read performance");
  assert.equal(lazy.timeOrigin, performance.timeOrigin);
  assert.ok("mark" in lazy);
  assert.equal(typeof lazy.toJSON(), "object", "methods are bound to performance");
  assert.ok(reads > 0);
  const fixed = lazyPerformance(() => 5_000_000n, () => 2, () => performance);
  assert.equal(fixed.now(), 2000, "hrtime 5 ms, started 2 s before: 2000 ms in");
});

Deno.test("lazyDeno loads the shim once, for anything else, and patches it", async () => {
  const fake = fakeShim();
  const deno = lazyDeno(fake.load, "linux");
  const errors = deno.errors;
  assert.equal(deno.execPath(), "/usr/bin/deno");
  assert.equal(fake.loads(), 1);
  assert.equal(deno.errors, errors, "the error classes stay the same");
  assert.equal(deno.env.set("A", "b") as unknown, "set by the shim");
  assert.equal(deno.permissions.revokeSync({ name: "env" }) as unknown, "revoked by the shim");
  assert.equal(deno.stdin.read(new Uint8Array(1)) as unknown, "read by the shim");
  assert.equal(deno.stdout.write(new Uint8Array(1)) as unknown, "written by the shim");
  assert.equal((deno.stdout as unknown as { rid: number }).rid, 1);
  const removeError = await deno.remove("/x").catch((error) => error);
  assert.ok(removeError instanceof fake.NotFound); // the shim's own class…
  assert.ok(removeError instanceof deno.errors.NotFound); // …counts as Deno's
  assert.equal(removeError.name, "NotFound");
  await assert.rejects(deno.rename("/x", "/y"), deno.errors.IsADirectory); // mapped
  assert.ok(new fake.NotFound() instanceof deno.errors.NotFound);
  assert.equal(fake.loads(), 1);
});

// ---------------------------------------------------------------------------------------------
// The package, end to end on Node

interface Installed {
  /** The temporary directory holding everything. */
  base: string;
  /** The build output. */
  pkg: string;
  /** Where the tarball is installed (`node_modules/` inside). */
  app: string;
  /** The tools directory (esbuild, tsc, @types/node). */
  tools: string;
  /** The files in the tarball. */
  packed: string[];
  /** Output of the build. */
  buildOutput: string;
}

let installed: Promise<Installed> | undefined;

function mustSucceed(what: string, output: RunOutput): RunOutput {
  assert.equal(output.code, 0, `${what} failed:\n${output.stdout}\n${output.stderr}`);
  return output;
}

const PATH = Deno.env.get("PATH") ?? "";

/** Builds into a temporary directory, packs, and installs the tarball, once. */
function install(): Promise<Installed> {
  return installed ??= (async () => {
    const base = await Deno.makeTempDir({ prefix: "lua-npm-test-" });
    const pkg = join(base, "pkg");
    const app = join(base, "app");
    const home = join(base, "npm-home");
    await Deno.mkdir(app);
    await Deno.mkdir(home);
    const tools = await ensureTools();
    const build = mustSucceed(
      "build",
      await run(Deno.execPath(), [
        "run",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-net",
        join(ROOT, "scripts", "build_npm.ts"),
        "--out",
        pkg,
      ], { cwd: ROOT }),
    );
    const npmEnv = { HOME: home, npm_config_update_notifier: "false" };
    const pack = mustSucceed(
      "npm pack",
      await run(NPM, ["pack", "--json", "--pack-destination", base], { cwd: pkg, env: npmEnv }),
    );
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    await Deno.writeTextFile(join(app, "package.json"), '{ "private": true }\n');
    mustSucceed(
      "npm install",
      await run(NPM, ["install", "--no-audit", "--no-fund", join(base, info!.filename)], {
        cwd: app,
        env: npmEnv,
      }),
    );
    return {
      base,
      pkg,
      app,
      tools,
      packed: info!.files.map((f) => f.path).sort(),
      buildOutput: build.stdout,
    };
  })();
}

/** A run of the installed CLI on Node, with a fresh HOME and working directory. */
interface CliRun extends RunOutput {
  home: string;
  cwd: string;
}

interface CliOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** Prepares HOME and the working directory first. */
  setup?: (home: string, cwd: string) => Promise<void>;
  bin?: string;
  nodeArgs?: string[];
}

let runs = 0;

async function lua(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const { app, base } = await install();
  const dir = join(base, `run-${++runs}`);
  const home = join(dir, "home");
  const cwd = join(dir, "cwd");
  await Deno.mkdir(home, { recursive: true });
  await Deno.mkdir(cwd, { recursive: true });
  await options.setup?.(home, cwd);
  const bin = join(app, "node_modules", ".bin", options.bin ?? "lua");
  const output = await run(options.nodeArgs ? "node" : bin, [
    ...(options.nodeArgs ? [...options.nodeArgs, bin] : []),
    ...args,
  ], {
    cwd,
    clearEnv: true,
    env: { PATH, HOME: home, LUA_TELEMETRY: "false", ...options.env },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
  return { ...output, home, cwd };
}

async function storeCredentials(home: string, key: string): Promise<void> {
  await Deno.mkdir(join(home, ".lua-cli"), { mode: 0o700 });
  await Deno.writeTextFile(join(home, ".lua-cli", "credentials"), `${key}\n`, { mode: 0o600 });
}

async function listTree(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    found.push(entry.name);
    if (entry.isDirectory) {
      for (const inner of await listTree(join(dir, entry.name))) {
        found.push(`${entry.name}/${inner}`);
      }
    }
  }
  return found.sort();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

Deno.test("npm build: package.json, ESM with a CLI banner, declarations, README and LICENSE", async () => {
  const { pkg, packed, buildOutput } = await install();
  const manifest = JSON.parse(await Deno.readTextFile(join(pkg, "package.json")));
  assert.equal(manifest.name, DENO_JSON.name);
  assert.equal(manifest.version, DENO_JSON.version);
  assert.equal(manifest.type, "module");
  assert.deepEqual(manifest.bin, { "lua": "esm/main.js", "lua-ai": "esm/main.js" });
  assert.deepEqual(manifest.exports["."], { types: "./types/mod.d.ts", import: "./esm/mod.js" });
  assert.deepEqual(manifest.engines, { node: NODE_ENGINES });
  assert.deepEqual(Object.keys(manifest.dependencies).sort(), [
    "@commander-js/extra-typings",
    SHIM_PACKAGE,
    "@inquirer/prompts",
    "commander",
  ]);
  for (const [name, range] of Object.entries(manifest.dependencies)) {
    if (name === SHIM_PACKAGE) continue;
    const major = /@(\d+)$/.exec(DENO_JSON.imports[name] ?? "")?.[1];
    assert.equal(range, `^${major}.0.0`, name);
  }
  assert.equal(manifest.devDependencies, undefined);
  assert.match(buildOutput, /@lua\/cli@/);

  const main = await Deno.readTextFile(join(pkg, "esm", "main.js"));
  assert.ok(main.startsWith("#!/usr/bin/env node\n"));
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(join(pkg, "esm", "main.js"))).mode! & 0o111, 0o111);
  }
  const mod = await Deno.readTextFile(join(pkg, "esm", "mod.js"));
  assert.ok(!mod.startsWith("#!"));

  for (const file of packed) assert.match(file, /^(esm\/.*\.js|types\/.*\.d\.ts|[A-Za-z.]+)$/);
  assert.ok(packed.includes("package.json"));
  assert.ok(packed.includes("types/mod.d.ts"));
  for (const name of ["README.md", "LICENSE"]) {
    const present = await Deno.stat(join(ROOT, name)).then(() => true, () => false);
    assert.equal(packed.includes(name), present, name);
  }
  for (const file of packed.filter((f) => f.endsWith(".js"))) {
    const text = await Deno.readTextFile(join(pkg, file));
    assert.doesNotMatch(text, /from\s*["'](npm|jsr):|import\(\s*["'](npm|jsr):/, file);
    assert.doesNotMatch(text, /\bimport\.meta\.main\b/, file);
  }
});

Deno.test("npm build: the CLI stays lazy (no static import of prompts, the client, the shim)", async () => {
  const { pkg } = await install();
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = async (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await Deno.readTextFile(file);
    // static imports only: `import ... from "x"` / `import "x"`, not `import("x")`
    for (const match of text.matchAll(/^\s*(?:import|export)\s[^(]*?["']([^"']+)["'];?$/gms)) {
      const specifier = match[1]!;
      if (specifier.startsWith(".")) await visit(join(file, "..", specifier));
      else bare.add(specifier);
    }
  };
  await visit(join(pkg, "esm", "main.js"));
  assert.ok(!bare.has(SHIM_PACKAGE), [...bare].join(", "));
  assert.ok(!bare.has("@inquirer/prompts"), [...bare].join(", "));
  const allText = await Promise.all([...seen].map((f) => Deno.readTextFile(f)));
  assert.ok(!allText.some((t) => t.includes("// src/client.ts")), "client.ts loaded eagerly");
  assert.ok(!allText.some((t) => t.includes("// src/cli/auth_configure.ts")));
});

Deno.test("npm install: footprint, and npm ls finds no missing or invalid dependency", async () => {
  const { app } = await install();
  const ls = await run(NPM, ["ls", "--all", "--json"], { cwd: app });
  assert.equal(ls.code, 0, ls.stdout + ls.stderr);
  const tree = JSON.parse(ls.stdout);
  assert.ok(tree.dependencies["@lua/cli"]);
  let bytes = 0;
  let packages = 0;
  const measure = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isFile) bytes += (await Deno.stat(path)).size;
      if (!entry.isDirectory) continue;
      const parent = basename(dir);
      const scoped = parent.startsWith("@") && basename(dirname(dir)) === "node_modules";
      if ((parent === "node_modules" && !/^[@.]/.test(entry.name)) || scoped) packages++;
      await measure(path);
    }
  };
  await measure(join(app, "node_modules"));
  const own = (await listTree(join(app, "node_modules", "@lua", "cli")))
    .filter((f) => /\.(js|ts|json|md)$|LICENSE$/.test(f)).length;
  console.log(
    `  installed footprint: node_modules ${(bytes / 1024 / 1024).toFixed(2)} MiB in ${packages} ` +
      `packages (of which @lua/cli: ${own} files)`,
  );
  assert.ok(packages >= 5 && packages < 100, `${packages} packages`);
});

Deno.test("lua --version and lua-ai --version print deno.json's version", async () => {
  for (const bin of ["lua", "lua-ai"]) {
    const result = await lua(["--version"], { bin });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), DENO_JSON.version);
  }
});

/** Runs the CLI and lists the modules it loaded: ESM (resolve hook) and CommonJS (`require`). */
async function traced(args: string[], options: CliOptions = {}) {
  const { base } = await install();
  const id = ++runs;
  const trace = join(base, `trace-${id}.txt`);
  const hooks = join(base, `hooks-${id}.mjs`);
  const register = join(base, `register-${id}.mjs`);
  const onExit = join(base, `on-exit-${id}.cjs`);
  await Deno.writeTextFile(
    hooks,
    `import { appendFileSync } from "node:fs";\n` +
      `export async function resolve(specifier, context, next) {\n` +
      `  const result = await next(specifier, context);\n` +
      `  appendFileSync(${JSON.stringify(trace)}, "esm " + result.url + "\\n");\n` +
      `  return result;\n}\n`,
  );
  await Deno.writeTextFile(
    register,
    `import { register } from "node:module";\n` +
      `register(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`,
  );
  await Deno.writeTextFile(
    onExit,
    `process.on("exit", () => require("node:fs").appendFileSync(${JSON.stringify(trace)},\n` +
      `  Object.keys(require.cache).map((file) => "cjs " + file + "\\n").join("")));\n`,
  );
  await Deno.writeTextFile(trace, "");
  const result = await lua(args, {
    ...options,
    nodeArgs: ["--require", onExit, "--import", register],
  });
  const loaded = await Deno.readTextFile(trace);
  return { ...result, loaded };
}

Deno.test("lua auth key --force prints LUA_API_KEY alone on stdout, loading neither prompts nor the shim", async () => {
  const result = await traced(["auth", "key", "--force"], { env: { LUA_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${KEY}\n`);
  assert.match(result.stderr, /Source: LUA_API_KEY environment variable/);
  assert.match(result.loaded, /^esm .*\/@lua\/cli\/esm\/main\.js$/m);
  assert.doesNotMatch(result.loaded, /@inquirer/);
  assert.doesNotMatch(result.loaded, /shim-deno/);
  assert.deepEqual(await listTree(result.home), [], "nothing written to HOME");

  const aliased = await lua(["auth", "key", "--force"], {
    env: { LUA_API_KEY: KEY },
    bin: "lua-ai",
  });
  assert.equal(aliased.code, 0, aliased.stderr);
  assert.equal(aliased.stdout, `${KEY}\n`);
});

/** Runs the CLI and lists Node's own modules it loaded (`process.moduleLoadList`), no hooks. */
async function nodeModulesLoaded(args: string[], options: CliOptions = {}) {
  const { base } = await install();
  const id = ++runs;
  const list = join(base, `modules-${id}.txt`);
  const onExit = join(base, `modules-${id}.cjs`);
  await Deno.writeTextFile(
    onExit,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)},\n` +
      `  process.moduleLoadList.join("\\n")));\n`,
  );
  const result = await lua(args, { ...options, nodeArgs: ["--require", onExit] });
  return { ...result, modules: (await Deno.readTextFile(list)).split("\n") };
}

Deno.test("the everyday commands load main.js and one chunk, and none of Node's streams, tty, net, perf_hooks", async () => {
  const setup = (home: string) => storeCredentials(home, STORED_KEY);
  for (const args of [["auth", "key", "--force"], ["--help"], ["auth", "status", "--offline"]]) {
    const line = args.join(" ");
    const result = await traced(args, { setup });
    assert.equal(result.code, 0, result.stderr);
    const own = new Set(result.loaded.match(/(?<=\/@lua\/cli\/esm\/).*$/gm));
    assert.equal(own.size, 2, `${line}: ${[...own].join(", ")}`);
    assert.ok(own.has("main.js"), line);
    assert.ok([...own].some((file) => /^chunks\/main-chunk-\w+\.js$/.test(file)), line);
    // each costs 1 to 2 ms at start-up; see npm_shim.ts
    const { code, modules, stderr } = await nodeModulesLoaded(args, { setup });
    assert.equal(code, 0, stderr);
    assert.ok(modules.includes("NativeModule fs"), "the list is read");
    for (const name of ["stream", "internal/fs/streams", "net", "tty", "perf_hooks"]) {
      assert.ok(!modules.includes(`NativeModule ${name}`), `${line} loads ${name}`);
    }
  }
});

Deno.test("the shim is loaded when a command needs more than reading: auth logout", async () => {
  const result = await traced(["auth", "logout", "--force"], {
    setup: (home) => storeCredentials(home, STORED_KEY),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.loaded, /^cjs .*[\\/]@deno[\\/]shim-deno[\\/]dist[\\/]index\.cjs$/m);
  assert.doesNotMatch(result.loaded, /@inquirer/);
});

Deno.test("lua auth key --force with no key anywhere exits 9", async () => {
  const result = await lua(["auth", "key", "--force"]);
  assert.equal(result.code, 9);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^Error: No API key found\.$/m);
});

Deno.test("lua auth key --force: the credentials file wins over .env", async () => {
  const result = await lua(["auth", "key", "--force"], {
    setup: async (home, cwd) => {
      await storeCredentials(home, STORED_KEY);
      await Deno.writeTextFile(join(cwd, ".env"), `LUA_API_KEY=${DOTENV_KEY}\n`);
    },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${STORED_KEY}\n`);
  assert.match(result.stderr, /Source: credentials file .*\.lua-cli[\\/]credentials/);

  const dotenv = await lua(["auth", "key", "--force"], {
    setup: (_home, cwd) => Deno.writeTextFile(join(cwd, ".env"), `LUA_API_KEY=${DOTENV_KEY}\n`),
  });
  assert.equal(dotenv.code, 0, dotenv.stderr);
  assert.equal(dotenv.stdout, `${DOTENV_KEY}\n`);
  assert.match(dotenv.stderr, /Source: \.env file/);
});

Deno.test("lua auth key --force: OS errors keep the meaning they have on Deno", async () => {
  const parentIsFile = await lua(["auth", "key", "--force"], {
    setup: (home) => Deno.writeTextFile(join(home, ".lua-cli"), "not a directory"),
  });
  assert.equal(parentIsFile.code, 1, parentIsFile.stderr);
  assert.match(
    parentIsFile.stderr,
    /^Error: Cannot read credentials file ".*": a parent is not a directory\.$/m,
  );
  const isDirectory = await lua(["auth", "key", "--force"], {
    setup: (home) => Deno.mkdir(join(home, ".lua-cli", "credentials"), { recursive: true }),
  });
  assert.equal(isDirectory.code, 1, isDirectory.stderr);
  assert.match(
    isDirectory.stderr,
    /^Error: Cannot read credentials file ".*": it is a directory\./m,
  );
  assert.doesNotMatch(parentIsFile.stderr + isDirectory.stderr, /unexpected error/);
});

Deno.test("lua auth configure --api-key against an unreachable platform exits 11, writes nothing", async () => {
  const result = await lua(["auth", "configure", "--api-key", KEY], {
    env: { LUA_API_URL: "http://127.0.0.1:9", LUA_AUTH_URL: "http://127.0.0.1:9" },
  });
  assert.equal(result.code, 11, result.stderr);
  assert.match(result.stderr, /Cannot reach the Lua platform \(http:\/\/127\.0\.0\.1:9\)/);
  assert.deepEqual(await listTree(result.home), []);

  // the key from stdin (Deno.stdin.readable through the shim), and a port that refuses
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const refused = await lua(["auth", "configure", "--api-key", "-"], {
    env: { LUA_API_URL: `http://127.0.0.1:${port}`, LUA_AUTH_URL: `http://127.0.0.1:${port}` },
    stdin: `${KEY}\n`,
  });
  assert.equal(refused.code, 11, refused.stderr);
  assert.match(refused.stderr, /the connection was refused/);
  assert.deepEqual(await listTree(refused.home), []);
});

Deno.test("lua auth logout --force deletes the credentials file", async () => {
  const result = await lua(["auth", "logout", "--force"], {
    setup: (home) => storeCredentials(home, STORED_KEY),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await listTree(join(result.home, ".lua-cli")), []);
  const again = await lua(["auth", "logout", "--force"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /nothing to delete/);
});

Deno.test("lua auth status --offline --json prints one JSON object", async () => {
  const result = await lua(["auth", "status", "--offline", "--json"], {
    setup: (home) => storeCredentials(home, STORED_KEY),
  });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.active.kind, "credentials");
  assert.deepEqual(report.sources.map((s: { kind: string }) => s.kind), [
    "env",
    "credentials",
    "dotenv",
  ]);
  assert.ok(!result.stdout.includes(STORED_KEY), "the key itself is not printed");
});

Deno.test("lua auth key asks on a terminal through @inquirer/prompts on Node", {
  ignore: Deno.build.os !== "linux" ||
    !(await Deno.stat("/usr/bin/script").then(() => true, () => false)),
}, async () => {
  const { app, base } = await install();
  const home = join(base, "pty-home");
  await Deno.mkdir(home);
  await storeCredentials(home, STORED_KEY);
  const child = new Deno.Command("script", {
    args: ["-qfec", `${join(app, "node_modules", ".bin", "lua")} auth key`, "/dev/null"],
    cwd: base,
    clearEnv: true,
    env: { PATH, HOME: home, LUA_TELEMETRY: "false", TERM: "xterm" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let screen = "";
  let answered = false;
  const deadline = setTimeout(() => child.kill(), 20_000);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      screen += value;
      if (!answered && screen.includes("(y/N)")) {
        answered = true;
        await writer.write(new TextEncoder().encode("y\r"));
      }
    }
  } finally {
    clearTimeout(deadline);
    await writer.close().catch(() => {});
    await child.stderr.cancel();
  }
  const status = await child.status;
  assert.equal(status.code, 0, screen);
  assert.ok(answered, screen);
  assert.match(screen, /Your API key:/);
  assert.ok(screen.includes(STORED_KEY), screen);
});

Deno.test("the library imports from the installed package on Node and resolves a key", async () => {
  const { app } = await install();
  const script = join(app, "library.mjs");
  await Deno.writeTextFile(
    script,
    `import { resolveApiKey, denoContext, maskKey, NoApiKeyError, ExitCode } from "@lua/cli";\n` +
      `const resolved = await resolveApiKey(denoContext());\n` +
      `console.log(JSON.stringify({ ...resolved, masked: maskKey(resolved.key),\n` +
      `  noKeyExit: new NoApiKeyError().exitCode, codes: Object.keys(ExitCode).length }));\n`,
  );
  const result = await run("node", [script], {
    cwd: app,
    clearEnv: true,
    env: { PATH, HOME: join(app, "no-home"), LUA_API_KEY: KEY },
  });
  assert.equal(result.code, 0, result.stderr);
  const output = JSON.parse(result.stdout);
  assert.equal(output.key, KEY);
  assert.deepEqual(output.source, { kind: "env", variable: "LUA_API_KEY" });
  assert.equal(output.noKeyExit, 9);
  assert.ok(output.codes > 3);
  assert.notEqual(output.masked, KEY);
});

/**
 * File operations of the library, each in a fresh home directory, as JSON lines; run the same
 * on Deno (the source) and on Node (the package) to compare. Paths print as `<home>`.
 */
const SCENARIOS = `
const [library, base] = [process.argv[2] ?? Deno.args[0], process.argv[3] ?? Deno.args[1]];
const lib = await import(library);
const fs = await import("node:fs/promises");
const { join } = await import("node:path");
const KEY = ${JSON.stringify(STORED_KEY)};
let n = 0;
async function scenario(name, prepare, act) {
  const home = join(base, String(++n));
  await fs.mkdir(home, { recursive: true });
  await prepare(home);
  const real = lib.denoContext();
  const ctx = { ...real, env: (v) => v === "HOME" ? home : real.env(v), cwd: () => home };
  let result;
  try {
    result = { ok: await act(ctx, home) ?? null };
  } catch (error) {
    result = { error: error.name, message: error.message, exitCode: error.exitCode };
  }
  const text = JSON.stringify({ name, ...result }).replaceAll(home, "<home>");
  console.log(text);
}
const mode = async (path) => (await fs.stat(path)).mode & 0o777;
const nothing = async () => {};
const parentIsFile = (home) => fs.writeFile(join(home, ".lua-cli"), "x");
const credentialsIsDir = (home) => fs.mkdir(join(home, ".lua-cli", "credentials", "sub"), { recursive: true });
await scenario("write then read", nothing, async (ctx, home) => {
  const path = await lib.writeCredentials(ctx, KEY);
  const read = await lib.readCredentials(ctx);
  return [path, read, await mode(path), await mode(join(home, ".lua-cli"))];
});
await scenario("write over a file in place of the directory", parentIsFile, (ctx) => lib.writeCredentials(ctx, KEY));
await scenario("write over a directory", credentialsIsDir, (ctx) => lib.writeCredentials(ctx, KEY));
await scenario("write tightens a loose directory", (home) => fs.mkdir(join(home, ".lua-cli"), { mode: 0o755 }),
  async (ctx, home) => { await lib.writeCredentials(ctx, KEY); return mode(join(home, ".lua-cli")); });
await scenario("read with a file in place of the directory", parentIsFile, (ctx) => lib.readCredentials(ctx));
await scenario("read a directory", credentialsIsDir, (ctx) => lib.readCredentials(ctx));
await scenario("read nothing", nothing, (ctx) => lib.readCredentials(ctx));
await scenario("read a loose file", async (home) => {
  await fs.mkdir(join(home, ".lua-cli"));
  await fs.writeFile(join(home, ".lua-cli", "credentials"), KEY, { mode: 0o644 });
}, async (ctx) => { const warnings = []; await lib.readCredentials(ctx, { onWarning: (w) => warnings.push(w) }); return warnings; });
await scenario("delete", async (home) => {
  await fs.mkdir(join(home, ".lua-cli"));
  await fs.writeFile(join(home, ".lua-cli", "credentials"), KEY);
}, async (ctx, home) => [await lib.deleteCredentials(ctx), await fs.readdir(join(home, ".lua-cli"))]);
await scenario("delete nothing", nothing, (ctx) => lib.deleteCredentials(ctx));
await scenario("delete a directory", credentialsIsDir, (ctx) => lib.deleteCredentials(ctx));
await scenario(".env is a directory", (home) => fs.mkdir(join(home, ".env")), async (ctx) => {
  const warnings = []; const key = await lib.readDotenvKey(ctx, { onWarning: (w) => warnings.push(w) });
  return [key ?? null, warnings];
});
await scenario("sources", async (home) => {
  await fs.writeFile(join(home, ".env"), "LUA_API_KEY=" + KEY + "\\n");
}, (ctx) => lib.listKeySources(ctx));
`;

Deno.test("the library does the same file operations on Node as on Deno", async () => {
  const { app, base } = await install();
  const script = join(app, "scenarios.mjs");
  await Deno.writeTextFile(script, SCENARIOS);
  const env = { PATH, HOME: join(base, "no-home") };
  const onDeno = await run(Deno.execPath(), [
    "run",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    script,
    new URL(`file://${join(ROOT, "mod.ts")}`).href,
    join(base, "scenarios-deno"),
  ], { cwd: ROOT, clearEnv: true, env });
  assert.equal(onDeno.code, 0, onDeno.stderr);
  const onNode = await run("node", [script, "@lua/cli", join(base, "scenarios-node")], {
    cwd: app,
    clearEnv: true,
    env,
  });
  assert.equal(onNode.code, 0, onNode.stderr);
  const deno = onDeno.stdout.trim().split("\n").map((line) => JSON.parse(line));
  const node = onNode.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(deno.length, 13);
  assert.deepEqual(node, deno);
  assert.ok(!onNode.stdout.includes("unexpected"), onNode.stdout);
});

Deno.test("a TypeScript consumer type-checks against the generated declarations", async () => {
  const { app, tools } = await install();
  const dir = join(app, "consumer");
  await Deno.mkdir(dir);
  const tsc = join(tools, "node_modules", "typescript", "bin", "tsc");
  const config = {
    compilerOptions: {
      noEmit: true,
      strict: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      skipLibCheck: false,
      types: ["node"],
      typeRoots: [join(tools, "node_modules", "@types")],
    },
    files: ["consumer.ts"],
  };
  await Deno.writeTextFile(join(dir, "package.json"), '{ "type": "module" }\n');
  await Deno.writeTextFile(join(dir, "tsconfig.json"), JSON.stringify(config));
  const good = [
    `import {`,
    `  type Context, createClient, denoContext, ExitCode, type LuaClient, LuaError, maskKey,`,
    `  resolveApiKey, type ResolvedApiKey,`,
    `} from "@lua/cli";`,
    `const ctx: Context = denoContext();`,
    `const resolved: ResolvedApiKey | undefined = await resolveApiKey(ctx);`,
    `const masked: string | undefined = resolved && maskKey(resolved.key);`,
    `const client: LuaClient = createClient(ctx);`,
    `const code: number = ExitCode.Ok;`,
    `const error = new LuaError("x", ExitCode.Error);`,
    `console.log(masked, client, code, error.exitCode satisfies number, ctx.os.toUpperCase());`,
  ].join("\n");
  await Deno.writeTextFile(join(dir, "consumer.ts"), good);
  const ok = await run("node", [tsc, "-p", dir], { cwd: dir });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);

  // a wrong use is an error, so the declarations carry real types (not `any`)
  await Deno.writeTextFile(
    join(dir, "consumer.ts"),
    `import { denoContext } from "@lua/cli";\nconst n: number = denoContext().os;\nconsole.log(n);\n`,
  );
  const bad = await run("node", [tsc, "-p", dir], { cwd: dir });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout, /TS2322: Type 'string' is not assignable to type 'number'/);
});

Deno.test("start-up on Node: auth key --force against node -e 0, median of 11 runs", async () => {
  const { app } = await install();
  const bin = join(app, "node_modules", ".bin", "lua");
  const env = { PATH, HOME: join(app, "no-home"), LUA_API_KEY: KEY, LUA_TELEMETRY: "false" };
  const time = async (command: string, args: string[]) => {
    const started = performance.now();
    const result = await run(command, args, { cwd: app, clearEnv: true, env });
    assert.equal(result.code, 0, result.stderr);
    return performance.now() - started;
  };
  await time(bin, ["auth", "key", "--force"]); // warm the file cache
  const baseline: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < 11; i++) {
    baseline.push(await time("node", ["-e", "0"]));
    cli.push(await time(bin, ["auth", "key", "--force"]));
  }
  const [b, c] = [median(baseline), median(cli)];
  console.log(
    `  node -e 0: ${b.toFixed(1)} ms; lua auth key --force: ${c.toFixed(1)} ms ` +
      `(+${(c - b).toFixed(1)} ms)`,
  );
  assert.ok(c - b < 1000, `the CLI takes ${c - b} ms more than node -e 0`);
});

Deno.test("npm build: clean up", async () => {
  if (installed) await Deno.remove((await installed).base, { recursive: true });
  installed = undefined;
});
