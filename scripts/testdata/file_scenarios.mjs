// File operations of the library, each in a fresh home directory, printed as JSON lines with
// paths as <home>. scripts/build_npm_test.ts runs it on Deno (the source, denoContext) and on
// Node (the installed package, nodeContext) and compares the two outputs.
//   deno run -A file_scenarios.mjs file:///…/mod.ts DIR
//   node file_scenarios.mjs @lua/cli DIR
import process from "node:process";
import * as fs from "node:fs/promises";
import { join } from "node:path";

const [library, base] = process.argv.slice(2);
const lib = await import(library);
const onDeno = typeof globalThis.Deno === "object";
const realContext = onDeno ? lib.denoContext : (await import(`${library}/node`)).nodeContext;
const KEY = "api_storedstoredstoredstoredstored1";
let n = 0;

async function scenario(name, prepare, act) {
  const home = join(base, String(++n));
  await fs.mkdir(home, { recursive: true });
  await prepare(home);
  const real = realContext();
  const ctx = { ...real, env: (v) => v === "HOME" ? home : real.env(v), cwd: () => home };
  let result;
  try {
    result = { ok: await act(ctx, home) ?? null };
  } catch (error) {
    result = { error: error.name, message: error.message, exitCode: error.exitCode };
  }
  console.log(JSON.stringify({ name, ...result }).replaceAll(home, "<home>"));
}

const mode = async (path) => (await fs.stat(path)).mode & 0o777;
const nothing = async () => {};
const parentIsFile = (home) => fs.writeFile(join(home, ".lua-cli"), "x");
const credentialsIsDir = (home) =>
  fs.mkdir(join(home, ".lua-cli", "credentials", "sub"), { recursive: true });

await scenario("write then read", nothing, async (ctx, home) => {
  const path = await lib.writeCredentials(ctx, KEY);
  const read = await lib.readCredentials(ctx);
  return [path, read, await mode(path), await mode(join(home, ".lua-cli"))];
});
await scenario(
  "write over a file in place of the directory",
  parentIsFile,
  (ctx) => lib.writeCredentials(ctx, KEY),
);
await scenario("write over a directory", credentialsIsDir, (ctx) => lib.writeCredentials(ctx, KEY));
await scenario(
  "write tightens a loose directory",
  (home) => fs.mkdir(join(home, ".lua-cli"), { mode: 0o755 }),
  async (ctx, home) => {
    await lib.writeCredentials(ctx, KEY);
    return mode(join(home, ".lua-cli"));
  },
);
await scenario(
  "read with a file in place of the directory",
  parentIsFile,
  (ctx) => lib.readCredentials(ctx),
);
await scenario("read a directory", credentialsIsDir, (ctx) => lib.readCredentials(ctx));
await scenario("read nothing", nothing, (ctx) => lib.readCredentials(ctx));
await scenario("read a loose file", async (home) => {
  await fs.mkdir(join(home, ".lua-cli"));
  await fs.writeFile(join(home, ".lua-cli", "credentials"), KEY, { mode: 0o644 });
}, async (ctx) => {
  const warnings = [];
  await lib.readCredentials(ctx, { onWarning: (w) => warnings.push(w) });
  return warnings;
});
await scenario(
  "delete",
  async (home) => {
    await fs.mkdir(join(home, ".lua-cli"));
    await fs.writeFile(join(home, ".lua-cli", "credentials"), KEY);
  },
  async (ctx, home) => [await lib.deleteCredentials(ctx), await fs.readdir(join(home, ".lua-cli"))],
);
await scenario("delete nothing", nothing, (ctx) => lib.deleteCredentials(ctx));
await scenario("delete a directory", credentialsIsDir, (ctx) => lib.deleteCredentials(ctx));
await scenario(".env is a directory", (home) => fs.mkdir(join(home, ".env")), async (ctx) => {
  const warnings = [];
  const key = await lib.readDotenvKey(ctx, { onWarning: (w) => warnings.push(w) });
  return [key ?? null, warnings];
});
await scenario("sources", async (home) => {
  await fs.writeFile(join(home, ".env"), "LUA_API_KEY=" + KEY + "\n");
}, (ctx) => lib.listKeySources(ctx));
