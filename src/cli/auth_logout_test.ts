import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { createMemoryCli } from "../../testing/memory_io.ts";
import { runLogout } from "./auth_logout.ts";
import { LOGOUT_PROMPT } from "../seed_text.ts";

const PATH = "/home/user/.lua-cli/credentials";

function withStoredKey(options: Parameters<typeof createMemoryCli>[0] = {}) {
  const cli = createMemoryCli(options);
  cli.fs.putDir("/home/user/.lua-cli", 0o700);
  cli.fs.putFile(PATH, "api_stored_1234", 0o600);
  return cli;
}

Deno.test("logout --force deletes the file and reminds that the key stays valid", async () => {
  const cli = withStoredKey();
  await runLogout({ force: true }, cli);
  assert.equal(cli.fs.peek(PATH), undefined);
  assert.match(cli.io.stderr, /API key deleted successfully\./);
  assert.match(cli.io.stderr, /still works wherever else it is used: to revoke it, regenerate it/);
  assert.match(cli.io.stderr, /https:\/\/admin\.heylua\.ai/);
  assert.equal(cli.io.stdout, "");
});

Deno.test("logout asks first; yes deletes, no keeps", async () => {
  const yes = withStoredKey({ terminal: true, answers: [true] });
  await runLogout({ force: false }, yes);
  assert.deepEqual(yes.io.asked, [LOGOUT_PROMPT]);
  assert.equal(yes.fs.peek(PATH), undefined);

  const no = withStoredKey({ terminal: true, answers: [false] });
  await runLogout({ force: false }, no);
  assert.equal(no.fs.peek(PATH), "api_stored_1234");
  assert.match(no.io.stderr, /Cancelled: nothing was deleted/);
});

Deno.test("logout without a terminal and without --force keeps the file (exit 2)", async () => {
  const cli = withStoredKey();
  await assert.rejects(runLogout({ force: false }, cli), UsageError);
  assert.equal(cli.fs.peek(PATH), "api_stored_1234");
});

Deno.test("logout with nothing stored says so and exits 0", async () => {
  const cli = createMemoryCli();
  await runLogout({ force: true }, cli);
  assert.match(cli.io.stderr, /nothing to delete/);
});

Deno.test("logout warns when LUA_API_KEY or .env still supply a key", async () => {
  const cli = withStoredKey({ env: { LUA_API_KEY: "api_env_key_9999" } });
  cli.fs.putFile("/work/.env", "LUA_API_KEY=api_dotenv_5678\n");
  await runLogout({ force: true }, cli);
  assert.match(
    cli.io.stderr,
    /LUA_API_KEY environment variable; commands will keep authenticating/,
  );
  assert.match(cli.io.stderr, /\.env file \/work\/\.env; commands will keep authenticating/);
  assert.ok(!cli.io.stderr.includes("api_env_key_9999"));
});

Deno.test("logout removes a symlink, not its target", async () => {
  const cli = createMemoryCli();
  cli.fs.putDir("/home/user/.lua-cli", 0o700);
  cli.fs.putFile("/home/user/dotfiles/key", "api_linked_1234");
  cli.fs.putSymlink(PATH, "/home/user/dotfiles/key");
  await runLogout({ force: true }, cli);
  assert.equal(cli.fs.peek("/home/user/dotfiles/key"), "api_linked_1234");
  assert.ok(!cli.fs.paths().includes(PATH));
});

Deno.test("logout deletes the other CLI's session files too, after the same confirmation", async () => {
  const sessions = "/home/user/.lua-cli/sessions";
  const session = JSON.stringify({ version: 1, kind: "firebase-session", refreshToken: "r" });
  const no = createMemoryCli({ terminal: true, answers: [false] });
  no.fs.putDir(sessions, 0o700);
  no.fs.putFile(`${sessions}/a.json`, session);
  await runLogout({ force: false }, no);
  assert.deepEqual(no.io.asked, [LOGOUT_PROMPT]);
  assert.equal(no.fs.peek(`${sessions}/a.json`), session);

  const cli = withStoredKey();
  cli.fs.putDir(sessions, 0o700);
  cli.fs.putFile(`${sessions}/a.json`, session);
  cli.fs.putFile(`${sessions}/notes.json`, JSON.stringify({ kind: "other" }));
  await runLogout({ force: true }, cli);
  assert.equal(cli.fs.peek(PATH), undefined);
  assert.equal(cli.fs.peek(`${sessions}/a.json`), undefined);
  assert.ok(cli.fs.peek(`${sessions}/notes.json`), "not a session: kept");
  assert.match(
    cli.io.stderr,
    /Deleted 1 session file of the other Lua CLI; the session was not ended/,
  );
});
