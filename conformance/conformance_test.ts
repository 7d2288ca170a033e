import assert from "node:assert/strict";
import { join } from "node:path";
import { run } from "../testing/process.ts";
import { ROOT } from "../tests/_helpers.ts";

Deno.test("conformance: when the real client cannot be installed, every check is ignored, none passes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lua-conformance-skip-" });
  try {
    // A cache directory under a regular file can never be created.
    await Deno.writeTextFile(join(dir, "file"), "");
    const output = await run(Deno.execPath(), [
      "test",
      "--config",
      join(ROOT, "deno.json"),
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-net",
      "--allow-run",
      join(ROOT, "conformance", "conformance.ts"),
    ], { env: { LUA_CONFORMANCE_DIR: join(dir, "file", "lua-cli"), NO_COLOR: "1" } });
    const text = output.stdout + output.stderr;
    assert.equal(output.code, 0, text);
    assert.match(text, /conformance: SKIPPED: lua-cli@[\d.]+ cannot run here: .*Not a directory/);
    const summary = /ok \| 0 passed \| 0 failed \| (\d+) ignored/.exec(text);
    assert.ok(summary, text);
    assert.ok(Number(summary[1]) >= 10, `only ${summary[1]} checks were registered`);
    assert.doesNotMatch(text, /\.\.\. ok/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
