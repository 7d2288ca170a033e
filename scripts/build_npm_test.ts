/**
 * Tests of `scripts/build_npm.ts` on small fixtures (esbuild and tsc, no npm). The real package,
 * installed and run on Node, is tested by `scripts/npm_package_test.ts` (slow).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildNpm, type BuildOptions } from "./build_npm.ts";

async function fixture(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lua-build-fixture-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), text);
  }
  return dir;
}

const FIXTURE_OPTIONS = (root: string): BuildOptions => ({
  root,
  outDir: join(root, "out"),
  entryPoints: { ".": "mod.ts" },
  bin: { names: ["x"], path: "main.ts" },
  copy: {},
  package: {},
});

Deno.test("buildNpm: bare imports become dependencies with deno.json's ranges", async () => {
  const root = await fixture({
    "deno.json": JSON.stringify({
      name: "@x/y",
      version: "1.2.3",
      license: "MIT",
      imports: { "dep": "npm:dep@4", "@s/unused": "npm:@s/unused@1" },
    }),
    "mod.ts": `import { a } from "dep/sub";\nexport const b: number = a + 1;\n`,
    "main.ts": `const m = await import("./mod.ts");\nconsole.log(m.b);\n`,
  });
  try {
    const { packageJson, files } = await buildNpm(FIXTURE_OPTIONS(root));
    assert.deepEqual(packageJson.dependencies, { dep: "^4.0.0" });
    assert.deepEqual(packageJson.bin, { x: "esm/main.js" });
    assert.ok(files.includes("types/mod.d.ts"), files.join(", "));
    assert.match(await Deno.readTextFile(join(root, "out", "esm", "mod.js")), /from "dep\/sub"/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("buildNpm refuses a package missing from the import map, leaving nothing", async () => {
  const root = await fixture({
    "deno.json": JSON.stringify({ name: "@x/y", version: "1.0.0", imports: {} }),
    "mod.ts": `import { a } from "stray";\nexport const b: number = a;\n`,
    "main.ts": `console.log(1);\n`,
  });
  try {
    await assert.rejects(buildNpm(FIXTURE_OPTIONS(root)), /"stray" is not in deno.json's imports/);
    await assert.rejects(Deno.stat(join(root, "out")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("buildNpm refuses to replace a directory that is not a previous build", async () => {
  const root = await fixture({
    "deno.json": JSON.stringify({ name: "@x/y", version: "1.0.0" }),
    "mod.ts": "export const a = 1;\n",
    "main.ts": "console.log(1);\n",
    "out/precious.txt": "keep me",
  });
  try {
    await assert.rejects(buildNpm(FIXTURE_OPTIONS(root)), /Refusing to replace/);
    assert.equal(await Deno.readTextFile(join(root, "out", "precious.txt")), "keep me");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
