import assert from "node:assert/strict";
import { ExitCode, PermissionError } from "./errors.ts";
import { FsError } from "./fs_error.ts";
import { dotenvPath, MAX_DOTENV_BYTES, parseDotenvKey, readDotenvKey } from "./dotenv.ts";
import { createMemoryContext, type MemoryContext } from "../testing/memory_context.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";
const DOTENV = "/work/.env";

function withDotenv(text: string, mode = 0o644): MemoryContext {
  const ctx = createMemoryContext();
  ctx.fs.putFile(DOTENV, text, mode);
  return ctx;
}

async function readWarnings(
  ctx: MemoryContext,
): Promise<{ result: unknown; warnings: string[] }> {
  const warnings: string[] = [];
  const result = await readDotenvKey(ctx, { onWarning: (m) => warnings.push(m) });
  return { result, warnings };
}

Deno.test("parseDotenvKey(): table", async () => {
  const cases: [string, string | undefined][] = [
    [`LUA_API_KEY=${KEY}`, KEY],
    [`LUA_API_KEY=${KEY}\n`, KEY],
    [`LUA_API_KEY=${KEY}\r\nOTHER=1\r\n`, KEY],
    [`LUA_API_KEY="${KEY}"`, KEY],
    [`LUA_API_KEY='${KEY}'`, KEY],
    [`LUA_API_KEY=\`${KEY}\``, KEY],
    [`LUA_API_KEY = ${KEY}`, KEY],
    [`  LUA_API_KEY=${KEY}  `, KEY],
    [`LUA_API_KEY=${KEY} # my key`, KEY],
    [`LUA_API_KEY=" ${KEY} "`, KEY],
    // `export` is accepted, as shells and most dotenv loaders do.
    [`export LUA_API_KEY=${KEY}`, KEY],
    // The last assignment wins.
    [`LUA_API_KEY=api_first\nLUA_API_KEY=${KEY}`, KEY],
    [`# LUA_API_KEY=${KEY}`, undefined],
    [`lua_api_key=${KEY}`, undefined],
    [`MY_LUA_API_KEY=${KEY}`, undefined],
    ["LUA_API_KEY=", undefined],
    ['LUA_API_KEY=""', undefined],
    ['LUA_API_KEY="   "', undefined],
    ["OTHER=1", undefined],
    ["", undefined],
  ];
  for (const [text, expected] of cases) {
    assert.equal(await parseDotenvKey(text), expected, JSON.stringify(text));
  }
});

Deno.test("dotenvPath(): .env in the current directory", () => {
  assert.equal(dotenvPath({ cwd: () => "/projects/app", os: "linux" }), "/projects/app/.env");
});

Deno.test("readDotenvKey(): reads LUA_API_KEY and nothing else", async () => {
  const ctx = withDotenv(
    `HOME=/evil\nLUA_DOTENV_TEST_LEAK=leaked\nLUA_API_KEY="${KEY}"\nPATH=/evil/bin\n`,
  );
  const { result, warnings } = await readWarnings(ctx);
  assert.deepEqual(result, { key: KEY, path: DOTENV });
  assert.deepEqual(warnings, []);
  assert.equal(ctx.env("HOME"), "/home/user");
  assert.equal(ctx.env("LUA_API_KEY"), undefined);
  assert.equal(ctx.env("LUA_DOTENV_TEST_LEAK"), undefined);
  assert.equal(Deno.env.get("LUA_DOTENV_TEST_LEAK"), undefined, "the process environment too");
  assert.deepEqual(Object.keys(ctx.vars), ["HOME"]);
});

Deno.test("readDotenvKey(): no key", async (t) => {
  await t.step("missing file: undefined, no warning", async () => {
    const { result, warnings } = await readWarnings(createMemoryContext());
    assert.equal(result, undefined);
    assert.deepEqual(warnings, []);
  });

  await t.step("no LUA_API_KEY in it: undefined, no warning", async () => {
    const { result, warnings } = await readWarnings(withDotenv("OTHER=1\n"));
    assert.equal(result, undefined);
    assert.deepEqual(warnings, []);
  });

  await t.step("a dangling symlink counts as missing", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putSymlink(DOTENV, "/nowhere/.env");
    const { result, warnings } = await readWarnings(ctx);
    assert.equal(result, undefined);
    assert.deepEqual(warnings, []);
  });
});

Deno.test("readDotenvKey(): follows a symlink", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putFile("/shared/env", `LUA_API_KEY=${KEY}`);
  ctx.fs.putSymlink(DOTENV, "/shared/env");
  assert.deepEqual(await readDotenvKey(ctx), { key: KEY, path: DOTENV });
});

Deno.test("readDotenvKey(): unusable files give a warning and no key, never a throw", async (t) => {
  const check = async (ctx: MemoryContext, why: RegExp): Promise<void> => {
    const { result, warnings } = await readWarnings(ctx);
    assert.equal(result, undefined);
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.ok(warnings[0]!.startsWith(`Ignoring "${DOTENV}": `), warnings[0]);
    assert.match(warnings[0]!, why);
    assert.ok(!warnings[0]!.includes("api_"), "the warning never shows the key");
  };

  await t.step("a directory", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DOTENV);
    await check(ctx, /it is a directory/);
  });

  await t.step("binary (NUL bytes)", async () => {
    await check(withDotenv(`LUA_API_KEY=${KEY}\n\u0000\u0001\u0002`), /not a text file/);
  });

  await t.step("larger than 1 MiB", async () => {
    assert.equal(MAX_DOTENV_BYTES, 1024 * 1024);
    const padding = "#".repeat(MAX_DOTENV_BYTES);
    await check(withDotenv(`LUA_API_KEY=${KEY}\n${padding}`), /larger than 1048576 bytes/);
  });

  await t.step("exactly 1 MiB is still read", async () => {
    const line = `LUA_API_KEY=${KEY}\n`;
    const ctx = withDotenv(line + "#".repeat(MAX_DOTENV_BYTES - line.length));
    assert.equal((await ctx.fs.stat(DOTENV)).size, MAX_DOTENV_BYTES);
    assert.deepEqual(await readDotenvKey(ctx), { key: KEY, path: DOTENV });
  });

  await t.step("unreadable: mode 0", async () => {
    await check(withDotenv(`LUA_API_KEY=${KEY}`, 0o000), /permission denied/);
  });

  await t.step("unreadable: PermissionDenied from the OS", async () => {
    const ctx = withDotenv(`LUA_API_KEY=${KEY}`);
    ctx.fs.failNext(
      "readTextFile",
      new FsError("PermissionDenied", "Permission denied (os error 13)"),
    );
    await check(ctx, /permission denied/);
  });

  await t.step("PermissionDenied on stat", async () => {
    const ctx = withDotenv(`LUA_API_KEY=${KEY}`);
    ctx.fs.failNext("stat", new FsError("PermissionDenied", "Permission denied (os error 13)"));
    await check(ctx, /permission denied/);
  });

  await t.step("any other I/O error", async () => {
    const ctx = withDotenv(`LUA_API_KEY=${KEY}`);
    ctx.fs.failNext("readTextFile", new Error("Input/output error (os error 5)"));
    await check(ctx, /Input\/output error/);
  });

  await t.step("a key with spaces in it", async () => {
    await check(withDotenv('LUA_API_KEY="api_abc def"'), /spaces or control characters/);
  });

  await t.step("a key that is too long", async () => {
    await check(withDotenv(`LUA_API_KEY=${"k".repeat(4097)}`), /too long/);
  });

  await t.step("without onWarning, still no throw", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DOTENV);
    assert.equal(await readDotenvKey(ctx), undefined);
  });
});

Deno.test("readDotenvKey(): a missing Deno read permission is a PermissionError (exit 2)", async () => {
  for (const operation of ["stat", "readTextFile"] as const) {
    const ctx = withDotenv(`LUA_API_KEY=${KEY}`);
    ctx.fs.failNext(
      operation,
      new Deno.errors.NotCapable(
        `Requires read access to "${DOTENV}", run again with the --allow-read flag`,
      ),
    );
    const warnings: string[] = [];
    await assert.rejects(
      readDotenvKey(ctx, { onWarning: (m) => warnings.push(m) }),
      (error: unknown) => {
        assert.ok(error instanceof PermissionError);
        assert.equal(error.exitCode, ExitCode.Usage);
        assert.match(error.message, /--allow-read/);
        return true;
      },
    );
    assert.deepEqual(warnings, []);
  }
});

Deno.test("readDotenvKey(): a UTF-8 byte-order mark is accepted", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putFile(DOTENV, `\uFEFFLUA_API_KEY=${KEY}\n`);
  assert.deepEqual(await readDotenvKey(ctx), { key: KEY, path: DOTENV });
  assert.equal(await parseDotenvKey(`\uFEFFLUA_API_KEY=${KEY}`), KEY);
});

Deno.test("readDotenvKey(): a special file Deno reads only with --allow-all is a warning, not a demand", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putFile(DOTENV, "");
  ctx.fs.failNext(
    "readTextFile",
    new Deno.errors.NotCapable(
      'Requires all access to "/proc/4242/environ", run again with the --allow-all flag',
    ),
  );
  const warnings: string[] = [];
  assert.equal(await readDotenvKey(ctx, { onWarning: (m) => warnings.push(m) }), undefined);
  assert.deepEqual(warnings, [
    `Ignoring "${DOTENV}": it is a special file (such as a link into /proc), not a .env file`,
  ]);
});
