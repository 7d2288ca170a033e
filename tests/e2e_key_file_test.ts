/**
 * End-to-end tests of `LUA_API_KEY_FILE`, the Docker and Kubernetes secrets convention: the
 * real CLI with a temporary HOME reads the key from the file the variable names.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { lua, type Sandbox, sandbox, storeKey } from "./_helpers.ts";

const SECRET_KEY = "api_secret_dddddddddddddddddddddddd4444";
const FILE_KEY = "api_file_bbbbbbbbbbbbbbbbbbbbbbbbbbb2222";

/** Lays a secret out as Kubernetes mounts one: `key -> ..data/key`, `..data -> ..<timestamp>`. */
async function kubernetesSecret(sb: Sandbox, text: string): Promise<string> {
  const mount = join(sb.dir, "secrets");
  const version = join(mount, "..2026_01_01_00_00_00.123");
  await Deno.mkdir(version, { recursive: true });
  await Deno.writeTextFile(join(version, "api-key"), text, { mode: 0o400 });
  await Deno.chmod(join(version, "api-key"), 0o400);
  await Deno.symlink("..2026_01_01_00_00_00.123", join(mount, "..data"));
  await Deno.symlink("..data/api-key", join(mount, "api-key"));
  return join(mount, "api-key");
}

Deno.test("LUA_API_KEY_FILE: auth key --force prints the secret's key, above the credentials file", async (t) => {
  const sb = await sandbox();
  try {
    await storeKey(sb, `${FILE_KEY}\n`);
    const secret = await kubernetesSecret(sb, `${SECRET_KEY}\n`);

    await t.step("an absolute path through Kubernetes' links", async () => {
      const result = await lua(sb, ["auth", "key", "--force"], {
        env: { LUA_API_KEY_FILE: secret },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${SECRET_KEY}\n`);
      assert.ok(result.stderr.includes(`Source: LUA_API_KEY_FILE (${secret})`), result.stderr);
      assert.ok(!result.stderr.includes("other users"), `no mode warning: ${result.stderr}`);
    });

    await t.step("a relative path, from the current directory", async () => {
      await Deno.writeTextFile(join(sb.cwd, "lua.key"), `  ${SECRET_KEY}\r\n`, { mode: 0o600 });
      const result = await lua(sb, ["auth", "key", "--force"], {
        env: { LUA_API_KEY_FILE: "lua.key" },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${SECRET_KEY}\n`);
      assert.ok(result.stderr.includes(`(${join(sb.cwd, "lua.key")})`), result.stderr);
    });

    await t.step("an empty LUA_API_KEY does not shadow it; a set one does", async () => {
      const empty = await lua(sb, ["auth", "key", "--force"], {
        env: { LUA_API_KEY: "", LUA_API_KEY_FILE: secret },
      });
      assert.equal(empty.stdout, `${SECRET_KEY}\n`, empty.stderr);
      const set = await lua(sb, ["auth", "key", "--force"], {
        env: { LUA_API_KEY: FILE_KEY.replace("file", "envv"), LUA_API_KEY_FILE: secret },
      });
      assert.equal(set.stdout, `${FILE_KEY.replace("file", "envv")}\n`, set.stderr);
    });
  } finally {
    await sb.cleanup();
  }
});

Deno.test("LUA_API_KEY_FILE: auth status names it, in text and JSON; shadowed under LUA_API_KEY", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, `${FILE_KEY}\n`);
    const secret = await kubernetesSecret(sb, SECRET_KEY);
    const env = { LUA_API_KEY_FILE: secret };

    const human = await lua(sb, ["auth", "status", "--offline"], { env });
    assert.equal(human.code, 0, human.stderr);
    assert.ok(
      human.stdout.includes(`2. LUA_API_KEY_FILE (${secret}): found api_…4444 (in use)`),
      human.stdout,
    );
    assert.match(human.stdout, /3\. credentials file .*: found api_…2222 \(shadowed\)/);
    assert.ok(!human.stdout.includes(SECRET_KEY), "the key is masked");

    const json = await lua(sb, ["auth", "status", "--offline", "--json"], { env });
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.active, {
      kind: "env-file",
      location: secret,
      found: true,
      active: true,
      maskedKey: "api_…4444",
    });

    const shadowed = await lua(sb, ["auth", "status", "--offline"], {
      env: { ...env, LUA_API_KEY: FILE_KEY },
    });
    assert.equal(shadowed.code, 0, shadowed.stderr);
    assert.match(shadowed.stdout, /2\. LUA_API_KEY_FILE \(.*\): found api_…4444 \(shadowed\)/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("LUA_API_KEY_FILE: a missing file is exit 1 naming the variable and the path, never skipped", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, `${FILE_KEY}\n`);
    const missing = join(sb.dir, "secrets", "nope");
    const result = await lua(sb, ["auth", "key", "--force"], {
      env: { LUA_API_KEY_FILE: missing },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, "", "the credentials file's key is not used instead");
    assert.ok(
      result.stderr.includes(
        `Error: Cannot read LUA_API_KEY_FILE file "${missing}": no such file or directory.`,
      ),
      result.stderr,
    );
    assert.match(result.stderr, /unset LUA_API_KEY_FILE/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("LUA_API_KEY_FILE: a file other users can read warns with the chmod, and works", async () => {
  const sb = await sandbox();
  try {
    const path = join(sb.dir, "key");
    await Deno.writeTextFile(path, SECRET_KEY);
    await Deno.chmod(path, 0o644);
    const result = await lua(sb, ["auth", "key", "--force"], { env: { LUA_API_KEY_FILE: path } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${SECRET_KEY}\n`);
    assert.ok(result.stderr.includes(`(mode 0644). Fix it: chmod 600 "${path}"`), result.stderr);
  } finally {
    await sb.cleanup();
  }
});
