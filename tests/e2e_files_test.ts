/**
 * The credentials file under stress, end to end: concurrent writers and deleters, writers
 * killed mid-write, symbolic links, loose modes, and hostile states of the file system.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator } from "../emulator/server.ts";
import { TEMP_PREFIX } from "../src/credentials.ts";
import {
  baseEnv,
  exists,
  lua,
  modeOf,
  platformEnv,
  ROOT,
  type RunResult,
  SAMPLE_KEY,
  type Sandbox,
  sandbox,
  storeKey,
} from "./_helpers.ts";
import { issueKey } from "./_world.ts";

const CRASH_WRITER = join(ROOT, "tests", "_crash_writer.ts");
const TEMP_NAME = /^\.credentials\.tmp-[0-9a-f]{16}$/;

function assertNoStackTrace(result: RunResult): void {
  assert.ok(!result.stderr.includes("    at "), `stack trace in: ${result.stderr}`);
  assert.ok(!result.stderr.includes("unexpected error"), result.stderr);
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** Runs the CLI with exactly `env` (plus nothing), for states `lua()` cannot express. */
function luaExactEnv(
  sb: Sandbox,
  args: readonly string[],
  env: Record<string, string>,
): Promise<RunResult> {
  return lua(sb, args, { exactEnv: env });
}

// ---------------------------------------------------------------------------------------------
// Concurrency

Deno.test("concurrency: 20 configure + 5 logout at once; a reader only ever sees whole keys", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const keys = await Promise.all(
      Array.from({ length: 20 }, (_, i) => issueKey(server, `user${i}@example.com`)),
    );
    const valid = new Set(keys);
    const env = platformEnv(server.url);

    let running = true;
    let reads = 0;
    let absent = 0;
    const observed = new Set<string>();
    const torn: string[] = [];
    const watcher = (async () => {
      while (running) {
        try {
          const text = await Deno.readTextFile(sb.credentials);
          reads++;
          if (valid.has(text)) observed.add(text);
          else torn.push(text);
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
          absent++;
        }
      }
    })();

    const started: { label: string; run: Promise<RunResult> }[] = [];
    keys.forEach((key, i) => {
      started.push({
        label: `configure #${i}`,
        run: lua(sb, ["auth", "configure", "--api-key", key], { env }),
      });
      if (i % 4 === 3) {
        started.push({
          label: `logout after #${i}`,
          run: lua(sb, ["auth", "logout", "--force"], { env }),
        });
      }
    });
    let results: RunResult[];
    try {
      results = await Promise.all(started.map((s) => s.run));
    } finally {
      running = false;
      await watcher;
    }

    results.forEach((result, i) => {
      assert.equal(result.code, 0, `${started[i]!.label}: ${result.stderr}`);
      assertNoStackTrace(result);
    });
    assert.equal(results.length, 25);
    assert.deepEqual(torn, [], "a reader saw an empty or partial credentials file");
    assert.ok(reads + absent > 20, `the watcher only looked ${reads + absent} times`);
    assert.ok(observed.size > 0, "the watcher never saw a key");

    const dir = join(sb.home, ".lua-cli");
    const left = await entries(dir);
    assert.deepEqual(left.filter((n) => n.startsWith(TEMP_PREFIX)), [], "temp files left over");
    assert.ok(left.every((n) => n === "credentials"), left.join(", "));
    if (left.includes("credentials")) {
      assert.ok(valid.has(await Deno.readTextFile(sb.credentials)));
      assert.equal(await modeOf(sb.credentials), 0o600);
      assert.ok((await Deno.lstat(sb.credentials)).isFile);
    }
    assert.equal(await modeOf(dir), 0o700);
    console.log(`watcher: ${reads} reads of a whole key, ${absent} of no file, 0 torn`);
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Crashes

/** Starts the crash writer, lets it write for `ms` after its first write, then SIGKILLs it. */
async function crashWriter(sb: Sandbox, keys: readonly string[], ms: number): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      join(ROOT, "deno.json"),
      "--allow-env",
      "--allow-read",
      "--allow-write",
      CRASH_WRITER,
      ...keys,
    ],
    cwd: sb.cwd,
    clearEnv: true,
    env: baseEnv(sb),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  let first = "";
  try {
    const chunk = await reader.read();
    first = chunk.done ? "" : new TextDecoder().decode(chunk.value);
    if (first.startsWith("ready")) await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone; the status below says how.
    }
    await reader.cancel();
  }
  const status = await child.status;
  const errors = await stderr;
  assert.ok(first.startsWith("ready"), `the writer did not start: ${errors}`);
  assert.equal(status.signal, "SIGKILL", `the writer ended by itself: ${errors}`);
}

Deno.test("crash: a writer SIGKILLed mid-loop leaves one whole key; stale temps go on the next write", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    // Different lengths, so that a torn write of either can never look like the other.
    const keys = ["api_short_0123456789abcdef", `api_long_${"0123456789abcdef".repeat(12)}`];
    for (let round = 0; round < 5; round++) {
      await crashWriter(sb, keys, 300);
      const text = await Deno.readTextFile(sb.credentials);
      assert.ok(keys.includes(text), `round ${round}: torn file ${JSON.stringify(text)}`);
      assert.equal(await modeOf(sb.credentials), 0o600);
    }

    const dir = join(sb.home, ".lua-cli");
    // One planted leftover, so that the clean-up is exercised even if no kill hit mid-write.
    await Deno.writeTextFile(join(dir, `${TEMP_PREFIX}00112233445566ff`), keys[0]!, {
      mode: 0o600,
    });
    const temps = (await entries(dir)).filter((n) => n.startsWith(TEMP_PREFIX));
    console.log(`crash: ${temps.length - 1} temp file(s) left by the killed writers`);
    const minuteAgo = new Date(Date.now() - 60_000);
    for (const name of temps) {
      assert.match(name, TEMP_NAME);
      // A leftover holds (part of) a key: it must be owner-only from the start.
      assert.equal(await modeOf(join(dir, name)), 0o600, name);
      await Deno.utime(join(dir, name), minuteAgo, minuteAgo);
    }

    const key = await issueKey(server, "crash@example.com");
    const result = await lua(sb, ["auth", "configure", "--api-key", key], {
      env: platformEnv(server.url),
    });
    assert.equal(result.code, 0, result.stderr);
    const left = (await entries(dir)).filter((n) => n !== "telemetry.json");
    assert.deepEqual(left, ["credentials"]);
    assert.equal(await Deno.readTextFile(sb.credentials), key);
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

Deno.test("crash: a young temp file (a live writer's) is left alone by the next write", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const dir = join(sb.home, ".lua-cli");
    await Deno.mkdir(dir, { mode: 0o700 });
    const young = join(dir, `${TEMP_PREFIX}aaaaaaaaaaaaaaaa`);
    const stale = join(dir, `${TEMP_PREFIX}bbbbbbbbbbbbbbbb`);
    await Deno.writeTextFile(young, "api_in_flight", { mode: 0o600 });
    await Deno.writeTextFile(stale, "api_crashed", { mode: 0o600 });
    const old = new Date(Date.now() - 11_000);
    await Deno.utime(stale, old, old);
    const key = await issueKey(server, "young@example.com");
    const result = await lua(sb, ["auth", "configure", "--api-key", key], {
      env: platformEnv(server.url),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(await exists(young), "a live writer's temp file was removed");
    assert.ok(!(await exists(stale)), "a temp file older than 10 s was kept");
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Symbolic links

Deno.test("symlink: configure --api-key replaces a link at the credentials path, target untouched", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const target = join(sb.dir, "somebody-elses-file");
    await Deno.writeTextFile(target, "precious content\n");
    await Deno.mkdir(join(sb.home, ".lua-cli"), { mode: 0o700 });
    await Deno.symlink(target, sb.credentials);
    const key = await issueKey(server, "link@example.com");
    const result = await lua(sb, ["auth", "configure", "--api-key", key], {
      env: platformEnv(server.url),
    });
    assert.equal(result.code, 0, result.stderr);
    const info = await Deno.lstat(sb.credentials);
    assert.ok(info.isFile && !info.isSymlink, "the link is still there");
    assert.equal(await Deno.readTextFile(sb.credentials), key);
    assert.equal(await modeOf(sb.credentials), 0o600);
    assert.equal(await Deno.readTextFile(target), "precious content\n");
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

Deno.test("symlink: configure --api-key replaces a dangling link without creating its target", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const target = join(sb.dir, "nowhere");
    await Deno.mkdir(join(sb.home, ".lua-cli"), { mode: 0o700 });
    await Deno.symlink(target, sb.credentials);
    const key = await issueKey(server, "dangling@example.com");
    const result = await lua(sb, ["auth", "configure", "--api-key", key], {
      env: platformEnv(server.url),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok((await Deno.lstat(sb.credentials)).isFile);
    assert.ok(!(await exists(target)), "the write went through the link");
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

Deno.test("symlink: auth key --force reads through a link to a regular file (reading follows links)", async () => {
  const sb = await sandbox();
  try {
    const key = "api_linked_0123456789abcdef0123";
    const target = join(sb.dir, "dotfiles-credentials");
    await Deno.writeTextFile(target, `${key}\n`, { mode: 0o600 });
    await Deno.chmod(target, 0o600);
    await Deno.mkdir(join(sb.home, ".lua-cli"), { mode: 0o700 });
    await Deno.symlink(target, sb.credentials);
    const result = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${key}\n`);
    assert.ok(!result.stderr.includes("Warning"), result.stderr);
    // logout removes the link, never the file it points to.
    const logout = await lua(sb, ["auth", "logout", "--force"]);
    assert.equal(logout.code, 0, logout.stderr);
    assert.ok(!(await exists(sb.credentials)));
    assert.equal(await Deno.readTextFile(target), `${key}\n`);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("symlink: a link to a directory is an error naming the path, exit 1", async () => {
  const sb = await sandbox();
  try {
    await Deno.mkdir(join(sb.home, ".lua-cli"), { mode: 0o700 });
    await Deno.symlink(sb.dir, sb.credentials);
    const result = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(result.code, 1);
    assert.ok(result.stderr.startsWith(`Error: Cannot read credentials file "${sb.credentials}"`));
    assertNoStackTrace(result);
  } finally {
    await sb.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Modes

Deno.test("modes: a group-writable ~/.lua-cli (0770, 0775) warns with its mode and chmod 700", async () => {
  for (const mode of [0o770, 0o775]) {
    const sb = await sandbox();
    try {
      const dir = join(sb.home, ".lua-cli");
      await storeKey(sb, SAMPLE_KEY);
      await Deno.chmod(dir, mode);
      const read = await lua(sb, ["auth", "key", "--force"]);
      assert.equal(read.code, 0, read.stderr);
      assert.equal(read.stdout, `${SAMPLE_KEY}\n`);
      const octal = `0${mode.toString(8)}`;
      assert.ok(
        read.stderr.includes(
          `Directory "${dir}" is writable by other users (mode ${octal}); fix it: chmod 700 ${dir}\n`,
        ),
        read.stderr,
      );
      assert.doesNotMatch(read.stderr, /chmod 600/, "the 0600 file itself is not warned about");
      assertNoStackTrace(read);
    } finally {
      await sb.cleanup();
    }
  }
});

Deno.test("modes: a 0644 file in a 0777 directory warns with the exact chmods; configure tightens both", async () => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    const dir = join(sb.home, ".lua-cli");
    const old = await issueKey(server, "loose@example.com");
    await storeKey(sb, old, 0o644);
    await Deno.chmod(dir, 0o777);
    const read = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, `${old}\n`);
    assert.ok(read.stderr.includes(`chmod 600 ${sb.credentials}`), read.stderr);
    assert.ok(read.stderr.includes(`chmod 700 ${dir}`), read.stderr);
    assert.match(read.stderr, /\(mode 0644\)/);
    assert.match(read.stderr, /\(mode 0777\)/);
    assertNoStackTrace(read);

    const key = await issueKey(server, "tight@example.com");
    const write = await lua(sb, ["auth", "configure", "--api-key", key], {
      env: platformEnv(server.url),
    });
    assert.equal(write.code, 0, write.stderr);
    assert.equal(await modeOf(sb.credentials), 0o600);
    assert.equal(await modeOf(dir), 0o700);
    const again = await lua(sb, ["auth", "key", "--force"]);
    assert.equal(again.stdout, `${key}\n`);
    assert.ok(!again.stderr.includes("chmod"), again.stderr);
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Hostile states

Deno.test("hostile: the credentials path is a directory", async (t) => {
  const server = await startEmulator();
  const sb = await sandbox();
  try {
    await Deno.mkdir(sb.credentials, { recursive: true });
    await Deno.writeTextFile(join(sb.credentials, "inside"), "keep me");
    await t.step("auth key --force exits 1 naming the path", async () => {
      const result = await lua(sb, ["auth", "key", "--force"]);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.ok(
        result.stderr.startsWith(
          `Error: Cannot read credentials file "${sb.credentials}": it is a directory\n`,
        ),
        result.stderr,
      );
      assertNoStackTrace(result);
    });
    await t.step("logout --force exits 1 and deletes nothing", async () => {
      const result = await lua(sb, ["auth", "logout", "--force"]);
      assert.equal(result.code, 1);
      assert.ok(result.stderr.startsWith("Error: "), result.stderr);
      assert.ok(result.stderr.includes(`"${sb.credentials}"`), result.stderr);
      assertNoStackTrace(result);
      assert.equal(await Deno.readTextFile(join(sb.credentials, "inside")), "keep me");
    });
    await t.step("configure --api-key exits 1 naming the path, no temp left", async () => {
      const key = await issueKey(server, "dir@example.com");
      const result = await lua(sb, ["auth", "configure", "--api-key", key], {
        env: platformEnv(server.url),
      });
      assert.equal(result.code, 1);
      assert.ok(result.stderr.startsWith("Error: "), result.stderr);
      assert.ok(result.stderr.includes(`"${sb.credentials}"`), result.stderr);
      assertNoStackTrace(result);
      const left = await entries(join(sb.home, ".lua-cli"));
      assert.deepEqual(left, ["credentials"]);
    });
  } finally {
    await server.close();
    await sb.cleanup();
  }
});

Deno.test("hostile: HOME unset", async (t) => {
  const sb = await sandbox();
  try {
    const env = baseEnv(sb);
    delete (env as Record<string, string | undefined>).HOME;
    await t.step("auth key --force exits 1 saying HOME is not set", async () => {
      const result = await luaExactEnv(sb, ["auth", "key", "--force"], env);
      assert.equal(result.code, 1);
      assert.ok(result.stderr.startsWith("Error: "), result.stderr);
      assert.match(result.stderr, /HOME is not set/);
      assertNoStackTrace(result);
    });
    await t.step("logout --force exits 1 saying HOME is not set", async () => {
      const result = await luaExactEnv(sb, ["auth", "logout", "--force"], env);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /HOME is not set/);
      assertNoStackTrace(result);
    });
    await t.step("with LUA_API_KEY set, auth key --force works", async () => {
      const key = "api_env_0123456789abcdef0123456789";
      const result = await luaExactEnv(sb, ["auth", "key", "--force"], {
        ...env,
        LUA_API_KEY: key,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${key}\n`);
    });
    await t.step("an empty HOME counts as unset", async () => {
      const result = await luaExactEnv(sb, ["auth", "key", "--force"], { ...env, HOME: "" });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /HOME is not set/);
    });
  } finally {
    await sb.cleanup();
  }
});

Deno.test("hostile: a .env that cannot be used is a warning, not a crash", async (t) => {
  const cases: { name: string; why: string; make: (path: string) => Promise<void> }[] = [
    {
      name: "a directory",
      why: "it is a directory",
      make: (path) => Deno.mkdir(path),
    },
    {
      name: "a binary file with NUL bytes",
      why: "it is not a text file",
      make: (path) =>
        Deno.writeFile(
          path,
          new Uint8Array([
            ...new TextEncoder().encode("LUA_API_KEY=api_bin"),
            0,
            0xff,
            0xfe,
            1,
            0,
            10,
          ]),
        ),
    },
    {
      name: "a 3 MB file",
      why: "it is larger than 1048576 bytes",
      make: (path) =>
        Deno.writeTextFile(
          path,
          `LUA_API_KEY=api_big_0123456789abcdef\n${"X=1234567890\n".repeat(242_000)}`,
        ),
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const sb = await sandbox();
      try {
        const path = join(sb.cwd, ".env");
        await c.make(path);
        const warning = `Warning: Ignoring "${path}": ${c.why}\n`;

        const alone = await lua(sb, ["auth", "key", "--force"]);
        assert.equal(alone.code, 9, alone.stderr);
        assert.ok(alone.stderr.startsWith(warning), alone.stderr);
        assert.match(alone.stderr, /^Error: No API key found\.$/m);
        assertNoStackTrace(alone);

        // With a key in an earlier source, status still reads (and warns about) .env, and
        // uses the other key.
        const key = "api_file_0123456789abcdef0123456789";
        await storeKey(sb, key);
        const status = await lua(sb, ["auth", "status", "--offline"]);
        assert.equal(status.code, 0, status.stderr);
        assert.ok(status.stderr.includes(warning), status.stderr);
        assert.match(status.stdout, /credentials file .*\(in use\)/);
        assertNoStackTrace(status);
        const viaEnv = await lua(sb, ["auth", "key", "--force"], { env: { LUA_API_KEY: key } });
        assert.equal(viaEnv.code, 0, viaEnv.stderr);
      } finally {
        await sb.cleanup();
      }
    });
  }
});
