import assert from "node:assert/strict";
import { join } from "node:path";
import { denoFileSystem, fromDenoError, isGranted } from "./context.ts";
import { FS_ERROR_CODES, FsError } from "./fs_error.ts";
import { run } from "../testing/process.ts";

Deno.test("fromDenoError: each Deno class of an OS error becomes the FsError of its name", () => {
  for (const code of FS_ERROR_CODES) {
    const cause = new Deno.errors[code]("os error");
    const mapped = fromDenoError(cause);
    assert.ok(mapped instanceof FsError, code);
    assert.equal(mapped.code, code);
    assert.equal(mapped.message, "os error");
    assert.equal(mapped.cause, cause);
  }
  const capable = new Deno.errors.NotCapable("Requires read access");
  assert.equal(fromDenoError(capable), capable, "a permission failure is not an FsError");
  const other = new TypeError("x");
  assert.equal(fromDenoError(other), other);
  assert.equal(fromDenoError("text"), "text");
});

Deno.test("denoFileSystem throws FsError for real OS failures", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "file");
    await denoFileSystem.writeTextFile(file, "x");
    await assert.rejects(denoFileSystem.readTextFile(join(dir, "none")), { code: "NotFound" });
    await assert.rejects(denoFileSystem.readTextFile(join(file, "child")), {
      code: "NotADirectory",
    });
    await assert.rejects(denoFileSystem.readTextFile(dir), { code: "IsADirectory" });
    await assert.rejects(denoFileSystem.writeTextFile(file, "y", { createNew: true }), {
      code: "AlreadyExists",
    });
    await assert.rejects(denoFileSystem.mkdir(dir), { code: "AlreadyExists" });
    await assert.rejects(denoFileSystem.remove(join(dir, "none")), { code: "NotFound" });
    await assert.rejects(denoFileSystem.rename(join(dir, "none"), file), { code: "NotFound" });
    await assert.rejects(denoFileSystem.chmod(join(dir, "none"), 0o600), { code: "NotFound" });
    await assert.rejects(denoFileSystem.lstat(join(dir, "none")), { code: "NotFound" });
    await assert.rejects(denoFileSystem.readDir(file), { code: "NotADirectory" });
    assert.deepEqual(await denoFileSystem.readDir(dir), ["file"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isGranted: Deno's answer for the kind or the one name, never a prompt", async () => {
  // Under the test task's flags every kind is granted whole; a narrowed run answers per name.
  assert.equal(isGranted({ name: "read", path: "/no/such/dir" }), true, "--allow-read: any path");
  const module = new URL("./context.ts", import.meta.url).href;
  const script = `import { isGranted } from ${JSON.stringify(module)};
    console.log(JSON.stringify(["HOME", "USER", "HOME"].map((variable) => isGranted({ name: "env", variable }))
      .concat(isGranted({ name: "read", path: "/" }))));`;
  const dir = await Deno.makeTempDir({ prefix: "lua-granted-" });
  try {
    await Deno.writeTextFile(join(dir, "ask.ts"), script);
    const out = await run(Deno.execPath(), [
      "run",
      "--no-config",
      "--allow-env=HOME",
      join(dir, "ask.ts"),
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), [true, false, true, false]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
