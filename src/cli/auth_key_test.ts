import assert from "node:assert/strict";
import { NoApiKeyError, UsageError } from "../errors.ts";
import { createMemoryCli } from "../../testing/memory_io.ts";
import { runKey } from "./auth_key.ts";
import { KEY_PROMPT } from "../seed_text.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";

Deno.test("auth key --force prints the key alone on stdout and the source on stderr", async () => {
  const cli = createMemoryCli({ env: { LUA_API_KEY: KEY } });
  await runKey({ force: true }, cli);
  assert.equal(cli.io.stdout, `${KEY}\n`);
  assert.match(cli.io.stderr, /Source: LUA_API_KEY environment variable/);
  assert.deepEqual(cli.io.asked, []);
});

Deno.test("auth key shows the credentials key over .env", async () => {
  const cli = createMemoryCli();
  cli.fs.putDir("/home/user/.lua-cli", 0o700);
  cli.fs.putFile("/home/user/.lua-cli/credentials", "api_stored_1234", 0o600);
  cli.fs.putFile("/work/.env", "LUA_API_KEY=api_dotenv_5678\n");
  await runKey({ force: true }, cli);
  assert.equal(cli.io.stdout, "api_stored_1234\n");
  assert.match(cli.io.stderr, /credentials file \/home\/user\/\.lua-cli\/credentials/);
});

Deno.test("auth key asks first and shows the key on yes", async () => {
  const cli = createMemoryCli({ env: { LUA_API_KEY: KEY }, terminal: true, answers: [true] });
  await runKey({ force: false }, cli);
  assert.deepEqual(cli.io.asked, [KEY_PROMPT]);
  assert.match(cli.io.stderr, /🔑 Your API key:/);
  assert.equal(cli.io.stdout, `${KEY}\n`);
});

Deno.test("auth key declined shows nothing and exits 0", async () => {
  const cli = createMemoryCli({ env: { LUA_API_KEY: KEY }, terminal: true, answers: [false] });
  await runKey({ force: false }, cli);
  assert.equal(cli.io.stdout, "");
  assert.ok(!cli.io.stderr.includes(KEY));
  assert.match(cli.io.stderr, /Cancelled/);
});

Deno.test("auth key without a terminal and without --force is a usage error", async () => {
  const cli = createMemoryCli({ env: { LUA_API_KEY: KEY } });
  await assert.rejects(runKey({ force: false }, cli), (e) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /--force/);
    return true;
  });
  assert.equal(cli.io.stdout, "");
});

Deno.test("auth key with no key anywhere throws NoApiKeyError (exit 9)", async () => {
  const cli = createMemoryCli();
  await assert.rejects(runKey({ force: true }, cli), (e) => {
    assert.ok(e instanceof NoApiKeyError);
    assert.equal(e.exitCode, 9);
    return true;
  });
});

Deno.test("key: no key but a session of the other CLI says exactly that, exit 9", async () => {
  const cli = createMemoryCli();
  cli.fs.putDir("/home/user/.lua-cli/sessions", 0o700);
  cli.fs.putFile(
    "/home/user/.lua-cli/sessions/abc.json",
    JSON.stringify({ version: 1, kind: "firebase-session", refreshToken: "r" }),
  );
  await assert.rejects(runKey({ force: true }, cli), (error) => {
    assert.ok(error instanceof NoApiKeyError);
    assert.equal(error.exitCode, 9);
    assert.match(
      error.message,
      /^No API key found\. The other Lua CLI is signed in with a session/,
    );
    assert.match(error.message, /API keys only/);
    assert.ok(error.hints.some((h) => h.includes("lua auth configure --email")));
    return true;
  });
  assert.equal(cli.io.stdout, "");
});
