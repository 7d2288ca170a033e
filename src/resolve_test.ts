import assert from "node:assert/strict";
import { ExitCode, FileError, PermissionError, UsageError } from "./errors.ts";
import type { Context } from "./context.ts";
import {
  API_KEY_VARIABLE,
  describeSource,
  type KeySource,
  listKeySources,
  resolveApiKey,
} from "./resolve.ts";
import { createMemoryContext, type MemoryContext } from "../testing/memory_context.ts";
import { FsError } from "./fs_error.ts";

const CREDENTIALS = "/home/user/.lua-cli/credentials";
const DOTENV = "/work/.env";
const ENV_KEY = "api_env0000000000000000000000000000";
const FILE_KEY = "api_file000000000000000000000000000";
const SECRET = "/run/secrets/lua_api_key";
const SECRET_KEY = "api_secret00000000000000000000000000";
const DOTENV_KEY = "api_dotenv0000000000000000000000000";

const ENV_SOURCE: KeySource = { kind: "env", variable: "LUA_API_KEY" };
const FILE_SOURCE: KeySource = { kind: "credentials", path: CREDENTIALS };
const DOTENV_SOURCE: KeySource = { kind: "dotenv", path: DOTENV };
const SECRET_SOURCE: KeySource = { kind: "env-file", variable: "LUA_API_KEY_FILE", path: SECRET };

interface Sources {
  env?: string;
  /** The content of {@linkcode SECRET}, which `LUA_API_KEY_FILE` then names. */
  secret?: string;
  credentials?: string;
  dotenv?: string;
  home?: string | undefined;
}

function setup(sources: Sources): MemoryContext {
  const env: Record<string, string | undefined> = {};
  if ("home" in sources) env.HOME = sources.home;
  if (sources.env !== undefined) env.LUA_API_KEY = sources.env;
  if (sources.secret !== undefined) env.LUA_API_KEY_FILE = SECRET;
  const ctx = createMemoryContext({ env });
  if (sources.secret !== undefined) {
    ctx.fs.putDir("/run/secrets", 0o755);
    ctx.fs.putFile(SECRET, sources.secret, 0o400);
  }
  if (sources.credentials !== undefined) {
    ctx.fs.putDir("/home/user/.lua-cli", 0o700);
    ctx.fs.putFile(CREDENTIALS, sources.credentials, 0o600);
  }
  if (sources.dotenv !== undefined) ctx.fs.putFile(DOTENV, sources.dotenv, 0o644);
  return ctx;
}

function collect(): { warnings: string[]; onWarning: (message: string) => void } {
  const warnings: string[] = [];
  return { warnings, onWarning: (message: string) => warnings.push(message) };
}

Deno.test("API_KEY_VARIABLE is LUA_API_KEY", () => {
  assert.equal(API_KEY_VARIABLE, "LUA_API_KEY");
});

Deno.test("resolveApiKey(): every combination of sources, highest priority wins", async (t) => {
  for (let mask = 1; mask <= 15; mask++) {
    const hasEnv = (mask & 1) !== 0;
    const hasSecret = (mask & 8) !== 0;
    const hasFile = (mask & 2) !== 0;
    const hasDotenv = (mask & 4) !== 0;
    const name = [
      hasEnv && "env",
      hasSecret && "LUA_API_KEY_FILE",
      hasFile && "credentials",
      hasDotenv && ".env",
    ].filter(Boolean).join(" + ");
    await t.step(name, async () => {
      const sources: Sources = {};
      if (hasEnv) sources.env = ENV_KEY;
      if (hasSecret) sources.secret = `${SECRET_KEY}\n`;
      if (hasFile) sources.credentials = FILE_KEY;
      if (hasDotenv) sources.dotenv = `LUA_API_KEY=${DOTENV_KEY}\n`;
      const ctx = setup(sources);
      const expected = hasEnv
        ? { key: ENV_KEY, source: ENV_SOURCE }
        : hasSecret
        ? { key: SECRET_KEY, source: SECRET_SOURCE }
        : hasFile
        ? { key: FILE_KEY, source: FILE_SOURCE }
        : { key: DOTENV_KEY, source: DOTENV_SOURCE };
      assert.deepEqual(await resolveApiKey(ctx), expected);

      const reports = await listKeySources(ctx);
      // The LUA_API_KEY_FILE report is there only when the variable is set.
      assert.deepEqual(
        reports.map((r) => r.source),
        [ENV_SOURCE, ...(hasSecret ? [SECRET_SOURCE] : []), FILE_SOURCE, DOTENV_SOURCE],
      );
      assert.deepEqual(reports.map((r) => r.key), [
        hasEnv ? ENV_KEY : undefined,
        ...(hasSecret ? [SECRET_KEY] : []),
        hasFile ? FILE_KEY : undefined,
        hasDotenv ? DOTENV_KEY : undefined,
      ]);
      assert.ok(reports.every((r) => r.error === undefined));
      const active = reports.find((r) => r.key !== undefined);
      assert.deepEqual(active?.source, expected.source);
    });
  }
});

Deno.test("resolveApiKey(): no source has a key", async () => {
  const ctx = setup({});
  assert.equal(await resolveApiKey(ctx), undefined);
  const reports = await listKeySources(ctx);
  assert.equal(reports.length, 3);
  assert.ok(reports.every((r) => r.key === undefined && r.error === undefined));
});

Deno.test("resolveApiKey(): LUA_API_KEY", async (t) => {
  await t.step("whitespace-only or empty counts as unset", async () => {
    for (const blank of ["", " ", "  \t\n ", "\r\n"]) {
      const ctx = setup({ env: blank, credentials: FILE_KEY });
      assert.deepEqual(await resolveApiKey(ctx), { key: FILE_KEY, source: FILE_SOURCE });
      const [env] = await listKeySources(ctx);
      assert.equal(env?.key, undefined);
      assert.equal(await resolveApiKey(setup({ env: blank })), undefined);
    }
  });

  await t.step("surrounding whitespace is trimmed", async () => {
    const ctx = setup({ env: `  ${ENV_KEY}\n` });
    assert.deepEqual(await resolveApiKey(ctx), { key: ENV_KEY, source: ENV_SOURCE });
    assert.equal((await listKeySources(ctx))[0]?.key, ENV_KEY);
  });

  await t.step("files are not touched when the variable has a key", async () => {
    const ctx = setup({ env: ENV_KEY, credentials: "garbage\nmore garbage\n" });
    ctx.fs.failNext("stat", new Error("must not be called"));
    const { warnings, onWarning } = collect();
    assert.deepEqual(await resolveApiKey(ctx, { onWarning }), { key: ENV_KEY, source: ENV_SOURCE });
    assert.deepEqual(warnings, []);
  });
});

/** Asserts the error of a `LUA_API_KEY_FILE` file: exit 1, naming the variable and the path. */
function isKeyFileError(path: string, message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof FileError, `expected FileError, got ${error}`);
    assert.equal(error.exitCode, ExitCode.Error);
    assert.equal(error.path, path);
    assert.ok(error.message.includes(`LUA_API_KEY_FILE file "${path}"`), error.message);
    assert.match(error.message, message);
    return true;
  };
}

Deno.test("resolveApiKey(): LUA_API_KEY_FILE", async (t) => {
  await t.step(
    "an empty or blank LUA_API_KEY lets the file's trimmed content be the key",
    async () => {
      for (const blank of [undefined, "", "  \n"]) {
        const ctx = setup({ secret: `  ${SECRET_KEY}\r\n\n`, credentials: FILE_KEY });
        if (blank !== undefined) ctx.vars.LUA_API_KEY = blank;
        assert.deepEqual(await resolveApiKey(ctx), { key: SECRET_KEY, source: SECRET_SOURCE });
      }
    },
  );

  await t.step("an empty or blank LUA_API_KEY_FILE counts as unset", async () => {
    for (const blank of ["", " ", "\t\n"]) {
      const ctx = setup({ credentials: FILE_KEY });
      ctx.vars.LUA_API_KEY_FILE = blank;
      assert.deepEqual(await resolveApiKey(ctx), { key: FILE_KEY, source: FILE_SOURCE });
      assert.deepEqual((await listKeySources(ctx)).map((r) => r.source.kind), [
        "env",
        "credentials",
        "dotenv",
      ]);
    }
  });

  await t.step(
    "a missing file is an error naming the variable and the path, never skipped",
    async () => {
      const ctx = setup({ credentials: FILE_KEY, dotenv: `LUA_API_KEY=${DOTENV_KEY}` });
      ctx.vars.LUA_API_KEY_FILE = "/run/secrets/missing";
      await assert.rejects(resolveApiKey(ctx), (error: unknown) => {
        assert.ok(
          isKeyFileError(
            "/run/secrets/missing",
            /^Cannot read LUA_API_KEY_FILE file "\/run\/secrets\/missing": no such file or directory$/,
          )(error),
        );
        assert.match((error as FileError).hints.join("\n"), /unset LUA_API_KEY_FILE/);
        return true;
      });
      // listKeySources records it as the first, deciding source: lower sources do not win.
      const reports = await listKeySources(ctx);
      const decisive = reports.find((r) => r.key !== undefined || r.error !== undefined);
      assert.equal(decisive?.source.kind, "env-file");
      assert.ok(decisive?.error instanceof FileError);
      assert.equal(reports.at(-2)?.key, FILE_KEY, "the credentials file is still reported");
    },
  );

  await t.step("an unreadable file is an error, never skipped", async () => {
    const ctx = setup({ secret: SECRET_KEY, credentials: FILE_KEY });
    ctx.fs.failNext("readTextFile", new FsError("PermissionDenied", "os error 13"));
    await assert.rejects(resolveApiKey(ctx), isKeyFileError(SECRET, /: permission denied$/));
  });

  await t.step("a blank file is an error: the variable asked for a key", async () => {
    const ctx = setup({ secret: " \n\n", credentials: FILE_KEY });
    await assert.rejects(resolveApiKey(ctx), isKeyFileError(SECRET, /: it is empty$/));
  });

  await t.step("a relative path is relative to the current directory", async () => {
    for (const relative of ["secrets/key", "./secrets/key"]) {
      const ctx = setup({ credentials: FILE_KEY });
      ctx.fs.putFile("/work/secrets/key", SECRET_KEY, 0o600);
      ctx.vars.LUA_API_KEY_FILE = relative;
      const resolved = await resolveApiKey(ctx);
      assert.equal(resolved?.key, SECRET_KEY);
      assert.deepEqual(resolved?.source, {
        kind: "env-file",
        variable: "LUA_API_KEY_FILE",
        path: `/work/${relative}`,
      });
    }
  });

  await t.step("a Kubernetes secret mount (links to a hidden directory) is followed", async () => {
    const ctx = setup({ credentials: FILE_KEY });
    ctx.fs.putDir("/var/run/secrets/lua/..2026_01_01_00_00_00.1", 0o755);
    ctx.fs.putFile("/var/run/secrets/lua/..2026_01_01_00_00_00.1/api-key", SECRET_KEY, 0o400);
    ctx.fs.putSymlink("/var/run/secrets/lua/..data", "..2026_01_01_00_00_00.1");
    ctx.fs.putSymlink("/var/run/secrets/lua/api-key", "..data/api-key");
    ctx.vars.LUA_API_KEY_FILE = "/var/run/secrets/lua/api-key";
    const { warnings, onWarning } = collect();
    assert.deepEqual(await resolveApiKey(ctx, { onWarning }), {
      key: SECRET_KEY,
      source: {
        kind: "env-file",
        variable: "LUA_API_KEY_FILE",
        path: "/var/run/secrets/lua/api-key",
      },
    });
    assert.deepEqual(warnings, []);
  });

  await t.step("a file other users can read warns with the chmod, and is still used", async () => {
    const ctx = setup({ secret: SECRET_KEY });
    await ctx.fs.chmod(SECRET, 0o644);
    const { warnings, onWarning } = collect();
    assert.equal((await resolveApiKey(ctx, { onWarning }))?.key, SECRET_KEY);
    assert.deepEqual(warnings, [
      `LUA_API_KEY_FILE file "${SECRET}" is accessible by other users (mode 0644); fix it: chmod 600 ${SECRET}`,
    ]);
  });

  await t.step(
    "shadowed by LUA_API_KEY: not read to resolve, reported (read) by listKeySources",
    async () => {
      const ctx = setup({ env: ENV_KEY, secret: SECRET_KEY });
      ctx.fs.failNext("stat", new Error("must not be called"));
      assert.deepEqual(await resolveApiKey(ctx), { key: ENV_KEY, source: ENV_SOURCE });
      await ctx.fs.stat("/").catch(() => {}); // spends the fault: resolveApiKey did not
      const [env, secret] = await listKeySources(ctx);
      assert.equal(env?.key, ENV_KEY);
      assert.deepEqual(secret, { source: SECRET_SOURCE, key: SECRET_KEY });
    },
  );

  await t.step("shadowed and broken: recorded, LUA_API_KEY still decides", async () => {
    const ctx = setup({ env: ENV_KEY });
    ctx.vars.LUA_API_KEY_FILE = "/run/secrets/missing";
    assert.deepEqual(await resolveApiKey(ctx), { key: ENV_KEY, source: ENV_SOURCE });
    const reports = await listKeySources(ctx);
    assert.equal(reports.find((r) => r.key !== undefined || r.error)?.source.kind, "env");
    assert.ok(reports[1]?.error instanceof FileError);
  });

  await t.step("a variable Deno does not let us read counts as unset", async () => {
    const denied: Array<(name: string) => Error> = [
      (name) => new PermissionError("--allow-env", { subject: name }),
      (name) =>
        new Deno.errors.NotCapable(
          `Requires env access to "${name}", run again with the --allow-env flag`,
        ),
    ];
    for (const refusal of denied) {
      const memory = setup({ secret: SECRET_KEY, credentials: FILE_KEY });
      const ctx: Context = {
        ...memory,
        env: (name) => {
          if (name === "LUA_API_KEY_FILE") throw refusal(name);
          return memory.env(name);
        },
      };
      assert.deepEqual(await resolveApiKey(ctx), { key: FILE_KEY, source: FILE_SOURCE });
      assert.equal((await listKeySources(ctx)).length, 3);
    }
  });

  await t.step("any other failure to read the variable is not swallowed", async () => {
    const memory = setup({ credentials: FILE_KEY });
    const ctx: Context = {
      ...memory,
      env: (name) => {
        if (name === "LUA_API_KEY_FILE") throw new TypeError("boom");
        return memory.env(name);
      },
    };
    await assert.rejects(resolveApiKey(ctx), TypeError);
  });
});

Deno.test("resolveApiKey(): .env never beats the credentials file (old CLI defect)", async () => {
  const ctx = setup({
    credentials: `${FILE_KEY}\n`,
    dotenv: `LUA_API_KEY="${DOTENV_KEY}"\nHOME=/evil\n`,
  });
  assert.deepEqual(await resolveApiKey(ctx), { key: FILE_KEY, source: FILE_SOURCE });
  assert.equal(ctx.env("LUA_API_KEY"), undefined, ".env is not loaded into the environment");
  assert.equal(ctx.env("HOME"), "/home/user");
});

Deno.test("resolveApiKey(): a blank credentials file falls through to .env", async () => {
  const ctx = setup({ credentials: " \n\n", dotenv: `LUA_API_KEY=${DOTENV_KEY}` });
  assert.deepEqual(await resolveApiKey(ctx), { key: DOTENV_KEY, source: DOTENV_SOURCE });
});

Deno.test("resolveApiKey(): home directory", async (t) => {
  await t.step("LUA_API_KEY alone resolves without HOME", async () => {
    const ctx = setup({ home: undefined, env: ENV_KEY });
    assert.deepEqual(await resolveApiKey(ctx), { key: ENV_KEY, source: ENV_SOURCE });
  });

  await t.step("no HOME: FileError once the credentials file is needed", async () => {
    const ctx = setup({ home: undefined, dotenv: `LUA_API_KEY=${DOTENV_KEY}` });
    await assert.rejects(resolveApiKey(ctx), (error: unknown) => {
      assert.ok(error instanceof FileError);
      assert.match(error.message, /HOME is not set/);
      return true;
    });
  });

  await t.step("USERPROFILE on windows", async () => {
    const ctx = createMemoryContext({
      os: "windows",
      env: { HOME: undefined, USERPROFILE: "/users/ada" },
    });
    ctx.fs.putDir("/users/ada/.lua-cli");
    ctx.fs.putFile("/users/ada/.lua-cli/credentials", FILE_KEY, 0o644);
    const { warnings, onWarning } = collect();
    assert.deepEqual(await resolveApiKey(ctx, { onWarning }), {
      key: FILE_KEY,
      // the separator is the context's: Windows joins with a backslash
      source: { kind: "credentials", path: "/users/ada\\.lua-cli\\credentials" },
    });
    assert.deepEqual(warnings, [], "no mode warnings on windows");
  });

  await t.step("no USERPROFILE on windows: FileError naming it", async () => {
    const ctx = createMemoryContext({ os: "windows", env: { HOME: undefined } });
    await assert.rejects(resolveApiKey(ctx), /USERPROFILE is not set/);
  });
});

Deno.test("resolveApiKey(): a malformed credentials file", async (t) => {
  await t.step("is an error when it is needed, even if .env has a key", async () => {
    const ctx = setup({
      credentials: `LUA_API_KEY=${FILE_KEY}\n`,
      dotenv: `LUA_API_KEY=${DOTENV_KEY}`,
    });
    await assert.rejects(resolveApiKey(ctx), (error: unknown) => {
      assert.ok(error instanceof FileError);
      assert.equal(error.path, CREDENTIALS);
      assert.match(error.message, /malformed/);
      return true;
    });
  });

  await t.step("is not read when LUA_API_KEY is set", async () => {
    const ctx = setup({ env: ENV_KEY, credentials: "a\nb\n" });
    assert.deepEqual(await resolveApiKey(ctx), { key: ENV_KEY, source: ENV_SOURCE });
  });
});

Deno.test("resolveApiKey(): warnings go to onWarning, the key is still used", async () => {
  const ctx = setup({ credentials: FILE_KEY });
  await ctx.fs.chmod(CREDENTIALS, 0o644);
  const { warnings, onWarning } = collect();
  assert.deepEqual(await resolveApiKey(ctx, { onWarning }), { key: FILE_KEY, source: FILE_SOURCE });
  assert.equal(warnings.length, 1);
  assert.ok(warnings[0]?.includes(`chmod 600 ${CREDENTIALS}`));
});

Deno.test("resolveApiKey(): a missing read permission is a PermissionError", async () => {
  const ctx = setup({ credentials: FILE_KEY });
  ctx.fs.failNext(
    "stat",
    new Deno.errors.NotCapable(
      `Requires read access to "${CREDENTIALS}", run again with the --allow-read flag`,
    ),
  );
  await assert.rejects(resolveApiKey(ctx), (error: unknown) => {
    assert.ok(error instanceof PermissionError);
    assert.match(error.message, /--allow-read/);
    return true;
  });
});

Deno.test("listKeySources()", async (t) => {
  await t.step("records a malformed credentials file instead of throwing", async () => {
    const ctx = setup({
      env: ENV_KEY,
      credentials: "api_one\napi_two\n",
      dotenv: `LUA_API_KEY=${DOTENV_KEY}`,
    });
    const reports = await listKeySources(ctx);
    assert.deepEqual(reports.map((r) => r.source), [ENV_SOURCE, FILE_SOURCE, DOTENV_SOURCE]);
    assert.equal(reports[0]?.key, ENV_KEY);
    const credentials = reports[1]!;
    assert.equal(credentials.key, undefined);
    assert.ok(credentials.error instanceof FileError);
    assert.match(credentials.error.message, /malformed/);
    assert.ok(credentials.error.message.includes(CREDENTIALS));
    assert.equal(reports[2]?.key, DOTENV_KEY);
    assert.equal(reports[2]?.error, undefined);
  });

  await t.step("records a directory at the credentials path", async () => {
    const ctx = setup({});
    ctx.fs.putDir(CREDENTIALS);
    const [, credentials] = await listKeySources(ctx);
    assert.deepEqual(credentials?.source, FILE_SOURCE);
    assert.ok(credentials?.error instanceof FileError);
    assert.match(credentials.error.message, /directory/);
  });

  await t.step("no home directory: the error is recorded and the path is empty", async () => {
    const ctx = setup({ home: undefined, dotenv: `LUA_API_KEY=${DOTENV_KEY}` });
    const reports = await listKeySources(ctx);
    assert.deepEqual(reports[1]?.source, { kind: "credentials", path: "" });
    assert.ok(reports[1]?.error instanceof FileError);
    assert.match(reports[1].error.message, /HOME is not set/);
    assert.equal(reports[2]?.key, DOTENV_KEY);
  });

  await t.step("records a missing permission with the file's path", async () => {
    const ctx = setup({ credentials: FILE_KEY });
    ctx.fs.failNext(
      "stat",
      new Deno.errors.NotCapable("Requires read access, run again with the --allow-read flag"),
    );
    const [, credentials] = await listKeySources(ctx);
    assert.deepEqual(credentials?.source, FILE_SOURCE);
    assert.ok(credentials?.error instanceof PermissionError);
  });

  await t.step("passes warnings on", async () => {
    const ctx = setup({ credentials: FILE_KEY, dotenv: "\u0000\u0001" });
    await ctx.fs.chmod(CREDENTIALS, 0o640);
    const { warnings, onWarning } = collect();
    await listKeySources(ctx, { onWarning });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /chmod 600/);
    assert.match(warnings[1]!, /not a text file/);
  });
});

Deno.test("describeSource()", () => {
  assert.equal(describeSource(ENV_SOURCE), "LUA_API_KEY environment variable");
  assert.equal(describeSource(FILE_SOURCE), `credentials file ${CREDENTIALS}`);
  assert.equal(describeSource(DOTENV_SOURCE), `.env file ${DOTENV}`);
  assert.equal(describeSource(SECRET_SOURCE), `LUA_API_KEY_FILE (${SECRET})`);
});

Deno.test("LUA_API_KEY with a control character or a space: exit 2 naming the variable, not the value", async () => {
  for (const value of [`${ENV_KEY}\x1b[2J`, `api_ab\u0007cd_0123456789`, `${ENV_KEY} ${ENV_KEY}`]) {
    const ctx = createMemoryContext({ env: { LUA_API_KEY: value } });
    ctx.fs.putFile(DOTENV, `LUA_API_KEY=${DOTENV_KEY}`);
    await assert.rejects(resolveApiKey(ctx), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.exitCode, 2);
      assert.match(
        error.message,
        /^Cannot use the LUA_API_KEY environment variable: it [^.]*[^.]$/,
      );
      assert.ok(!error.message.includes("api_"), error.message);
      return true;
    });
    // listKeySources reports it, as the first, deciding source.
    const [env] = await listKeySources(ctx);
    assert.ok(env!.error instanceof UsageError);
    assert.equal(env!.key, undefined);
  }
});

Deno.test("listKeySources({ skipCredentials }): the others, in order, without the credentials file", async () => {
  const ctx = createMemoryContext({ env: { LUA_API_KEY: "api_from_env_1234" } });
  ctx.fs.putDir("/home/user/.lua-cli", 0o700);
  ctx.fs.putFile("/home/user/.lua-cli/credentials", "api_stored_12345678", 0o600);
  ctx.fs.putFile("/work/.env", "LUA_API_KEY=api_from_dotenv_1234\n");
  const all = await listKeySources(ctx);
  assert.deepEqual(all.map((r) => r.source.kind), ["env", "credentials", "dotenv"]);
  const others = await listKeySources(ctx, { skipCredentials: true });
  assert.deepEqual(others.map((r) => [r.source.kind, r.key]), [
    ["env", "api_from_env_1234"],
    ["dotenv", "api_from_dotenv_1234"],
  ]);
});
