/**
 * Tests of `scripts/build_npm.ts` on small fixtures (esbuild and tsc, no npm). The real package,
 * installed and run on Node, is tested by `scripts/npm_package_test.ts` (slow).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildNpm, type BuildOptions, CLI_FILE } from "./build_npm.ts";
import { run } from "../testing/process.ts";

/** Runs `body` in a temporary project made of `files`, removed afterwards. */
async function withFixture(
  files: Record<string, string>,
  body: (root: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lua-build-fixture-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.mkdir(join(dir, name, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, name), text);
    }
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A `deno.json` whose import map has `dep`. */
const WITH_DEP = JSON.stringify({ name: "@x/y", version: "1.0.0", imports: { dep: "npm:dep@1" } });

/**
 * esbuild's service is a child process that `esbuild.stop()` kills without waiting for it to
 * exit, so it is closed after the test that stopped it: the resource and op sanitizers are off
 * for the tests that run esbuild.
 */
const ESBUILD = { sanitizeOps: false, sanitizeResources: false };

const FIXTURE_OPTIONS = (root: string): BuildOptions => ({
  root,
  outDir: join(root, "out"),
  entryPoints: { ".": "mod.ts" },
  bin: { names: ["x"], path: "main.ts" },
  copy: {},
  package: {},
});

Deno.test(
  "buildNpm: bare imports become dependencies with deno.json's ranges",
  ESBUILD,
  async () => {
    await withFixture({
      "deno.json": JSON.stringify({
        name: "@x/y",
        version: "1.2.3",
        license: "MIT",
        imports: { "dep": "npm:dep@4", "@s/unused": "npm:@s/unused@1" },
      }),
      "mod.ts": `import { a } from "dep/sub";\nexport const b: number = a + 1;\n`,
      "main.ts": `console.log(1);\n`,
    }, async (root) => {
      const { packageJson, files } = await buildNpm(FIXTURE_OPTIONS(root));
      assert.deepEqual(packageJson.dependencies, { dep: "^4.0.0" });
      assert.deepEqual(packageJson.bin, { x: CLI_FILE });
      assert.ok(files.includes("types/mod.d.ts"), files.join(", "));
      assert.match(await Deno.readTextFile(join(root, "out", "esm", "mod.js")), /from "dep\/sub"/);
    });
  },
);

Deno.test(
  "buildNpm refuses a package missing from the import map, leaving nothing",
  ESBUILD,
  async () => {
    await withFixture({
      "deno.json": JSON.stringify({ name: "@x/y", version: "1.0.0", imports: {} }),
      "mod.ts": `import { a } from "stray";\nexport const b: number = a;\n`,
      "main.ts": `console.log(1);\n`,
    }, async (root) => {
      await assert.rejects(
        buildNpm(FIXTURE_OPTIONS(root)),
        /"stray" is not in deno.json's imports/,
      );
      await assert.rejects(Deno.stat(join(root, "out")), Deno.errors.NotFound);
    });
  },
);

Deno.test(
  "buildNpm refuses to replace a directory that is not a previous build",
  ESBUILD,
  async () => {
    await withFixture({
      "deno.json": JSON.stringify({ name: "@x/y", version: "1.0.0" }),
      "mod.ts": "export const a = 1;\n",
      "main.ts": "console.log(1);\n",
      "out/precious.txt": "keep me",
    }, async (root) => {
      await assert.rejects(buildNpm(FIXTURE_OPTIONS(root)), /Refusing to replace/);
      assert.equal(await Deno.readTextFile(join(root, "out", "precious.txt")), "keep me");
    });
  },
);

Deno.test(
  "buildNpm: the CLI is one CommonJS file; its import()s of packages stay import()s",
  ESBUILD,
  async () => {
    await withFixture({
      "deno.json": WITH_DEP,
      "mod.ts": "export const a = 1;\n",
      "main.ts": `console.log("ENTRY");\nimport("./start.ts").then(({ run }) => run());\n`,
      "start.ts": `export async function run(): Promise<void> {\n` +
        `  const { b } = await import("./plain.ts");\n` +
        `  const { d } = await import("dep");\n  console.log(b, d);\n}\n`,
      "plain.ts": `export const b = "PLAIN_MODULE";\n`,
      // An ES module package, as @inquirer/prompts is: require() of it would fail on Node 20.
      "node_modules/dep/package.json": JSON.stringify({ name: "dep", type: "module" }),
      "node_modules/dep/index.js": `export const d = "FROM_DEP";\n`,
    }, async (root) => {
      const { packageJson, files } = await buildNpm(FIXTURE_OPTIONS(root));
      assert.deepEqual(packageJson.dependencies, { dep: "^1.0.0" });
      assert.deepEqual(files.filter((f) => f.startsWith("bin/")), [CLI_FILE]);
      const cli = await Deno.readTextFile(join(root, "out", CLI_FILE));
      assert.match(cli, /PLAIN_MODULE/, "plain.ts is in the one file");
      assert.match(cli, /import\("dep"\)/);
      assert.doesNotMatch(cli, /require\("dep"\)/);
      const out = await run("node", [join(root, "out", CLI_FILE)]);
      assert.equal(out.stdout, "ENTRY\nPLAIN_MODULE FROM_DEP\n", out.stderr);
    });
  },
);

Deno.test(
  "buildNpm refuses a CLI that imports a package statically (a require() in CommonJS)",
  ESBUILD,
  async () => {
    await withFixture({
      "deno.json": WITH_DEP,
      "mod.ts": "export const a = 1;\n",
      "main.ts": `import { d } from "dep";\nconsole.log(d);\n`,
    }, async (root) => {
      await assert.rejects(buildNpm(FIXTURE_OPTIONS(root)), /must import "dep" with import\(\)/);
    });
  },
);
