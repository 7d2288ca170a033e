import assert from "node:assert/strict";
import { createMemoryContext, MemoryFileSystem } from "./memory_context.ts";
import { FsError } from "../src/fs_error.ts";

function fresh(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  fs.putDir("/d", 0o755);
  return fs;
}

const GET = {
  method: "GET",
  headers: {},
  signal: new AbortController().signal,
  redirect: "manual",
} as const;

Deno.test("createMemoryContext(): defaults", async () => {
  const ctx = createMemoryContext();
  assert.equal(ctx.env("HOME"), "/home/user");
  assert.equal(ctx.env("LUA_API_KEY"), undefined);
  assert.equal(ctx.os, "linux");
  assert.equal(ctx.cwd(), "/work");
  assert.equal(ctx.now(), Date.UTC(2026, 0, 1));
  assert.ok((await ctx.fs.stat("/work")).isDirectory);
  assert.ok((await ctx.fs.stat("/home/user")).isDirectory);
  await assert.rejects(ctx.fetch("https://api.example.com/", GET), TypeError);
});

Deno.test("createMemoryContext(): options", async () => {
  const calls: string[] = [];
  const ctx = createMemoryContext({
    env: { HOME: undefined, USERPROFILE: "/users/ada", LUA_API_KEY: "k" },
    cwd: "/projects/app",
    os: "windows",
    now: 1_000,
    fetch: (input) => {
      calls.push(String(input));
      return Promise.resolve(new Response("ok"));
    },
  });
  assert.equal(ctx.env("HOME"), undefined);
  assert.equal(ctx.env("USERPROFILE"), "/users/ada");
  assert.equal(ctx.env("LUA_API_KEY"), "k");
  assert.equal(ctx.os, "windows");
  assert.equal(ctx.cwd(), "/projects/app");
  assert.ok((await ctx.fs.stat("/projects/app")).isDirectory);
  await assert.rejects(ctx.fs.stat("/home/user"), { code: "NotFound" });
  assert.equal((await ctx.fetch("https://x.test/", GET)).status, 200);
  assert.deepEqual(calls, ["https://x.test/"]);
  ctx.vars.LUA_API_KEY = "changed";
  assert.equal(ctx.env("LUA_API_KEY"), "changed");
  assert.equal(ctx.now(), 1_000);
  ctx.advance(500);
  assert.equal(ctx.now(), 1_500);
});

Deno.test("MemoryFileSystem: files", async (t) => {
  await t.step("write, read, overwrite", async () => {
    const fs = fresh();
    await fs.writeTextFile("/d/f", "one");
    assert.equal(await fs.readTextFile("/d/f"), "one");
    await fs.writeTextFile("/d/f", "two");
    assert.equal(fs.peek("/d/f"), "two");
  });

  await t.step("new files get mode & ~umask, existing files keep theirs", async () => {
    const fs = fresh();
    await fs.writeTextFile("/d/a", "");
    assert.equal(fs.modeOf("/d/a"), 0o644);
    await fs.writeTextFile("/d/b", "", { mode: 0o600 });
    assert.equal(fs.modeOf("/d/b"), 0o600);
    fs.umask = 0o077;
    await fs.writeTextFile("/d/c", "", { mode: 0o666 });
    assert.equal(fs.modeOf("/d/c"), 0o600);
    fs.putFile("/d/e", "x", 0o644);
    await fs.writeTextFile("/d/e", "y", { mode: 0o600 });
    assert.equal(fs.modeOf("/d/e"), 0o644);
  });

  await t.step("createNew refuses an existing file", async () => {
    const fs = fresh();
    fs.putFile("/d/f", "old");
    await assert.rejects(
      fs.writeTextFile("/d/f", "new", { createNew: true }),
      { code: "AlreadyExists" },
    );
    assert.equal(fs.peek("/d/f"), "old");
  });

  await t.step("createNew refuses a symlink, even a dangling one, and writes nothing", async () => {
    const fs = fresh();
    fs.putSymlink("/d/link", "/d/target");
    await assert.rejects(
      fs.writeTextFile("/d/link", "x", { createNew: true }),
      { code: "AlreadyExists" },
    );
    assert.equal(fs.peek("/d/target"), undefined);
  });

  await t.step("errors: missing parent, parent a file, directory, unreadable", async () => {
    const fs = fresh();
    await assert.rejects(fs.writeTextFile("/nope/f", "x"), { code: "NotFound" });
    fs.putFile("/d/file", "x");
    await assert.rejects(fs.writeTextFile("/d/file/f", "x"), { code: "NotADirectory" });
    await assert.rejects(fs.readTextFile("/d/missing"), { code: "NotFound" });
    await assert.rejects(fs.readTextFile("/d"), { code: "IsADirectory" });
    await assert.rejects(fs.writeTextFile("/d", "x"), { code: "IsADirectory" });
    fs.putFile("/d/secret", "x", 0o000);
    await assert.rejects(fs.readTextFile("/d/secret"), { code: "PermissionDenied" });
  });

  await t.step("a file used as a directory is NotADirectory", async () => {
    const fs = fresh();
    fs.putFile("/d/file", "x");
    await assert.rejects(fs.stat("/d/file/child"), { code: "NotADirectory" });
    await assert.rejects(fs.readTextFile("/d/file/child"), { code: "NotADirectory" });
  });

  await t.step("stat: kind, mode with type bits, size in bytes, mtime from the clock", async () => {
    const fs = fresh();
    fs.now = () => 42_000;
    await fs.writeTextFile("/d/f", "é€", { mode: 0o640 });
    const info = await fs.stat("/d/f");
    assert.deepEqual(info, {
      isFile: true,
      isDirectory: false,
      isSymlink: false,
      mode: 0o100640,
      size: 5,
      mtime: new Date(42_000),
    });
    const dir = await fs.stat("/d");
    assert.equal(dir.isDirectory, true);
    assert.equal(dir.mode, 0o040755);
  });
});

Deno.test("MemoryFileSystem: directories", async (t) => {
  await t.step("mkdir applies mode & ~umask; recursive creates parents", async () => {
    const fs = fresh();
    await fs.mkdir("/d/a", { mode: 0o777 });
    assert.equal(fs.modeOf("/d/a"), 0o755);
    await fs.mkdir("/x/y/z", { recursive: true, mode: 0o700 });
    assert.equal(fs.modeOf("/x/y/z"), 0o700);
    assert.equal(fs.modeOf("/x/y"), 0o700);
    assert.equal(fs.modeOf("/x"), 0o700);
  });

  await t.step(
    "mkdir of an existing directory: fine when recursive, AlreadyExists otherwise",
    async () => {
      const fs = fresh();
      await fs.mkdir("/d", { recursive: true, mode: 0o700 });
      assert.equal(fs.modeOf("/d"), 0o755, "an existing directory keeps its mode");
      await assert.rejects(fs.mkdir("/d"), { code: "AlreadyExists" });
      fs.putFile("/d/f", "");
      await assert.rejects(fs.mkdir("/d/f", { recursive: true }), { code: "AlreadyExists" });
    },
  );

  await t.step("mkdir under a file fails and creates nothing", async () => {
    const fs = fresh();
    fs.putFile("/d/f", "");
    const before = fs.paths();
    await assert.rejects(fs.mkdir("/d/f/a/b", { recursive: true }), { code: "NotADirectory" });
    await assert.rejects(fs.mkdir("/d/f/a"), { code: "NotADirectory" });
    assert.deepEqual(fs.paths(), before);
  });

  await t.step("mkdir without recursive needs the parent", async () => {
    const fs = fresh();
    await assert.rejects(fs.mkdir("/d/a/b"), { code: "NotFound" });
  });

  await t.step("readDir lists names of direct children only", async () => {
    const fs = fresh();
    fs.putFile("/d/a", "");
    fs.putDir("/d/b/c");
    fs.putSymlink("/d/l", "/d/a");
    assert.deepEqual((await fs.readDir("/d")).sort(), ["a", "b", "l"]);
    await assert.rejects(fs.readDir("/d/a"), { code: "NotADirectory" });
    await assert.rejects(fs.readDir("/none"), { code: "NotFound" });
  });

  await t.step("remove: files, empty directories; not a non-empty one", async () => {
    const fs = fresh();
    fs.putFile("/d/a", "");
    fs.putDir("/d/e");
    await fs.remove("/d/a");
    await fs.remove("/d/e");
    assert.deepEqual(fs.paths(), ["/", "/d"]);
    fs.putFile("/d/a", "");
    await assert.rejects(fs.remove("/d"), /not empty/);
    await assert.rejects(fs.remove("/d/none"), { code: "NotFound" });
  });

  await t.step("chmod changes permission bits", async () => {
    const fs = fresh();
    fs.putFile("/d/f", "", 0o644);
    await fs.chmod("/d/f", 0o600);
    assert.equal(fs.modeOf("/d/f"), 0o600);
    await fs.chmod("/d", 0o700);
    assert.equal(fs.modeOf("/d"), 0o700);
    await assert.rejects(fs.chmod("/d/none", 0o600), { code: "NotFound" });
  });
});

Deno.test("MemoryFileSystem: rename", async (t) => {
  await t.step("moves a file and replaces the target", async () => {
    const fs = fresh();
    fs.putFile("/d/new", "new", 0o600);
    fs.putFile("/d/old", "old", 0o644);
    await fs.rename("/d/new", "/d/old");
    assert.equal(fs.peek("/d/old"), "new");
    assert.equal(fs.modeOf("/d/old"), 0o600);
    assert.equal(fs.peek("/d/new"), undefined);
  });

  await t.step("errors: missing source, directory target, missing parent", async () => {
    const fs = fresh();
    fs.putFile("/d/a", "a");
    fs.putDir("/d/dir");
    await assert.rejects(fs.rename("/d/none", "/d/x"), { code: "NotFound" });
    await assert.rejects(fs.rename("/d/a", "/d/dir"), { code: "IsADirectory" });
    await assert.rejects(fs.rename("/d/a", "/none/x"), { code: "NotFound" });
    assert.equal(fs.peek("/d/a"), "a");
  });

  await t.step("moves a directory with its contents", async () => {
    const fs = fresh();
    fs.putFile("/d/src/f", "x");
    fs.putDir("/d/src/sub");
    fs.putFile("/d/src/sub/g", "y");
    await fs.rename("/d/src", "/d/dst");
    assert.equal(fs.peek("/d/dst/f"), "x");
    assert.equal(fs.peek("/d/dst/sub/g"), "y");
    assert.deepEqual(fs.paths().filter((p) => p.startsWith("/d/src")), []);
    await assert.rejects(fs.rename("/d/dst", "/d/dst/sub/inside"), /Invalid argument/);
    assert.equal(fs.peek("/d/dst/sub/g"), "y");
  });
});

Deno.test("MemoryFileSystem: symbolic links", async (t) => {
  await t.step("read and stat follow, lstat does not", async () => {
    const fs = fresh();
    fs.putFile("/d/target", "data", 0o640);
    fs.putSymlink("/d/link", "/d/target");
    assert.equal(await fs.readTextFile("/d/link"), "data");
    assert.equal((await fs.stat("/d/link")).isFile, true);
    const info = await fs.lstat("/d/link");
    assert.equal(info.isSymlink, true);
    assert.equal(info.isFile, false);
    assert.equal(fs.peek("/d/link"), undefined);
  });

  await t.step("relative targets resolve from the link's directory", async () => {
    const fs = fresh();
    fs.putFile("/d/sub/target", "rel");
    fs.putSymlink("/d/link", "sub/target");
    assert.equal(await fs.readTextFile("/d/link"), "rel");
    fs.putSymlink("/d/dirlink", "sub");
    assert.equal(await fs.readTextFile("/d/dirlink/target"), "rel");
  });

  await t.step("writing through a link writes the target", async () => {
    const fs = fresh();
    fs.putFile("/d/target", "old");
    fs.putSymlink("/d/link", "/d/target");
    await fs.writeTextFile("/d/link", "new");
    assert.equal(fs.peek("/d/target"), "new");
  });

  await t.step("rename and remove act on the link, not the target", async () => {
    const fs = fresh();
    fs.putFile("/d/target", "keep");
    fs.putSymlink("/d/link", "/d/target");
    fs.putFile("/d/new", "new");
    await fs.rename("/d/new", "/d/link");
    assert.equal(fs.peek("/d/link"), "new");
    assert.equal(fs.peek("/d/target"), "keep");
    fs.putSymlink("/d/link2", "/d/target");
    await fs.remove("/d/link2");
    assert.equal(fs.peek("/d/target"), "keep");
    await assert.rejects(fs.lstat("/d/link2"), { code: "NotFound" });
  });

  await t.step("dangling links and loops", async () => {
    const fs = fresh();
    fs.putSymlink("/d/dangling", "/d/none");
    await assert.rejects(fs.stat("/d/dangling"), { code: "NotFound" });
    assert.equal((await fs.lstat("/d/dangling")).isSymlink, true);
    fs.putSymlink("/d/a", "/d/b");
    fs.putSymlink("/d/b", "/d/a");
    await assert.rejects(fs.stat("/d/a"), { code: "FilesystemLoop" });
  });
});

Deno.test("MemoryFileSystem.failNext(): one-shot faults, queued in order, per operation", async () => {
  const fs = fresh();
  fs.putFile("/d/f", "x");
  const first = new Error("first");
  const second = new FsError("PermissionDenied", "second");
  fs.failNext("readTextFile", first);
  fs.failNext("readTextFile", second);
  fs.failNext("rename", new Error("rename failed"));
  assert.equal((await fs.stat("/d/f")).isFile, true, "other operations are unaffected");
  await assert.rejects(fs.readTextFile("/d/f"), (e: unknown) => e === first);
  await assert.rejects(fs.readTextFile("/d/f"), (e: unknown) => e === second);
  assert.equal(await fs.readTextFile("/d/f"), "x");
  await assert.rejects(fs.rename("/d/f", "/d/g"), /rename failed/);
  assert.equal(fs.peek("/d/f"), "x", "a failed operation changes nothing");
  await fs.rename("/d/f", "/d/g");
  assert.equal(fs.peek("/d/g"), "x");
});

Deno.test("MemoryFileSystem: every operation can fail", async () => {
  const fs = fresh();
  fs.putFile("/d/f", "x");
  const calls: [Parameters<typeof fs.failNext>[0], () => Promise<unknown>][] = [
    ["readTextFile", () => fs.readTextFile("/d/f")],
    ["writeTextFile", () => fs.writeTextFile("/d/g", "y")],
    ["mkdir", () => fs.mkdir("/d/h")],
    ["chmod", () => fs.chmod("/d/f", 0o600)],
    ["rename", () => fs.rename("/d/f", "/d/i")],
    ["remove", () => fs.remove("/d/f")],
    ["stat", () => fs.stat("/d/f")],
    ["lstat", () => fs.lstat("/d/f")],
    ["readDir", () => fs.readDir("/d")],
  ];
  for (const [operation, call] of calls) {
    fs.failNext(operation, new Error(`injected ${operation}`));
    await assert.rejects(call(), new RegExp(`injected ${operation}`));
  }
  assert.deepEqual(fs.paths(), ["/", "/d", "/d/f"]);
  assert.equal(fs.modeOf("/d/f"), 0o600, "the failed chmod changed nothing");
});

Deno.test("MemoryFileSystem: setup helpers", () => {
  const fs = new MemoryFileSystem();
  fs.now = () => 7;
  fs.putDir("/a/b", 0o700);
  fs.putFile("/a/b/f", "data", 0o644);
  fs.putSymlink("/a/l", "b/f");
  assert.deepEqual(fs.paths(), ["/", "/a", "/a/b", "/a/b/f", "/a/l"]);
  assert.equal(fs.modeOf("/a"), 0o700);
  assert.equal(fs.modeOf("/a/b/f"), 0o644);
  assert.equal(fs.modeOf("/a/l"), 0o777);
  assert.equal(fs.modeOf("/none"), undefined);
  assert.equal(fs.peek("/a/b/f"), "data");
  assert.equal(fs.peek("/a/b"), undefined);
});
