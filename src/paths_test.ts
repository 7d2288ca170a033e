import assert from "node:assert/strict";
import type { Context } from "./context.ts";
import { ExitCode, FileError } from "./errors.ts";
import {
  absolutePath,
  CONFIG_DIR_NAME,
  configDir,
  CREDENTIALS_FILE_NAME,
  credentialsPath,
  homeDir,
  joinPath,
} from "./paths.ts";

function ctxOf(
  os: string,
  vars: Record<string, string | undefined>,
): Pick<Context, "env" | "os"> {
  return { os, env: (name: string): string | undefined => vars[name] };
}

Deno.test("paths: the file names", () => {
  assert.equal(CONFIG_DIR_NAME, ".lua-cli");
  assert.equal(CREDENTIALS_FILE_NAME, "credentials");
});

Deno.test("homeDir()", async (t) => {
  await t.step("HOME on linux and darwin", () => {
    assert.equal(homeDir(ctxOf("linux", { HOME: "/home/ada" })), "/home/ada");
    assert.equal(homeDir(ctxOf("darwin", { HOME: "/Users/ada" })), "/Users/ada");
  });

  await t.step("USERPROFILE is ignored outside windows", () => {
    assert.throws(
      () => homeDir(ctxOf("linux", { USERPROFILE: "/users/ada" })),
      (error: unknown) => error instanceof FileError && /HOME is not set/.test(error.message),
    );
  });

  await t.step("USERPROFILE on windows", () => {
    assert.equal(homeDir(ctxOf("windows", { USERPROFILE: "C:\\Users\\ada" })), "C:\\Users\\ada");
  });

  await t.step("HOME first on windows when both are set", () => {
    assert.equal(
      homeDir(ctxOf("windows", { HOME: "/c/Users/ada", USERPROFILE: "C:\\Users\\ada" })),
      "/c/Users/ada",
    );
  });

  await t.step("an empty HOME counts as unset", () => {
    assert.throws(() => homeDir(ctxOf("linux", { HOME: "" })), FileError);
    assert.equal(
      homeDir(ctxOf("windows", { HOME: "", USERPROFILE: "C:\\Users\\ada" })),
      "C:\\Users\\ada",
    );
  });

  await t.step("neither set: FileError naming the variable, with a hint", () => {
    assert.throws(
      () => homeDir(ctxOf("linux", {})),
      (error: unknown) => {
        assert.ok(error instanceof FileError);
        assert.equal(error.exitCode, ExitCode.Error);
        assert.equal(error.message, "Cannot find the home directory: HOME is not set.");
        assert.equal(error.path, "$HOME");
        assert.match(error.hints.join("\n"), /LUA_API_KEY/);
        return true;
      },
    );
    assert.throws(
      () => homeDir(ctxOf("windows", {})),
      (error: unknown) => {
        assert.ok(error instanceof FileError);
        assert.equal(error.message, "Cannot find the home directory: USERPROFILE is not set.");
        assert.equal(error.path, "$USERPROFILE");
        return true;
      },
    );
  });
});

Deno.test("configDir() and credentialsPath()", () => {
  const ctx = ctxOf("linux", { HOME: "/home/ada" });
  assert.equal(configDir(ctx), "/home/ada/.lua-cli");
  assert.equal(credentialsPath(ctx), "/home/ada/.lua-cli/credentials");
  assert.equal(
    credentialsPath(ctxOf("linux", { HOME: "/home/ada/" })),
    "/home/ada/.lua-cli/credentials",
  );
  assert.throws(() => credentialsPath(ctxOf("linux", {})), FileError);
});

Deno.test("joinPath() takes the separator from the context's platform", () => {
  assert.equal(joinPath({ os: "linux" }, "/home/ada", ".lua-cli"), "/home/ada/.lua-cli");
  assert.equal(joinPath({ os: "darwin" }, "/Users/ada/", "x", "y"), "/Users/ada/x/y");
  assert.equal(
    joinPath({ os: "windows" }, "C:\\Users\\ada", ".lua-cli"),
    "C:\\Users\\ada\\.lua-cli",
  );
  assert.equal(joinPath({ os: "windows" }, "C:\\Users\\ada\\", "x"), "C:\\Users\\ada\\x");
  assert.equal(
    credentialsPath(ctxOf("windows", { USERPROFILE: "C:\\Users\\ada" })),
    "C:\\Users\\ada\\.lua-cli\\credentials",
  );
});

Deno.test("absolutePath(): relative to the current directory, absolute unchanged", () => {
  const linux = { os: "linux", cwd: () => "/work" };
  assert.equal(absolutePath(linux, "/run/secrets/key"), "/run/secrets/key");
  assert.equal(absolutePath(linux, "key"), "/work/key");
  assert.equal(absolutePath(linux, "../key"), "/work/../key");
  const windows = { os: "windows", cwd: () => "C:\\work" };
  for (const absolute of ["C:\\secrets\\key", "d:/key", "\\\\server\\share\\key", "\\key"]) {
    assert.equal(absolutePath(windows, absolute), absolute);
  }
  assert.notEqual(absolutePath(windows, "secrets\\key"), "secrets\\key");
  assert.ok(absolutePath(windows, "secrets\\key").startsWith("C:\\work"));
});
