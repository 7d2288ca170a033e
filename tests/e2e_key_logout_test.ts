/**
 * End-to-end tests of `lua auth key` and `lua auth logout`, and of the session files the
 * platform's own CLI leaves in `~/.lua-cli/sessions`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { exists, lua, modeOf, sandbox, storeKey, storeSession } from "./_helpers.ts";
import { withWorld } from "./_world.ts";

const ENV_KEY = "api_env_aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111";
const FILE_KEY = "api_file_bbbbbbbbbbbbbbbbbbbbbbbbbbb2222";
const DOTENV_KEY = "api_dotenv_cccccccccccccccccccccccc3333";

Deno.test("auth key --force: all seven combinations of the three sources", async (t) => {
  for (let mask = 1; mask < 8; mask++) {
    const useEnv = (mask & 1) !== 0;
    const useFile = (mask & 2) !== 0;
    const useDotenv = (mask & 4) !== 0;
    const name = [useEnv && "env", useFile && "credentials", useDotenv && ".env"]
      .filter(Boolean).join(" + ");
    await t.step(name, async () => {
      const sb = await sandbox();
      try {
        if (useFile) await storeKey(sb, `${FILE_KEY}\n`);
        if (useDotenv) {
          await Deno.writeTextFile(join(sb.cwd, ".env"), `OTHER=1\nLUA_API_KEY=${DOTENV_KEY}\n`);
        }
        const env: Record<string, string> = useEnv ? { LUA_API_KEY: ENV_KEY } : {};
        const result = await lua(sb, ["auth", "key", "--force"], { env });
        assert.equal(result.code, 0, result.stderr);
        const expected = useEnv ? ENV_KEY : useFile ? FILE_KEY : DOTENV_KEY;
        assert.equal(result.stdout, `${expected}\n`);
        const source = useEnv
          ? "LUA_API_KEY environment variable"
          : useFile
          ? `credentials file ${sb.credentials}`
          : `.env file ${join(sb.cwd, ".env")}`;
        assert.ok(result.stderr.includes(`Source: ${source}`), result.stderr);
      } finally {
        await sb.cleanup();
      }
    });
  }
});

Deno.test("auth key: no key anywhere exits 9 with the three fixes", async () => {
  const sb = await sandbox();
  try {
    const result = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(result.code, 9);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^Error: No API key found\./);
    assert.match(result.stderr, /lua auth configure/);
    assert.match(result.stderr, /export LUA_API_KEY=your-key/);
    assert.match(result.stderr, /echo "LUA_API_KEY=key" >> \.env/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("auth key: CRLF and surrounding whitespace are trimmed; a blank file is no key", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, `  ${FILE_KEY}\r\n\r\n`);
    const trimmed = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(trimmed.stdout, `${FILE_KEY}\n`);
    await storeKey(sb, " \n\t\n");
    const blank = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(blank.code, 9);
    assert.match(blank.stderr, /No API key found/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("auth key: a malformed credentials file is an error naming the file", async (t) => {
  for (
    const [name, text] of [
      ["two keys", `${FILE_KEY}\n${ENV_KEY}\n`],
      [".env format", `LUA_API_KEY=${FILE_KEY}\n`],
    ] as const
  ) {
    await t.step(name, async () => {
      const sb = await sandbox();
      try {
        await storeKey(sb, text);
        const result = await lua(sb, ["auth", "key", "--force"]);
        assert.equal(result.code, 1);
        assert.equal(result.stdout, "");
        assert.ok(result.stderr.includes(`"${sb.credentials}" is malformed`), result.stderr);
        assert.match(result.stderr, /lua auth configure/);
        assert.ok(!result.stderr.includes(FILE_KEY), "the key must not be echoed");
        assert.ok(!result.stderr.includes("    at "), "no stack trace");
      } finally {
        await sb.cleanup();
      }
    });
  }
});

Deno.test("auth key and logout without a terminal and without --force exit 2", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, FILE_KEY);
    const key = await lua(sb, ["auth", "key"]);
    assert.equal(key.code, 2);
    assert.equal(key.stdout, "");
    assert.match(key.stderr, /--force/);
    const logout = await lua(sb, ["auth", "logout"]);
    assert.equal(logout.code, 2);
    assert.match(logout.stderr, /--force/);
    assert.ok(await exists(sb.credentials), "the file is kept");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("logout --force deletes the file; a second logout says nothing is stored", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, FILE_KEY);
    const first = await lua(sb, ["auth", "logout", "--force"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /API key deleted successfully\./);
    assert.match(first.stderr, /still works wherever else it is used/);
    assert.match(
      first.stderr,
      /regenerate it in the admin dashboard \(https:\/\/admin\.heylua\.ai\)/,
    );
    assert.equal(await exists(sb.credentials), false);
    const second = await lua(sb, ["auth", "logout", "--force"]);
    assert.equal(second.code, 0);
    assert.match(second.stderr, /nothing to delete/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("logout warns when LUA_API_KEY or .env still supply a key", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, FILE_KEY);
    await Deno.writeTextFile(join(sb.cwd, ".env"), `LUA_API_KEY=${DOTENV_KEY}\n`);
    const result = await lua(sb, ["auth", "logout", "--force"], {
      env: { LUA_API_KEY: ENV_KEY },
    });
    assert.equal(result.code, 0);
    assert.match(result.stderr, /LUA_API_KEY environment variable; commands will keep/);
    assert.match(result.stderr, /\.env file .*; commands will keep/);
    for (const key of [ENV_KEY, DOTENV_KEY, FILE_KEY]) assert.ok(!result.stderr.includes(key));
    const after = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(after.stdout, `${DOTENV_KEY}\n`, ".env still supplies a key after logout");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a credentials file readable by others warns with the exact chmod, key still used", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, FILE_KEY, 0o644);
    const result = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${FILE_KEY}\n`);
    assert.ok(result.stderr.includes(`chmod 600 ${sb.credentials}`), result.stderr);
    assert.equal(await modeOf(sb.credentials), 0o644, "reading never changes modes");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("--version, --help, auth alone, and unknown options", async () => {
  const sb = await sandbox();
  try {
    const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
    const version = await lua(sb, ["--version"]);
    assert.equal(version.stdout.trim(), config.version);
    const auth = await lua(sb, ["auth"]);
    assert.equal(auth.code, 0);
    assert.match(auth.stdout, /configure/);
    const bad = await lua(sb, ["auth", "key", "--frce"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("no escape codes when stdout and stderr are not terminals, with or without NO_COLOR", async () => {
  const sb = await sandbox();
  try {
    for (const env of [{}, { NO_COLOR: "1" }, { TERM: "xterm-256color" }]) {
      for (
        const args of [["auth", "key", "--force"], ["auth", "status", "--offline"], ["--bogus"]]
      ) {
        const result = await lua(sb, args, { env });
        assert.ok(
          !result.stdout.includes("\x1b[") && !result.stderr.includes("\x1b["),
          args.join(" "),
        );
      }
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a session of the other CLI: listed by status, explained by auth key, deleted by logout", async () => {
  await withWorld(async ({ sb, requests, run }) => {
    const session = await storeSession(sb, "0f1e2d3c");
    // A file in the folder that is not a session of that CLI is neither listed nor deleted.
    const stranger = await storeSession(sb, "stranger", { kind: "other" });

    const status = await run(["auth", "status"]);
    assert.equal(status.code, 9, status.stderr);
    assert.ok(
      status.stdout.includes(
        `Session of the other Lua CLI: ${session} (present, not used: this CLI uses API keys only)`,
      ),
      status.stdout,
    );
    assert.ok(!status.stdout.includes(stranger), status.stdout);
    const json = await run(["auth", "status", "--json"]);
    assert.equal(json.code, 9, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).sessions, [session]);

    const key = await run(["auth", "key", "--force"]);
    assert.equal(key.code, 9, key.stderr);
    assert.equal(key.stdout, "");
    assert.ok(key.stderr.includes(`signed in with a session (${session})`), key.stderr);
    assert.match(key.stderr, /authenticates with API keys only/);
    assert.match(key.stderr, /lua auth configure --email/);
    assert.match(key.stderr, /admin dashboard \(https:\/\/admin\.heylua\.ai\)/);

    const logout = await run(["auth", "logout", "--force"]);
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /Deleted 1 session file of the other Lua CLI/);
    assert.match(logout.stderr, /the session was not ended on the platform/);
    assert.doesNotMatch(logout.stderr, /nothing to delete/);
    assert.equal(await exists(session), false);
    assert.equal(await exists(stranger), true);

    const after = await run(["auth", "status", "--json"]);
    assert.deepEqual(JSON.parse(after.stdout).sessions, []);
    assert.deepEqual(requests, [], "no key, so the platform was never asked");
  });
});
