/**
 * Shell completion in a real terminal: bash sources the script `lua completion bash` prints, and
 * `lua auth c<TAB>` completes to `lua auth configure`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { lua, sandbox } from "./_helpers.ts";
import { startPtyCommand } from "./_pty.ts";
import { hasProgram } from "../testing/process.ts";

const bash = await hasProgram("bash", ["--version"]);

Deno.test({
  name: `pty: bash completes lua auth c<TAB> to lua auth configure${
    bash ? "" : " (ignored: bash is not installed)"
  }`,
  ignore: !bash,
  async fn() {
    const sb = await sandbox();
    const script = join(sb.dir, "lua.bash");
    const generated = await lua(sb, ["completion", "bash"]);
    assert.equal(generated.code, 0, generated.stderr);
    await Deno.writeTextFile(script, generated.stdout);
    const pty = await startPtyCommand(sb, ["bash", "--norc", "--noprofile", "-i"], {
      PS1: "$ ",
    });
    try {
      await pty.waitFor("$ ");
      await pty.type(`source ${script}`);
      await pty.keys("Enter");
      await pty.type("lua auth c");
      await pty.keys("Tab");
      const screen = await pty.waitFor(/\$ lua auth configure $/m);
      assert.match(screen, /\$ lua auth configure $/m);
      // Many candidates: a second Tab lists them, aliases and token included.
      await pty.keys("C-u");
      await pty.type("lua auth ");
      await pty.keys("Tab", "Tab");
      const listed = await pty.waitFor(/whoami/);
      for (const word of ["configure", "login", "key", "logout", "status", "token"]) {
        assert.match(listed, new RegExp(`\\b${word}\\b`), word);
      }
      await pty.keys("C-u");
      await pty.type("exit");
      await pty.keys("Enter");
      assert.equal((await pty.exit()).code, 0);
    } finally {
      await pty.close();
      await sb.cleanup();
    }
  },
});
