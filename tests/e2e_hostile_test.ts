/**
 * Hostile inputs and faults, end to end (issue 10): endless and huge stdin, a closed stdout,
 * a key in the wrong argument, a bad LUA_API_KEY, odd `.env` files, a narrowed --allow-env,
 * a symlinked or umask-broken ~/.lua-cli.
 */

import assert from "node:assert/strict";
import { longestRun } from "../testing/secret_runs.ts";
import { run } from "../testing/process.ts";
import { join } from "node:path";
import { TEMP_PREFIX } from "../src/credentials.ts";
import {
  baseEnv,
  LUA_PERMISSIONS,
  MAIN,
  modeOf,
  ROOT,
  sandbox,
  spawnLua,
  storeKey,
} from "./_helpers.ts";
import { issueKey, withWorld } from "./_world.ts";

const KEY = "lk_0123456789abcdef0123456789abcdef";
const EMAIL = "ada@example.com";

/** Writes `chunk` to the child's stdin until it stops reading; returns its output. */
async function feedForever(child: Deno.ChildProcess, chunk: string): Promise<Deno.CommandOutput> {
  const writer = child.stdin.getWriter();
  const bytes = new TextEncoder().encode(chunk.repeat(Math.ceil(65_536 / chunk.length)));
  let written = 0;
  const feeding = (async () => {
    try {
      // At most 600 MB, the red team's figure; the CLI must stop long before.
      while (written < 600 * 1024 * 1024) {
        await writer.write(bytes);
        written += bytes.length;
      }
    } catch {
      // The CLI closed stdin: what we want.
    }
  })();
  const output = await child.output();
  await writer.abort().catch(() => {});
  await feeding;
  assert.ok(written < 64 * 1024 * 1024, `the CLI read ${written} bytes of stdin`);
  return output;
}

Deno.test("stdin: `yes | lua auth configure --api-key -` ends at once", async () => {
  await withWorld(async ({ server, sb }) => {
    const started = performance.now();
    const child = spawnLua(sb, ["auth", "configure", "--api-key", "-"], {
      env: { LUA_AUTH_URL: server.url, LUA_API_URL: server.url },
    }, "piped");
    const output = await feedForever(child, "y\n");
    const stderr = new TextDecoder().decode(output.stderr);
    assert.ok(performance.now() - started < 15_000, "took too long");
    assert.equal(output.code, 9, stderr);
    assert.ok(!stderr.includes("bug"), stderr);
  });
});

Deno.test("stdin: hundreds of MB without a newline is exit 2, read no further than 64 KiB", async () => {
  const sb = await sandbox();
  try {
    const child = spawnLua(sb, ["auth", "configure", "--api-key", "-"], {}, "piped");
    const output = await feedForever(child, "x");
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 2, stderr);
    assert.match(
      stderr,
      /^Error: Cannot read the key from stdin: more than 64 KiB came before its first newline/,
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test({
  name: "stdout: a closed pipe (`lua auth key --force | true`) is a quiet exit, not a bug",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const sb = await sandbox();
    try {
      await storeKey(sb, KEY);
      const env = Object.entries(baseEnv(sb)).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const deno = [
        JSON.stringify(Deno.execPath()),
        "run --quiet --config",
        JSON.stringify(join(ROOT, "deno.json")),
        ...LUA_PERMISSIONS,
        JSON.stringify(MAIN),
        "auth key --force",
      ].join(" ");
      // The reader is gone before the CLI writes: its first write meets a closed pipe.
      const script =
        `cd ${JSON.stringify(sb.cwd)} && env -i ${env.join(" ")} ${deno} 2>err.txt | true; ` +
        'echo "${PIPESTATUS[0]}"';
      const output = await run("bash", [
        "-c",
        script.replaceAll("err.txt", JSON.stringify(join(sb.dir, "err.txt"))),
      ]);
      const code = Number(output.stdout.trim());
      const stderr = await Deno.readTextFile(join(sb.dir, "err.txt"));
      assert.ok(!/bug|Error|BrokenPipe|Broken pipe/i.test(stderr), stderr);
      assert.ok(code === 0 || code === 141, `exit ${code}: ${stderr}`);
    } finally {
      await sb.cleanup();
    }
  },
});

Deno.test("arguments: a key in the wrong place is never echoed", async () => {
  await withWorld(async ({ run }) => {
    const lines = [
      ["auth", "configure", "--email", KEY],
      ["auth", "configure", `--api-key ${KEY}`],
      ["auth", "configure", `--api-key${KEY}`],
      ["auth", "configure", `-${KEY}`],
      ["auth", "configure", `--api-key=${KEY}`, "--bogus"],
      ["auth", KEY],
    ];
    for (const args of lines) {
      const result = await run(args);
      assert.equal(result.code, 2, result.stderr);
      const leaked = longestRun(result.stdout + result.stderr, KEY);
      assert.ok(leaked < 8, `${leaked} characters of the key in: ${result.stderr}`);
    }
  });
});

Deno.test("LUA_API_KEY with a control character: exit 2 naming the variable, not its value", async () => {
  await withWorld(async ({ run, requests }) => {
    for (const args of [["auth", "status"], ["auth", "key", "--force"]]) {
      const result = await run(args, { env: { LUA_API_KEY: `${KEY}\x1b[2J` } });
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        /^Error: Cannot use the LUA_API_KEY environment variable: it /m,
      );
      assert.ok(longestRun(result.stdout + result.stderr, KEY) < 8, result.stderr);
      assert.ok(!result.stderr.includes("\x1b"), JSON.stringify(result.stderr));
    }
    assert.deepEqual(requests, [], "nothing was sent");
  });
});

Deno.test({
  name: ".env or credentials linked to /proc/self/environ: never a demand for --allow-all",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withWorld(async ({ run, sb }) => {
      await Deno.symlink("/proc/self/environ", join(sb.cwd, ".env"));
      const result = await run(["auth", "key", "--force"]);
      assert.equal(result.code, 9, result.stderr);
      assert.ok(!result.stderr.includes("--allow-all"), result.stderr);
      assert.match(result.stderr, /Ignoring ".*\.env": it is a special file/);
      assert.match(result.stderr, /^Error: No API key found/m);

      // The credentials file linked there: a file we cannot use (exit 1), not --allow-all.
      await Deno.mkdir(join(sb.home, ".lua-cli"), { mode: 0o700 });
      await Deno.symlink("/proc/self/environ", sb.credentials);
      const linked = await run(["auth", "key", "--force"]);
      assert.equal(linked.code, 1, linked.stderr);
      assert.ok(!linked.stderr.includes("--allow-all"), linked.stderr);
      assert.match(
        linked.stderr,
        /^Error: Cannot read credentials file ".*": it is a special file/m,
      );
    });
  },
});

Deno.test(".env starting with a UTF-8 byte-order mark is read", async () => {
  await withWorld(async ({ run, sb }) => {
    await Deno.writeTextFile(join(sb.cwd, ".env"), `\uFEFFLUA_API_KEY=${KEY}\n`);
    const result = await run(["auth", "key", "--force"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${KEY}\n`);
  });
});

Deno.test("--allow-env=HOME: the missing LUA_API_KEY is named, no prompt, exit 2", async () => {
  await withWorld(async ({ run }) => {
    const permissions = ["--allow-env=HOME", "--allow-read", "--allow-write", "--allow-net"];
    const result = await run(["auth", "key", "--force"], { permissions });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /needs the --allow-env permission for LUA_API_KEY: run it with --allow-env$/m,
    );
  });
});

Deno.test({
  name: "~/.lua-cli: umask 0277 works and stays working; a symlinked folder keeps its mode",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withWorld(async ({ server, sb }) => {
      const key = await issueKey(server, EMAIL);
      const dir = join(sb.home, ".lua-cli");
      const env = Object.entries({
        ...baseEnv(sb),
        LUA_AUTH_URL: server.url,
        LUA_API_URL: server.url,
      })
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const configure = [
        "umask 0277 && cd",
        JSON.stringify(sb.cwd),
        "&& exec env -i",
        ...env,
        JSON.stringify(Deno.execPath()),
        "run --quiet --config",
        JSON.stringify(join(ROOT, "deno.json")),
        ...LUA_PERMISSIONS,
        JSON.stringify(MAIN),
        "auth configure --api-key -",
      ].join(" ");
      for (const attempt of [1, 2]) {
        const output = await run("sh", ["-c", configure], { stdin: `${key}\n` });
        assert.equal(output.code, 0, `run ${attempt}: ${output.stderr}`);
        assert.equal(await modeOf(dir), 0o700);
        assert.equal(await modeOf(join(dir, "credentials")), 0o600);
        assert.equal(await Deno.readTextFile(join(dir, "credentials")), key);
      }

      // A link to a shared, sticky 1777 folder: written inside, its mode left alone.
      await Deno.remove(dir, { recursive: true });
      const shared = join(sb.dir, "shared");
      await Deno.mkdir(shared);
      await Deno.chmod(shared, 0o1777);
      await Deno.symlink(shared, dir);
      const child = spawnLua(sb, ["auth", "configure", "--api-key", key], {
        env: { LUA_AUTH_URL: server.url, LUA_API_URL: server.url },
      });
      const output = await child.output();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      assert.equal(((await Deno.stat(shared)).mode ?? 0) & 0o7777, 0o1777);
      assert.equal(await modeOf(join(shared, "credentials")), 0o600);
      assert.equal(await Deno.readTextFile(join(shared, "credentials")), key);
    });
  },
});

Deno.test("logout after a write killed mid-way removes the temporary file holding the key", async () => {
  const sb = await sandbox();
  try {
    await storeKey(sb, KEY);
    const temp = join(sb.home, ".lua-cli", `${TEMP_PREFIX}0123456789abcdef`);
    await Deno.writeTextFile(temp, KEY, { mode: 0o600 });
    const output = await spawnLua(sb, ["auth", "logout", "--force"]).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.deepEqual(await Array.fromAsync(Deno.readDir(join(sb.home, ".lua-cli"))), []);
  } finally {
    await sb.cleanup();
  }
});
