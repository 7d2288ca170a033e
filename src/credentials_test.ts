import assert from "node:assert/strict";
import { join } from "node:path";
import { type Context, denoFileSystem } from "./context.ts";
import {
  API_KEY_FILE_VARIABLE,
  deleteCredentials,
  fileErrorFrom,
  parseCredentials,
  readApiKeyFile,
  readCredentials,
  STALE_TEMP_MS,
  TEMP_PREFIX,
  writeCredentials,
} from "./credentials.ts";
import { ExitCode, FileError, PermissionError, UsageError } from "./errors.ts";
import { FsError } from "./fs_error.ts";
import { createMemoryContext, type MemoryContext } from "../testing/memory_context.ts";
import { hasProgram, run } from "../testing/process.ts";

const HOME = "/home/user";
const DIR = `${HOME}/.lua-cli`;
const CREDENTIALS = `${DIR}/credentials`;
const KEY = "api_0123456789abcdef0123456789abcdef";
const OLD_KEY = "api_ffffffffffffffffffffffffffffffff";

/** A memory context with a credentials file holding `text`. */
function stored(text: string, fileMode = 0o600, dirMode = 0o700, os = "linux"): MemoryContext {
  const ctx = createMemoryContext({ os });
  ctx.fs.putDir(DIR, dirMode);
  ctx.fs.putFile(CREDENTIALS, text, fileMode);
  return ctx;
}

async function readWithWarnings(
  ctx: Context,
): Promise<{ result: Awaited<ReturnType<typeof readCredentials>>; warnings: string[] }> {
  const warnings: string[] = [];
  const result = await readCredentials(ctx, { onWarning: (m) => warnings.push(m) });
  return { result, warnings };
}

function tempsIn(ctx: MemoryContext, dir = DIR): string[] {
  return ctx.fs.paths().filter((p) => p.startsWith(`${dir}/${TEMP_PREFIX}`));
}

function isFileError(path: string, message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof FileError, `expected FileError, got ${error}`);
    assert.equal(error.exitCode, ExitCode.Error);
    assert.equal(error.path, path);
    assert.ok(error.message.includes(`"${path}"`), `message names the file: ${error.message}`);
    assert.match(error.message, message);
    return true;
  };
}

function isNoHome(error: unknown): boolean {
  assert.ok(error instanceof FileError, `expected FileError, got ${error}`);
  assert.equal(error.exitCode, ExitCode.Error);
  assert.equal(error.path, "$HOME");
  assert.equal(error.message, "Cannot find the home directory: HOME is not set");
  return true;
}

function notCapable(flag: string): Error {
  return new Deno.errors.NotCapable(
    `Requires access to "${CREDENTIALS}", run again with the ${flag} flag`,
  );
}

// ---------------------------------------------------------------------------------------------
// parseCredentials

Deno.test("parseCredentials(): table", () => {
  const good: [string, string | undefined][] = [
    [KEY, KEY],
    [`${KEY}\n`, KEY],
    [`  ${KEY}  \r\n`, KEY],
    [`\n\n\t${KEY}\r\n\r\n`, KEY],
    [`${KEY}\r`, KEY],
    ["", undefined],
    ["\n", undefined],
    [" \r\n\t\n  ", undefined],
  ];
  for (const [text, expected] of good) {
    assert.equal(parseCredentials(text, "/c"), expected, JSON.stringify(text));
  }
  const bad: [string, RegExp][] = [
    [`${KEY}\n${OLD_KEY}\n`, /2 non-blank lines/],
    [`${KEY}\r${OLD_KEY}`, /2 non-blank lines/],
    [`a\nb\nc`, /3 non-blank lines/],
    [`LUA_API_KEY=${KEY}`, /LUA_API_KEY=…, the \.env format/],
    [`export LUA_API_KEY=${KEY}\n`, /\.env format/],
    [`LUA_API_KEY = "${KEY}"`, /\.env format/],
    [`OTHER=1\nLUA_API_KEY=${KEY}`, /\.env format/],
    ["api_abc def", /spaces or control characters/],
    [`api_abc\u0000def`, /spaces or control characters/],
    ["k".repeat(4097), /too long/],
  ];
  for (const [text, why] of bad) {
    assert.throws(() => parseCredentials(text, "/c"), (error: unknown) => {
      assert.ok(isFileError("/c", /is malformed/)(error));
      assert.match((error as FileError).message, why);
      assert.ok(!(error as FileError).message.includes(KEY), "never shows the key");
      assert.match((error as FileError).hints.join("\n"), /lua auth configure/);
      return true;
    }, JSON.stringify(text));
  }
});

// ---------------------------------------------------------------------------------------------
// readCredentials, in memory

Deno.test("readCredentials(): the key alone", async (t) => {
  await t.step("returns the key and the file", async () => {
    assert.deepEqual(await readCredentials(stored(KEY)), { key: KEY, path: CREDENTIALS });
  });

  await t.step("trims whitespace and CRLF (old CLI files)", async () => {
    assert.deepEqual(await readCredentials(stored(`  ${KEY}\r\n`)), {
      key: KEY,
      path: CREDENTIALS,
    });
  });

  await t.step("empty or blank: undefined", async () => {
    assert.equal(await readCredentials(stored("")), undefined);
    assert.equal(await readCredentials(stored(" \n\r\n\t")), undefined);
  });

  await t.step("no file, or no directory: undefined", async () => {
    const ctx = createMemoryContext();
    assert.equal(await readCredentials(ctx), undefined);
    ctx.fs.putDir(DIR);
    assert.equal(await readCredentials(ctx), undefined);
  });

  await t.step("follows HOME", async () => {
    const ctx = createMemoryContext({ env: { HOME: "/users/ada" } });
    ctx.fs.putDir("/users/ada/.lua-cli");
    ctx.fs.putFile("/users/ada/.lua-cli/credentials", KEY);
    assert.deepEqual(await readCredentials(ctx), {
      key: KEY,
      path: "/users/ada/.lua-cli/credentials",
    });
  });

  await t.step("no HOME: FileError", async () => {
    const ctx = createMemoryContext({ env: { HOME: undefined } });
    await assert.rejects(readCredentials(ctx), isNoHome);
  });
});

Deno.test("readCredentials(): malformed files are FileErrors naming the file", async (t) => {
  await t.step("more than one non-blank line", async () => {
    await assert.rejects(
      readCredentials(stored(`${KEY}\n${OLD_KEY}\n`)),
      isFileError(CREDENTIALS, /malformed: it has 2 non-blank lines/),
    );
  });

  await t.step("LUA_API_KEY=… inside", async () => {
    await assert.rejects(
      readCredentials(stored(`LUA_API_KEY=${KEY}\n`)),
      isFileError(CREDENTIALS, /malformed: it holds LUA_API_KEY=/),
    );
  });

  await t.step("larger than 64 KiB", async () => {
    await assert.rejects(
      readCredentials(stored("k".repeat(64 * 1024 + 1))),
      isFileError(CREDENTIALS, /malformed: it is 65537 bytes long/),
    );
  });
});

Deno.test("readCredentials(): what is at the path", async (t) => {
  await t.step("a directory: FileError with a hint", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(CREDENTIALS);
    await assert.rejects(readCredentials(ctx), (error: unknown) => {
      assert.ok(isFileError(CREDENTIALS, /it is a directory/)(error));
      assert.match((error as FileError).hints.join("\n"), /mv /);
      return true;
    });
  });

  await t.step("a symlink is followed for reading", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DIR, 0o700);
    ctx.fs.putFile("/secrets/lua-key", `${KEY}\n`, 0o600);
    ctx.fs.putSymlink(CREDENTIALS, "/secrets/lua-key");
    const { result, warnings } = await readWithWarnings(ctx);
    assert.deepEqual(result, { key: KEY, path: CREDENTIALS });
    assert.deepEqual(warnings, []);
  });

  await t.step("a symlink to a directory: FileError", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DIR, 0o700);
    ctx.fs.putDir("/elsewhere");
    ctx.fs.putSymlink(CREDENTIALS, "/elsewhere");
    await assert.rejects(readCredentials(ctx), isFileError(CREDENTIALS, /it is a directory/));
  });

  await t.step("a dangling symlink: undefined", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DIR, 0o700);
    ctx.fs.putSymlink(CREDENTIALS, "/nowhere");
    assert.equal(await readCredentials(ctx), undefined);
  });

  await t.step("HOME is a file: FileError, not 'no key'", async () => {
    const ctx = createMemoryContext({ env: { HOME: "/home/file" } });
    ctx.fs.putFile("/home/file", "");
    await assert.rejects(
      readCredentials(ctx),
      isFileError("/home/file/.lua-cli/credentials", /not a directory/),
    );
  });

  await t.step("unreadable (mode 0): FileError permission denied", async () => {
    await assert.rejects(
      readCredentials(stored(KEY, 0o000)),
      isFileError(CREDENTIALS, /permission denied/),
    );
  });

  await t.step("PermissionDenied from the OS: FileError", async () => {
    const ctx = stored(KEY);
    ctx.fs.failNext("readTextFile", new FsError("PermissionDenied", "os error 13"));
    await assert.rejects(readCredentials(ctx), isFileError(CREDENTIALS, /permission denied/));
  });

  await t.step("a missing Deno permission: PermissionError", async () => {
    for (const operation of ["stat", "readTextFile"] as const) {
      const ctx = stored(KEY);
      ctx.fs.failNext(operation, notCapable("--allow-read"));
      await assert.rejects(readCredentials(ctx), (error: unknown) => {
        assert.ok(error instanceof PermissionError);
        assert.equal(error.exitCode, ExitCode.Usage);
        assert.match(error.message, /--allow-read/);
        return true;
      });
    }
  });
});

Deno.test("readCredentials(): loose permissions warn, and the key is still used", async (t) => {
  const fileWarning =
    `Credentials file "${CREDENTIALS}" is accessible by other users (mode 0644); fix it: chmod 600 ${CREDENTIALS}`;
  const dirWarning =
    `Directory "${DIR}" is writable by other users (mode 0777); fix it: chmod 700 ${DIR}`;

  await t.step("0600 in 0700: no warning", async () => {
    const { result, warnings } = await readWithWarnings(stored(KEY, 0o600, 0o700));
    assert.equal(result?.key, KEY);
    assert.deepEqual(warnings, []);
  });

  await t.step("0600 in 0755 (the old CLI's directory): no warning", async () => {
    const { warnings } = await readWithWarnings(stored(KEY, 0o600, 0o755));
    assert.deepEqual(warnings, []);
  });

  await t.step("a 0644 file", async () => {
    const { result, warnings } = await readWithWarnings(stored(KEY, 0o644, 0o700));
    assert.deepEqual(result, { key: KEY, path: CREDENTIALS });
    assert.deepEqual(warnings, [fileWarning]);
  });

  await t.step("any group or other bit on the file", async () => {
    for (const mode of [0o640, 0o604, 0o601, 0o610]) {
      const { warnings } = await readWithWarnings(stored(KEY, mode, 0o700));
      assert.equal(warnings.length, 1, mode.toString(8));
      assert.ok(warnings[0]!.includes(`chmod 600 ${CREDENTIALS}`));
      assert.ok(warnings[0]!.includes(`(mode 0${mode.toString(8)})`));
    }
  });

  await t.step("a 0777 directory", async () => {
    const { result, warnings } = await readWithWarnings(stored(KEY, 0o600, 0o777));
    assert.equal(result?.key, KEY);
    assert.deepEqual(warnings, [dirWarning]);
  });

  await t.step(
    "a group-writable directory (0770, 0775): the warning and its chmod 700",
    async () => {
      for (const mode of [0o770, 0o775]) {
        const { result, warnings } = await readWithWarnings(stored(KEY, 0o600, mode));
        assert.equal(result?.key, KEY);
        assert.deepEqual(warnings, [
          `Directory "${DIR}" is writable by other users (mode 0${
            mode.toString(8)
          }); fix it: chmod 700 ${DIR}`,
        ]);
      }
    },
  );

  await t.step("both", async () => {
    const { result, warnings } = await readWithWarnings(stored(`${KEY}\n`, 0o644, 0o777));
    assert.equal(result?.key, KEY);
    assert.deepEqual(warnings, [fileWarning, dirWarning]);
    assert.ok(warnings.every((w) => !w.includes(KEY)), "warnings never show the key");
  });

  await t.step("the target's mode counts for a symlink", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DIR, 0o700);
    ctx.fs.putFile("/secrets/lua-key", KEY, 0o644);
    ctx.fs.putSymlink(CREDENTIALS, "/secrets/lua-key");
    const { warnings } = await readWithWarnings(ctx);
    assert.deepEqual(warnings, [fileWarning]);
  });

  await t.step("windows: no mode warnings", async () => {
    const { result, warnings } = await readWithWarnings(stored(KEY, 0o644, 0o777, "windows"));
    assert.equal(result?.key, KEY);
    assert.deepEqual(warnings, []);
  });
});

// ---------------------------------------------------------------------------------------------
// writeCredentials, in memory

Deno.test("writeCredentials(): a fresh home", async (t) => {
  await t.step("creates ~/.lua-cli 0700 and the file 0600 holding exactly the key", async () => {
    const ctx = createMemoryContext();
    assert.equal(await writeCredentials(ctx, KEY), CREDENTIALS);
    assert.equal(ctx.fs.modeOf(DIR), 0o700);
    assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600);
    assert.equal(ctx.fs.peek(CREDENTIALS), KEY, "the key alone, no trailing newline");
    assert.deepEqual(ctx.fs.paths().filter((p) => p.startsWith(DIR)), [DIR, CREDENTIALS]);
    const { result, warnings } = await readWithWarnings(ctx);
    assert.deepEqual(result, { key: KEY, path: CREDENTIALS });
    assert.deepEqual(warnings, []);
  });

  await t.step("stores the key trimmed", async () => {
    const ctx = createMemoryContext();
    await writeCredentials(ctx, `  ${KEY}\r\n`);
    assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
  });

  await t.step("whatever the umask", async () => {
    for (const umask of [0o000, 0o002, 0o022, 0o077]) {
      const ctx = createMemoryContext();
      ctx.fs.umask = umask;
      await writeCredentials(ctx, KEY);
      assert.equal(ctx.fs.modeOf(DIR), 0o700, umask.toString(8));
      assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600, umask.toString(8));
    }
  });

  await t.step("creates a missing home directory too", async () => {
    const ctx = createMemoryContext({ env: { HOME: "/new/home" } });
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.peek("/new/home/.lua-cli/credentials"), KEY);
    assert.equal(ctx.fs.modeOf("/new/home/.lua-cli"), 0o700);
  });

  await t.step("no HOME: FileError, nothing written", async () => {
    const ctx = createMemoryContext({ env: { HOME: undefined } });
    const before = ctx.fs.paths();
    await assert.rejects(writeCredentials(ctx, KEY), isNoHome);
    assert.deepEqual(ctx.fs.paths(), before);
  });
});

Deno.test("writeCredentials(): an existing installation", async (t) => {
  await t.step("a 0644 file ends 0600 with the new key (old CLI defect)", async () => {
    const ctx = stored(OLD_KEY, 0o644, 0o700);
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
    assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600);
  });

  await t.step("a 0755 directory becomes 0700 (old CLI defect)", async () => {
    const ctx = stored(OLD_KEY, 0o600, 0o755);
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.modeOf(DIR), 0o700);
    assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600);
  });

  await t.step("a 0777 directory becomes 0700", async () => {
    const ctx = stored(OLD_KEY, 0o666, 0o777);
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.modeOf(DIR), 0o700);
    assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600);
  });

  await t.step("other files in the directory are left alone", async () => {
    const ctx = stored(OLD_KEY);
    ctx.fs.putFile(`${DIR}/config.json`, "{}", 0o644);
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.peek(`${DIR}/config.json`), "{}");
  });

  await t.step("windows: the key is stored and no chmod is attempted", async () => {
    const ctx = stored(OLD_KEY, 0o644, 0o777, "windows");
    ctx.fs.failNext("chmod", new Error("chmod is not supported"));
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
    assert.equal(tempsIn(ctx).length, 0);
  });
});

Deno.test("writeCredentials(): atomic replacement", async (t) => {
  await t.step("writes a temporary file and renames it over the target", async () => {
    const ctx = stored(OLD_KEY);
    const seen: { path: string; mode?: number; createNew?: boolean }[] = [];
    const renames: [string, string][] = [];
    const write = ctx.fs.writeTextFile.bind(ctx.fs);
    const rename = ctx.fs.rename.bind(ctx.fs);
    ctx.fs.writeTextFile = (path, data, options = {}) => {
      seen.push({ path, ...options });
      assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY, "the target is not written in place");
      return write(path, data, options);
    };
    ctx.fs.rename = (from, to) => {
      renames.push([from, to]);
      return rename(from, to);
    };
    await writeCredentials(ctx, KEY);
    assert.equal(seen.length, 1);
    const temp = seen[0]!.path;
    assert.ok(temp.startsWith(`${DIR}/${TEMP_PREFIX}`), temp);
    assert.match(temp.slice(`${DIR}/${TEMP_PREFIX}`.length), /^[0-9a-f]{16}$/);
    assert.equal(seen[0]!.mode, 0o600);
    assert.equal(seen[0]!.createNew, true);
    assert.deepEqual(renames, [[temp, CREDENTIALS]]);
    assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
  });

  await t.step("a failed rename leaves the old file untouched and no temporary file", async () => {
    const ctx = stored(OLD_KEY, 0o644);
    ctx.fs.failNext("rename", new Error("Input/output error (os error 5)"));
    await assert.rejects(
      writeCredentials(ctx, KEY),
      isFileError(CREDENTIALS, /^Cannot write credentials file ".*": Input\/output error/),
    );
    assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY);
    assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o644);
    assert.deepEqual(tempsIn(ctx), []);
  });

  await t.step("a full disk: FileError naming the file, old file kept, no temp", async () => {
    const ctx = stored(OLD_KEY);
    const cause = new Error("No space left on device (os error 28)");
    ctx.fs.failNext("writeTextFile", cause);
    await assert.rejects(writeCredentials(ctx, KEY), (error: unknown) => {
      assert.ok(isFileError(CREDENTIALS, /No space left on device \(os error 28\)/)(error));
      assert.equal((error as FileError).cause, cause);
      return true;
    });
    assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY);
    assert.deepEqual(tempsIn(ctx), []);
  });

  await t.step("a partial temporary file is removed when the write fails", async () => {
    const ctx = stored(OLD_KEY);
    const write = ctx.fs.writeTextFile.bind(ctx.fs);
    ctx.fs.writeTextFile = async (path, data, options) => {
      await write(path, data.slice(0, 3), options);
      throw new Error("No space left on device (os error 28)");
    };
    await assert.rejects(writeCredentials(ctx, KEY), FileError);
    assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY);
    assert.deepEqual(tempsIn(ctx), []);
  });

  await t.step("a failed chmod of the temporary file: FileError, no temp", async () => {
    const ctx = stored(OLD_KEY, 0o600, 0o700);
    ctx.fs.failNext("chmod", new FsError("PermissionDenied", "Operation not permitted"));
    await assert.rejects(writeCredentials(ctx, KEY), isFileError(CREDENTIALS, /permission denied/));
    assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY);
    assert.deepEqual(tempsIn(ctx), []);
  });

  await t.step("a directory at the credentials path: FileError, no temp", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(CREDENTIALS);
    await assert.rejects(writeCredentials(ctx, KEY), isFileError(CREDENTIALS, /directory/));
    assert.equal((await ctx.fs.stat(CREDENTIALS)).isDirectory, true);
    assert.deepEqual(tempsIn(ctx), []);
  });

  await t.step("a file where ~/.lua-cli should be: FileError naming it", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putFile(DIR, "not a directory");
    await assert.rejects(writeCredentials(ctx, KEY), isFileError(DIR, /a file is in the way/));
    assert.equal(ctx.fs.peek(DIR), "not a directory");
  });

  await t.step("a missing Deno write permission: PermissionError", async () => {
    const ctx = createMemoryContext();
    ctx.fs.failNext("mkdir", notCapable("--allow-write"));
    await assert.rejects(writeCredentials(ctx, KEY), (error: unknown) => {
      assert.ok(error instanceof PermissionError);
      assert.match(error.message, /--allow-write/);
      return true;
    });
    const other = stored(OLD_KEY);
    other.fs.failNext("writeTextFile", notCapable("--allow-write"));
    await assert.rejects(writeCredentials(other, KEY), PermissionError);
    assert.equal(other.fs.peek(CREDENTIALS), OLD_KEY);
  });
});

Deno.test("writeCredentials(): a symlink at the path is replaced, its target untouched", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putDir(DIR, 0o700);
  ctx.fs.putFile("/etc/important", "do not overwrite", 0o644);
  ctx.fs.putSymlink(CREDENTIALS, "/etc/important");
  await writeCredentials(ctx, KEY);
  assert.equal(ctx.fs.peek("/etc/important"), "do not overwrite");
  assert.equal(ctx.fs.modeOf("/etc/important"), 0o644);
  const info = await ctx.fs.lstat(CREDENTIALS);
  assert.equal(info.isSymlink, false);
  assert.equal(info.isFile, true);
  assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
  assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600);
});

Deno.test("writeCredentials(): a dangling symlink at the path is replaced", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putDir(DIR, 0o700);
  ctx.fs.putSymlink(CREDENTIALS, "/tmp/attacker-chosen");
  await writeCredentials(ctx, KEY);
  assert.equal(ctx.fs.peek("/tmp/attacker-chosen"), undefined);
  assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
});

Deno.test("writeCredentials(): stale temporary files", async (t) => {
  await t.step(
    "older than STALE_TEMP_MS are removed, fresh ones (another process's) kept",
    async () => {
      const ctx = stored(OLD_KEY);
      ctx.fs.putFile(`${DIR}/${TEMP_PREFIX}old`, "crashed");
      ctx.advance(STALE_TEMP_MS / 2);
      ctx.fs.putFile(`${DIR}/${TEMP_PREFIX}exactly`, "borderline");
      ctx.advance(STALE_TEMP_MS / 2);
      ctx.fs.putFile(`${DIR}/${TEMP_PREFIX}fresh`, "in progress");
      ctx.advance(STALE_TEMP_MS / 2);
      // Ages now: old 1.5, exactly 1, fresh 0.5 times STALE_TEMP_MS.
      await writeCredentials(ctx, KEY);
      assert.equal(ctx.fs.peek(`${DIR}/${TEMP_PREFIX}old`), undefined);
      assert.equal(ctx.fs.peek(`${DIR}/${TEMP_PREFIX}exactly`), "borderline");
      assert.equal(ctx.fs.peek(`${DIR}/${TEMP_PREFIX}fresh`), "in progress");
      assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
      assert.deepEqual(tempsIn(ctx).sort(), [
        `${DIR}/${TEMP_PREFIX}exactly`,
        `${DIR}/${TEMP_PREFIX}fresh`,
      ]);
    },
  );

  await t.step("one just over STALE_TEMP_MS is removed", async () => {
    const ctx = stored(OLD_KEY);
    ctx.fs.putFile(`${DIR}/${TEMP_PREFIX}a`, "x");
    ctx.advance(STALE_TEMP_MS + 1);
    await writeCredentials(ctx, KEY);
    assert.deepEqual(tempsIn(ctx), []);
  });

  await t.step("only files with the temporary prefix", async () => {
    const ctx = stored(OLD_KEY);
    ctx.fs.putFile(`${DIR}/credentials.bak`, "keep");
    ctx.fs.putFile(`${DIR}/.credentials.tmp`, "keep too");
    ctx.advance(3_600_000);
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.peek(`${DIR}/credentials.bak`), "keep");
    assert.equal(ctx.fs.peek(`${DIR}/.credentials.tmp`), "keep too");
  });

  await t.step("a stale temporary symlink is removed, not its target", async () => {
    const ctx = stored(OLD_KEY);
    ctx.fs.putFile("/etc/target", "keep");
    ctx.fs.putSymlink(`${DIR}/${TEMP_PREFIX}link`, "/etc/target");
    ctx.advance(120_000);
    await writeCredentials(ctx, KEY);
    assert.deepEqual(tempsIn(ctx), []);
    assert.equal(ctx.fs.peek("/etc/target"), "keep");
  });

  await t.step("failing to clean up does not fail the write", async () => {
    const ctx = stored(OLD_KEY);
    ctx.fs.putFile(`${DIR}/${TEMP_PREFIX}old`, "x");
    ctx.advance(120_000);
    ctx.fs.failNext("remove", new FsError("PermissionDenied", "denied"));
    await writeCredentials(ctx, KEY);
    assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
    ctx.fs.failNext("readDir", new Error("Input/output error"));
    await writeCredentials(ctx, OLD_KEY);
    assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY);
  });
});

Deno.test("writeCredentials(): durable: the temp file is flushed before the rename, the directory after", async () => {
  const ctx = stored(OLD_KEY);
  await writeCredentials(ctx, KEY);
  const journal = ctx.fs.journal;
  const write = journal.findIndex((e) => e.startsWith(`write ${DIR}/${TEMP_PREFIX}`));
  const rename = journal.findIndex((e) => e.startsWith(`rename ${DIR}/${TEMP_PREFIX}`));
  assert.ok(write >= 0 && journal[write]!.endsWith(" +sync"), journal.join("\n"));
  assert.ok(rename > write, journal.join("\n"));
  assert.ok(journal[rename]!.endsWith(` ${CREDENTIALS}`));
  assert.deepEqual(journal.slice(rename + 1), [`syncDir ${DIR}`]);
});

Deno.test("writeCredentials(): a folder that cannot be flushed still gets the key", async () => {
  const ctx = stored(OLD_KEY);
  ctx.fs.failNext("syncDir", new Error("Invalid argument (os error 22)"));
  await writeCredentials(ctx, KEY);
  assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
});

Deno.test("writeCredentials(): a symlinked ~/.lua-cli is written inside, its target's mode untouched", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putDir("/shared", 0o1777);
  ctx.fs.putSymlink(DIR, "/shared");
  await writeCredentials(ctx, KEY);
  assert.equal(ctx.fs.modeOf("/shared"), 0o1777, "never chmod through a link");
  assert.equal(ctx.fs.peek("/shared/credentials"), KEY);
  assert.equal(ctx.fs.modeOf("/shared/credentials"), 0o600);
  assert.equal(ctx.fs.modeOf(DIR), 0o777, "the link itself");
  // A link to something that is not a directory is refused, naming the folder.
  const file = createMemoryContext();
  file.fs.putFile("/elsewhere", "x", 0o644);
  file.fs.putSymlink(DIR, "/elsewhere");
  await assert.rejects(writeCredentials(file, KEY), isFileError(DIR, /a file is in the way/));
  assert.equal(file.fs.peek("/elsewhere"), "x");
});

Deno.test("writeCredentials(): under umask 0277 (not root) the folder is 0700 and stays usable", async () => {
  const ctx = createMemoryContext();
  ctx.fs.umask = 0o277;
  ctx.fs.ownerModes = true;
  await writeCredentials(ctx, KEY);
  assert.equal(ctx.fs.modeOf(DIR), 0o700);
  assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600);
  await writeCredentials(ctx, OLD_KEY);
  assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY);
  // A folder an earlier version left at 0500 is repaired.
  const broken = createMemoryContext();
  broken.fs.ownerModes = true;
  broken.fs.putDir(DIR, 0o500);
  await writeCredentials(broken, KEY);
  assert.equal(broken.fs.modeOf(DIR), 0o700);
  assert.equal(broken.fs.peek(CREDENTIALS), KEY);
});

Deno.test("writeCredentials(): a concurrent logout removing the temp file: written again", async () => {
  const ctx = stored(OLD_KEY);
  ctx.fs.failNext("rename", new FsError("NotFound", "No such file or directory (os error 2)"));
  await writeCredentials(ctx, KEY);
  assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
  assert.deepEqual(tempsIn(ctx), []);
});

Deno.test("readCredentials(): deleted between the check and the read is no file, not an error", async () => {
  const ctx = stored(KEY);
  ctx.fs.failNext(
    "readTextFile",
    new FsError("NotFound", "No such file or directory (os error 2)"),
  );
  assert.equal(await readCredentials(ctx), undefined);
});

Deno.test("writeCredentials(): invalid keys are UsageErrors and nothing is written", async () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["   \n", /empty/],
    ["api_abc def", /spaces/],
    ["api_abc\tdef", /spaces/],
    ["api_abc\u0000def", /control characters/],
    ["api_abc\u001bdef", /control characters/],
    ["k".repeat(4097), /longer than 4096 bytes/],
  ];
  for (const [key, message] of cases) {
    const ctx = stored(OLD_KEY, 0o644, 0o755);
    const before = ctx.fs.paths();
    await assert.rejects(writeCredentials(ctx, key), (error: unknown) => {
      assert.ok(error instanceof UsageError, JSON.stringify(key));
      assert.equal(error.exitCode, ExitCode.Usage);
      assert.match(error.message, message);
      return true;
    });
    assert.deepEqual(ctx.fs.paths(), before);
    assert.equal(ctx.fs.peek(CREDENTIALS), OLD_KEY);
    assert.equal(ctx.fs.modeOf(DIR), 0o755, "not even the directory is touched");
  }
  const fresh = createMemoryContext();
  await assert.rejects(writeCredentials(fresh, "bad key"), UsageError);
  assert.equal(fresh.fs.modeOf(DIR), undefined);
});

// ---------------------------------------------------------------------------------------------
// deleteCredentials, in memory

Deno.test("deleteCredentials()", async (t) => {
  await t.step("removes the file and returns its path", async () => {
    const ctx = stored(KEY);
    assert.equal(await deleteCredentials(ctx), CREDENTIALS);
    assert.equal(ctx.fs.modeOf(CREDENTIALS), undefined);
    assert.equal(ctx.fs.modeOf(DIR), 0o700, "the directory stays");
    assert.equal(await readCredentials(ctx), undefined);
  });

  await t.step("nothing there: undefined", async () => {
    const ctx = createMemoryContext();
    assert.equal(await deleteCredentials(ctx), undefined);
    ctx.fs.putDir(DIR);
    assert.equal(await deleteCredentials(ctx), undefined);
  });

  await t.step("removes every temporary file of ours, fresh or stale, file or not", async () => {
    for (const withFile of [true, false]) {
      const ctx = withFile ? stored(KEY) : createMemoryContext();
      ctx.fs.putDir(DIR, 0o700);
      ctx.fs.putFile(`${DIR}/${TEMP_PREFIX}crashed`, KEY);
      ctx.fs.putFile(`${DIR}/notes`, "keep");
      assert.equal(await deleteCredentials(ctx), withFile ? CREDENTIALS : undefined);
      assert.deepEqual(tempsIn(ctx), []);
      assert.equal(ctx.fs.peek(`${DIR}/notes`), "keep");
    }
  });

  await t.step("removes a blank or malformed file too", async () => {
    const ctx = stored("a\nb\n");
    assert.equal(await deleteCredentials(ctx), CREDENTIALS);
    assert.equal(ctx.fs.peek(CREDENTIALS), undefined);
  });

  await t.step("a symlink: the link only", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DIR, 0o700);
    ctx.fs.putFile("/secrets/lua-key", KEY);
    ctx.fs.putSymlink(CREDENTIALS, "/secrets/lua-key");
    assert.equal(await deleteCredentials(ctx), CREDENTIALS);
    await assert.rejects(ctx.fs.lstat(CREDENTIALS), { code: "NotFound" });
    assert.equal(ctx.fs.peek("/secrets/lua-key"), KEY);
  });

  await t.step("a dangling symlink is removed", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(DIR, 0o700);
    ctx.fs.putSymlink(CREDENTIALS, "/nowhere");
    assert.equal(await deleteCredentials(ctx), CREDENTIALS);
    await assert.rejects(ctx.fs.lstat(CREDENTIALS), { code: "NotFound" });
  });

  await t.step("a directory: FileError, left in place", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(CREDENTIALS);
    await assert.rejects(deleteCredentials(ctx), (error: unknown) => {
      assert.ok(isFileError(CREDENTIALS, /it is a directory/)(error));
      assert.match((error as FileError).hints.join("\n"), /rm -r/);
      return true;
    });
    assert.equal((await ctx.fs.stat(CREDENTIALS)).isDirectory, true);
  });

  await t.step("a failed removal: FileError", async () => {
    const ctx = stored(KEY);
    ctx.fs.failNext("remove", new FsError("PermissionDenied", "Permission denied (os error 13)"));
    await assert.rejects(
      deleteCredentials(ctx),
      isFileError(CREDENTIALS, /Cannot delete credentials file .*permission denied/),
    );
    assert.equal(ctx.fs.peek(CREDENTIALS), KEY);
  });

  await t.step("a missing Deno permission: PermissionError", async () => {
    const ctx = stored(KEY);
    ctx.fs.failNext("remove", notCapable("--allow-write"));
    await assert.rejects(deleteCredentials(ctx), PermissionError);
  });

  await t.step("no HOME: FileError", async () => {
    const ctx = createMemoryContext({ env: { HOME: undefined } });
    await assert.rejects(deleteCredentials(ctx), isNoHome);
  });
});

Deno.test("fileErrorFrom(): reasons", () => {
  const cases: [unknown, RegExp][] = [
    [new FsError("PermissionDenied", "os error 13"), /: permission denied$/],
    [new FsError("IsADirectory", "x"), /: it is a directory$/],
    [new FsError("NotADirectory", "x"), /: a parent is not a directory$/],
    [new FsError("NotFound", "x"), /: no such file or directory$/],
    [new Error("Disk quota exceeded (os error 122)"), /: Disk quota exceeded \(os error 122\)$/],
    ["weird", /: weird$/],
  ];
  for (const [cause, reason] of cases) {
    const error = fileErrorFrom(cause, "Cannot read credentials file", "/c");
    assert.ok(error instanceof FileError);
    assert.match(error.message, /^Cannot read credentials file "\/c": /);
    assert.match(error.message, reason);
    assert.equal(error.cause, cause);
  }
  assert.ok(fileErrorFrom(notCapable("--allow-read"), "x", "/c") instanceof PermissionError);
});

// ---------------------------------------------------------------------------------------------
// The real file system, with a temporary HOME

const POSIX = Deno.build.os !== "windows";

interface RealHome {
  ctx: Context;
  root: string;
  home: string;
  dir: string;
  credentials: string;
  [Symbol.asyncDispose](): Promise<void>;
}

async function realHome(): Promise<RealHome> {
  const root = await Deno.makeTempDir({ prefix: "lua-credentials-test-" });
  const home = join(root, "home");
  const cwd = join(root, "project");
  await Deno.mkdir(home);
  await Deno.mkdir(cwd);
  const ctx: Context = {
    env: (name) => (name === "HOME" || name === "USERPROFILE" ? home : undefined),
    os: Deno.build.os,
    arch: Deno.build.arch,
    cwd: () => cwd,
    fs: denoFileSystem,
    fetch: () => Promise.reject(new TypeError("no network in this test")),
    now: () => Date.now(),
  };
  return {
    ctx,
    root,
    home,
    dir: join(home, ".lua-cli"),
    credentials: join(home, ".lua-cli", "credentials"),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

async function modeOf(path: string): Promise<number> {
  return (await Deno.lstat(path)).mode! & 0o777;
}

async function namesIn(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort();
}

Deno.test({
  name: "real fs: writeCredentials() creates 0700/0600 under the process umask, no temp left",
  ignore: !POSIX,
  fn: async () => {
    await using t = await realHome();
    assert.equal(await writeCredentials(t.ctx, `${KEY}\n`), t.credentials);
    assert.equal(await Deno.readTextFile(t.credentials), KEY);
    assert.equal(await modeOf(t.dir), 0o700);
    assert.equal(await modeOf(t.credentials), 0o600);
    assert.deepEqual(await namesIn(t.dir), ["credentials"]);
    const warnings: string[] = [];
    assert.deepEqual(await readCredentials(t.ctx, { onWarning: (m) => warnings.push(m) }), {
      key: KEY,
      path: t.credentials,
    });
    assert.deepEqual(warnings, []);
    await writeCredentials(t.ctx, OLD_KEY);
    assert.equal(await Deno.readTextFile(t.credentials), OLD_KEY);
    assert.deepEqual(await namesIn(t.dir), ["credentials"]);
  },
});

Deno.test({
  name: "real fs: a 0644 file in a 0777 directory warns, then is tightened on write",
  ignore: !POSIX,
  fn: async () => {
    await using t = await realHome();
    await Deno.mkdir(t.dir);
    await Deno.chmod(t.dir, 0o777);
    await Deno.writeTextFile(t.credentials, `${OLD_KEY}\n`);
    await Deno.chmod(t.credentials, 0o644);
    const warnings: string[] = [];
    const found = await readCredentials(t.ctx, { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(found, { key: OLD_KEY, path: t.credentials });
    assert.equal(warnings.length, 2);
    assert.ok(warnings[0]!.includes(`chmod 600 ${t.credentials}`));
    assert.ok(warnings[1]!.includes(`chmod 700 ${t.dir}`));

    await writeCredentials(t.ctx, KEY);
    assert.equal(await Deno.readTextFile(t.credentials), KEY);
    assert.equal(await modeOf(t.credentials), 0o600);
    assert.equal(await modeOf(t.dir), 0o700);
    assert.deepEqual(await namesIn(t.dir), ["credentials"]);
  },
});

Deno.test({
  name: "real fs: the old CLI's 0755 directory and 0644 file end 0700/0600",
  ignore: !POSIX,
  fn: async () => {
    await using t = await realHome();
    await Deno.mkdir(t.dir);
    await Deno.chmod(t.dir, 0o755);
    await Deno.writeTextFile(t.credentials, OLD_KEY);
    await Deno.chmod(t.credentials, 0o644);
    await writeCredentials(t.ctx, KEY);
    assert.equal(await Deno.readTextFile(t.credentials), KEY);
    assert.equal(await modeOf(t.dir), 0o700);
    assert.equal(await modeOf(t.credentials), 0o600);
    assert.deepEqual(await namesIn(t.dir), ["credentials"]);
  },
});

Deno.test({
  name: "real fs: a symlink at the path is replaced and its target left untouched",
  ignore: !POSIX,
  fn: async () => {
    await using t = await realHome();
    const target = join(t.root, "target");
    await Deno.writeTextFile(target, "precious");
    await Deno.chmod(target, 0o644);
    await Deno.mkdir(t.dir, { mode: 0o700 });
    await Deno.symlink(target, t.credentials);
    assert.deepEqual(await readCredentials(t.ctx), { key: "precious", path: t.credentials });

    await writeCredentials(t.ctx, KEY);
    assert.equal(await Deno.readTextFile(target), "precious");
    assert.equal(await modeOf(target), 0o644);
    const info = await Deno.lstat(t.credentials);
    assert.equal(info.isSymlink, false);
    assert.equal(info.isFile, true);
    assert.equal(await Deno.readTextFile(t.credentials), KEY);
    assert.equal(await modeOf(t.credentials), 0o600);
    assert.deepEqual(await namesIn(t.dir), ["credentials"]);
  },
});

Deno.test({
  name: "real fs: stale temporary files are removed, fresh ones kept",
  ignore: !POSIX,
  fn: async () => {
    await using t = await realHome();
    await Deno.mkdir(t.dir, { mode: 0o700 });
    const stale = join(t.dir, `${TEMP_PREFIX}stale`);
    const fresh = join(t.dir, `${TEMP_PREFIX}fresh`);
    await Deno.writeTextFile(stale, "x");
    await Deno.writeTextFile(fresh, "y");
    const old = new Date(Date.now() - 120_000);
    await Deno.utime(stale, old, old);
    await writeCredentials(t.ctx, KEY);
    assert.deepEqual(await namesIn(t.dir), [`${TEMP_PREFIX}fresh`, "credentials"]);
  },
});

Deno.test({
  name: "real fs: deleteCredentials() removes a symlink, not its target; a directory is refused",
  ignore: !POSIX,
  fn: async () => {
    await using t = await realHome();
    const target = join(t.root, "target");
    await Deno.writeTextFile(target, KEY);
    await Deno.mkdir(t.dir, { mode: 0o700 });
    await Deno.symlink(target, t.credentials);
    assert.equal(await deleteCredentials(t.ctx), t.credentials);
    await assert.rejects(Deno.lstat(t.credentials), Deno.errors.NotFound);
    assert.equal(await Deno.readTextFile(target), KEY);
    assert.equal(await deleteCredentials(t.ctx), undefined);

    await Deno.mkdir(t.credentials);
    await assert.rejects(deleteCredentials(t.ctx), FileError);
    await assert.rejects(readCredentials(t.ctx), isFileError(t.credentials, /directory/));
    await assert.rejects(writeCredentials(t.ctx, KEY), FileError);
    assert.deepEqual(await namesIn(t.dir), ["credentials"], "no temporary file left");
  },
});

const canRun = (await Deno.permissions.query({ name: "run" })).state === "granted";

/** Runs writeCredentials in a subprocess under `umask`, optionally under `strace` into `trace`. */
async function writeInSubprocess(
  t: { root: string; home: string },
  umask: string,
  trace?: string,
): Promise<{ code: number; stderr: string }> {
  const module = new URL("./credentials.ts", import.meta.url).href;
  const context = new URL("./context.ts", import.meta.url).href;
  const script = [
    `import { writeCredentials } from ${JSON.stringify(module)};`,
    `import { denoContext } from ${JSON.stringify(context)};`,
    `await writeCredentials(denoContext(), ${JSON.stringify(KEY)});`,
  ].join("\n");
  const deno = trace
    ? `exec strace -f -y -qq -e trace=fsync,fdatasync,rename,renameat,renameat2 -o "${trace}" "$0"`
    : 'exec "$0"';
  const output = await run(
    "sh",
    ["-c", `umask ${umask} && ${deno} eval --no-config "$1"`, Deno.execPath(), script],
    {
      cwd: t.root,
      clearEnv: true,
      env: {
        HOME: t.home,
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        DENO_DIR: join(t.root, "deno-cache"),
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
      },
    },
  );
  return { code: output.code, stderr: output.stderr };
}

Deno.test({
  name:
    "real fs: modes are 0700/0600 under umask 000 and 0277, and a second run works (subprocess)",
  ignore: !POSIX || !canRun,
  fn: async () => {
    for (const umask of ["000", "0277"]) {
      await using t = await realHome();
      for (const run of [1, 2]) {
        const { code, stderr } = await writeInSubprocess(t, umask);
        assert.equal(code, 0, `umask ${umask}, run ${run}: ${stderr}`);
        assert.equal(await Deno.readTextFile(t.credentials), KEY);
        assert.equal(await modeOf(t.dir), 0o700, `umask ${umask}`);
        assert.equal(await modeOf(t.credentials), 0o600, `umask ${umask}`);
        assert.deepEqual(await namesIn(t.dir), ["credentials"]);
      }
    }
  },
});

const hasStrace = canRun && POSIX && await hasProgram("sh", ["-c", "command -v strace"]);

Deno.test({
  name: "real fs: strace shows fsync of the temp file before the rename, of the folder after",
  ignore: !hasStrace,
  fn: async () => {
    await using t = await realHome();
    const trace = join(t.root, "trace.txt");
    const { code, stderr } = await writeInSubprocess(t, "077", trace);
    assert.equal(code, 0, stderr);
    const lines = (await Deno.readTextFile(trace)).split("\n");
    const at = (re: RegExp): number => lines.findIndex((line) => re.test(line));
    const temp = `${t.dir}/${TEMP_PREFIX}`.replaceAll(".", "\\.");
    const syncTemp = at(new RegExp(`f(data)?sync\\(\\d+<${temp}`));
    const rename = at(new RegExp(`rename(at2?)?\\(.*${temp}.*credentials`));
    const syncDir = at(new RegExp(`f(data)?sync\\(\\d+<${t.dir.replaceAll(".", "\\.")}>\\)`));
    assert.ok(syncTemp >= 0, `no fsync of the temp file:\n${lines.join("\n")}`);
    assert.ok(rename > syncTemp, `rename not after the fsync:\n${lines.join("\n")}`);
    assert.ok(syncDir > rename, `no fsync of the folder after the rename:\n${lines.join("\n")}`);
  },
});

Deno.test("readCredentials(): a link to a special file is a FileError, never a demand for --allow-all", async () => {
  const ctx = stored(KEY);
  ctx.fs.failNext(
    "readTextFile",
    new Deno.errors.NotCapable(
      'Requires all access to "/proc/4242/environ", run again with the --allow-all flag',
    ),
  );
  await assert.rejects(readCredentials(ctx), (error: unknown) => {
    assert.ok(error instanceof FileError, String(error));
    assert.ok(!error.message.includes("--allow-all"), error.message);
    assert.match(error.message, /it is a special file, not a regular one$/);
    return true;
  });
});

// ---------------------------------------------------------------------------------------------
// readApiKeyFile: the file LUA_API_KEY_FILE names, with the credentials file's checks

const SECRET_DIR = "/run/secrets";
const SECRET = `${SECRET_DIR}/lua_api_key`;

/** A memory context with a secret file holding `text`. */
function secret(text: string, fileMode = 0o400, dirMode = 0o755): MemoryContext {
  const ctx = createMemoryContext();
  ctx.fs.putDir(SECRET_DIR, dirMode);
  ctx.fs.putFile(SECRET, text, fileMode);
  return ctx;
}

function isKeyFileError(path: string, message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(isFileError(path, message)(error));
    assert.ok((error as FileError).message.includes(`LUA_API_KEY_FILE file "${path}"`));
    assert.ok(!(error as FileError).message.includes("Credentials file"));
    return true;
  };
}

Deno.test("API_KEY_FILE_VARIABLE is LUA_API_KEY_FILE", () => {
  assert.equal(API_KEY_FILE_VARIABLE, "LUA_API_KEY_FILE");
});

Deno.test("readApiKeyFile(): the key alone, trimmed", async () => {
  for (const text of [KEY, `${KEY}\n`, `  ${KEY}\r\n\n`, `\n${KEY}`]) {
    const warnings: string[] = [];
    const read = await readApiKeyFile(secret(text), SECRET, { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(read, { key: KEY, path: SECRET });
    assert.deepEqual(warnings, []);
  }
});

Deno.test("readApiKeyFile(): what the credentials file refuses, it refuses, naming LUA_API_KEY_FILE", async (t) => {
  await t.step("two non-blank lines", async () => {
    await assert.rejects(
      readApiKeyFile(secret(`${KEY}\n${OLD_KEY}\n`), SECRET),
      isKeyFileError(
        SECRET,
        /^LUA_API_KEY_FILE file "[^"]+" is malformed: it has 2 non-blank lines; it must hold the API key alone on one line$/,
      ),
    );
  });

  await t.step("LUA_API_KEY=… inside (a .env file)", async () => {
    await assert.rejects(
      readApiKeyFile(secret(`LUA_API_KEY=${KEY}\n`), SECRET),
      isKeyFileError(SECRET, /malformed: it holds LUA_API_KEY=/),
    );
  });

  await t.step("a key with a space in it", async () => {
    await assert.rejects(
      readApiKeyFile(secret("api_one two"), SECRET),
      isKeyFileError(SECRET, /malformed: the key has spaces/),
    );
  });

  await t.step("larger than 64 KiB, refused before it is read", async () => {
    const ctx = secret("k".repeat(64 * 1024 + 1));
    ctx.fs.failNext("readTextFile", new Error("must not be read"));
    await assert.rejects(
      readApiKeyFile(ctx, SECRET),
      isKeyFileError(SECRET, /malformed: it is 65537 bytes long/),
    );
  });

  await t.step("a directory, with a hint", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(SECRET);
    await assert.rejects(readApiKeyFile(ctx, SECRET), (error: unknown) => {
      assert.ok(
        isKeyFileError(SECRET, /^Cannot read LUA_API_KEY_FILE file "[^"]+": it is a directory$/)(
          error,
        ),
      );
      assert.match((error as FileError).hints.join("\n"), /unset LUA_API_KEY_FILE/);
      return true;
    });
  });

  await t.step("a special file (a FIFO, a device): not a regular file, never opened", async () => {
    const ctx = secret(KEY);
    ctx.fs.failNext("readTextFile", new Error("must not be opened"));
    const stat = ctx.fs.stat.bind(ctx.fs);
    ctx.fs.stat = async (path) => ({ ...(await stat(path)), isFile: false });
    await assert.rejects(
      readApiKeyFile(ctx, SECRET),
      isKeyFileError(SECRET, /: it is not a regular file$/),
    );
  });

  await t.step(
    "a link to /proc/self/environ: a FileError, never a demand for --allow-all",
    async () => {
      const ctx = secret(KEY);
      ctx.fs.failNext(
        "readTextFile",
        new Deno.errors.NotCapable(
          'Requires all access to "/proc/4242/environ", run again with the --allow-all flag',
        ),
      );
      await assert.rejects(
        readApiKeyFile(ctx, SECRET),
        isKeyFileError(SECRET, /: it is a special file, not a regular one$/),
      );
    },
  );

  await t.step("missing: an error, not 'no key'", async () => {
    await assert.rejects(
      readApiKeyFile(createMemoryContext(), SECRET),
      isKeyFileError(
        SECRET,
        /^Cannot read LUA_API_KEY_FILE file "[^"]+": no such file or directory$/,
      ),
    );
  });

  await t.step("a dangling symlink: an error, not 'no key'", async () => {
    const ctx = createMemoryContext();
    ctx.fs.putDir(SECRET_DIR);
    ctx.fs.putSymlink(SECRET, "/nowhere");
    await assert.rejects(readApiKeyFile(ctx, SECRET), isKeyFileError(SECRET, /no such file/));
  });

  await t.step("deleted between the check and the read: an error", async () => {
    const ctx = secret(KEY);
    ctx.fs.failNext("readTextFile", new FsError("NotFound", "gone"));
    await assert.rejects(readApiKeyFile(ctx, SECRET), isKeyFileError(SECRET, /no such file/));
  });

  await t.step("blank: an error, not 'no key'", async () => {
    await assert.rejects(
      readApiKeyFile(secret("\n  \n"), SECRET),
      isKeyFileError(SECRET, /: it is empty$/),
    );
  });

  await t.step("unreadable (mode 0)", async () => {
    await assert.rejects(
      readApiKeyFile(secret(KEY, 0o000), SECRET),
      isKeyFileError(SECRET, /permission denied/),
    );
  });

  await t.step("a missing Deno permission: PermissionError naming --allow-read", async () => {
    const ctx = secret(KEY);
    ctx.fs.failNext("stat", notCapable("--allow-read"));
    await assert.rejects(readApiKeyFile(ctx, SECRET), (error: unknown) => {
      assert.ok(error instanceof PermissionError);
      assert.match(error.message, /--allow-read/);
      return true;
    });
  });
});

Deno.test("readApiKeyFile(): a symlink is followed, and its target's mode counts", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putDir(SECRET_DIR, 0o755);
  ctx.fs.putFile("/data/lua-key", `${KEY}\n`, 0o644);
  ctx.fs.putSymlink(SECRET, "/data/lua-key");
  const warnings: string[] = [];
  const read = await readApiKeyFile(ctx, SECRET, { onWarning: (m) => warnings.push(m) });
  assert.deepEqual(read, { key: KEY, path: SECRET });
  assert.deepEqual(warnings, [
    `LUA_API_KEY_FILE file "${SECRET}" is accessible by other users (mode 0644); fix it: chmod 600 ${SECRET}`,
  ]);
});

Deno.test("readApiKeyFile(): loose modes warn with the chmod that fixes them, the key is still used", async () => {
  const warnings: string[] = [];
  const read = await readApiKeyFile(secret(KEY, 0o604, 0o777), SECRET, {
    onWarning: (m) => warnings.push(m),
  });
  assert.equal(read.key, KEY);
  assert.deepEqual(warnings, [
    `LUA_API_KEY_FILE file "${SECRET}" is accessible by other users (mode 0604); fix it: chmod 600 ${SECRET}`,
    `Directory "${SECRET_DIR}" is writable by other users (mode 0777); fix it: chmod 700 ${SECRET_DIR}`,
  ]);
  const quiet: string[] = [];
  await readApiKeyFile(secret(KEY, 0o400, 0o755), SECRET, { onWarning: (m) => quiet.push(m) });
  assert.deepEqual(quiet, [], "0400 in 0755 (a Docker or Kubernetes secret) gives no warning");
});
