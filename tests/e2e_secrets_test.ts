/**
 * End-to-end tests that secrets stay secret: every command and mode runs with a known key, email
 * and code, and all its output is searched. The full key may appear only on the stdout of
 * `lua auth key --force`; a one-time code never appears once sent; a sign-in token never
 * appears. Keys and codes never travel in a URL, and telemetry never carries them.
 *
 * The emulator is served by a `Deno.serve` of this file that logs every request's URL (and the
 * body of every telemetry event) before handing it to the emulator's handler.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { createEmulator, type Emulator } from "../emulator/handler.ts";
import {
  lua,
  type LuaOptions,
  platformEnv,
  type RunResult,
  type Sandbox,
  sandbox,
  storeKey,
  storeSession,
} from "./_helpers.ts";
import { control, issueKey } from "./_world.ts";

const EMAIL = "grace@example.com";

// ---------------------------------------------------------------------------------------------
// A logging emulator

/** How the platform misbehaves on `/admin/me/authorization`, on top of the emulator's faults. */
type Echo = { status: 400 | 403 } | undefined;

interface Platform {
  url: string;
  emulator: Emulator;
  /** `METHOD url` of every request, control routes excluded. */
  urls: string[];
  /** Bodies of the telemetry events. */
  telemetry: string[];
  /** Every sign-in token the emulator issued. */
  tokens: string[];
  /** When set, `/admin/me/authorization` answers with an error whose message echoes the bearer. */
  echo: Echo;
  /** Calls a route of the emulator directly. */
  call(path: string, body?: unknown): Promise<Response>;
  /** A new key for {@linkcode EMAIL}, as the admin dashboard would issue it. */
  newKey(kind?: "legacy" | "typed"): Promise<string>;
  close(): Promise<void>;
}

async function startPlatform(): Promise<Platform> {
  const emulator = createEmulator();
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const platform: Platform = {
    url: "",
    emulator,
    urls: [],
    telemetry: [],
    tokens: [],
    echo: undefined,
    call: (path, body) =>
      emulator.handler(
        new Request(`http://emulator${path}`, {
          method: body === undefined ? "GET" : "POST",
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      ),
    newKey: (kind = "legacy") => issueKey(platform, EMAIL, kind),
    close: () => Promise.resolve(),
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => listening.resolve(addr),
  }, async (request) => {
    const path = new URL(request.url).pathname;
    if (!path.startsWith("/_emulator")) platform.urls.push(`${request.method} ${request.url}`);
    if (path === "/i/v0/e/") platform.telemetry.push(await request.clone().text());
    if (path === "/admin/me/authorization" && platform.echo !== undefined) {
      const bearer = request.headers.get("authorization")?.replace(/^bearer\s+/i, "") ?? "";
      return Response.json({
        error: "forbidden",
        message: `The key ${bearer} may not be used from here.`,
      }, { status: platform.echo.status });
    }
    const response = await emulator.handler(request);
    if (path === "/otp/verify" && response.status === 200) {
      const text = await response.clone().text();
      const token = /"signInToken"\s*:\s*"([^"]+)"/.exec(text)?.[1];
      if (token !== undefined) platform.tokens.push(token);
    }
    return response;
  });
  platform.url = `http://127.0.0.1:${(await listening.promise).port}`;
  platform.close = async () => {
    emulator.releasePending();
    await server.shutdown();
  };
  return platform;
}

// ---------------------------------------------------------------------------------------------
// Running and searching

/** One CLI run, named. */
interface Run {
  label: string;
  args: readonly string[];
  result: RunResult;
  /** The key this run may print, alone on stdout (`auth key --force` only). */
  prints?: string;
}

/** Runs the CLI against the platform with telemetry on, so that telemetry is searched too. */
function runner(platform: Platform, sb: Sandbox, runs: Run[]) {
  return async (
    label: string,
    args: readonly string[],
    options: LuaOptions & { prints?: string; code?: number } = {},
  ): Promise<RunResult> => {
    const result = await lua(sb, args, {
      ...options,
      env: {
        ...platformEnv(platform.url),
        LUA_TELEMETRY: "true",
        LUA_HTTP_TIMEOUT: "0.5",
        ...options.env,
      },
    });
    runs.push({ label, args, result, ...(options.prints ? { prints: options.prints } : {}) });
    if (options.code !== undefined) {
      assert.equal(result.code, options.code, `${label}\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  };
}

/** Forms of a key that must not be shown: the whole key, and its random part. */
function keyForms(key: string): string[] {
  const body = key.replace(/^[a-z]+_/, "");
  return [key, body, body.slice(0, 16), body.slice(8, 24)];
}

/**
 * Asserts that no run printed a secret (except the key `auth key --force` prints alone on stdout),
 * that no URL carried a key, a code or a token, and that no telemetry event carried one.
 */
function assertNoLeaks(
  runs: Run[],
  platform: Platform,
  secrets: { keys: string[]; codes: string[] },
): void {
  const keys = secrets.keys.filter(Boolean);
  const codes = secrets.codes.filter(Boolean);
  const tokens = platform.tokens;
  assert.ok(keys.length > 0);
  const leaks: string[] = [];
  for (const run of runs) {
    const streams: [string, string][] = [["stdout", run.result.stdout], [
      "stderr",
      run.result.stderr,
    ]];
    for (const [stream, searched] of streams) {
      if (stream === "stdout" && run.prints !== undefined) {
        assert.equal(searched, `${run.prints}\n`, `${run.label}: the key alone on stdout`);
        continue;
      }
      for (const key of keys) {
        for (const form of keyForms(key)) {
          if (searched.includes(form)) leaks.push(`${run.label} ${stream}: key ${form}`);
        }
      }
      for (const code of codes) {
        if (searched.includes(code)) leaks.push(`${run.label} ${stream}: code ${code}`);
      }
      for (const token of tokens) {
        if (searched.includes(token)) leaks.push(`${run.label} ${stream}: token`);
        if (searched.includes(token.slice(4, 24))) leaks.push(`${run.label} ${stream}: token part`);
      }
      if (/^\s+at |\.ts:\d+:\d+/m.test(searched)) leaks.push(`${run.label} ${stream}: stack trace`);
    }
  }
  for (const url of platform.urls) {
    const decoded = decodeURIComponent(url);
    for (const secret of [...keys, ...codes, ...tokens]) {
      if (url.includes(secret) || decoded.includes(secret)) leaks.push(`URL ${url}`);
    }
  }
  for (const event of platform.telemetry) {
    for (const secret of [...keys, ...codes, ...tokens, EMAIL]) {
      if (event.includes(secret)) leaks.push(`telemetry ${event}`);
    }
  }
  assert.deepEqual(leaks, [], leaks.join("\n"));
  // The searches ran over real output.
  assert.ok(
    runs.every((run) => run.result.stdout + run.result.stderr !== ""),
    "every run said something",
  );
}

async function withPlatform(
  fn: (
    platform: Platform,
    sb: Sandbox,
    run: ReturnType<typeof runner>,
    runs: Run[],
  ) => Promise<void>,
): Promise<void> {
  const platform = await startPlatform();
  const sb = await sandbox();
  try {
    const runs: Run[] = [];
    await fn(platform, sb, runner(platform, sb, runs), runs);
  } finally {
    await platform.close();
    await sb.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Tests

Deno.test("secrets: configure, key, status and logout with a known key", async () => {
  await withPlatform(async (platform, sb, run, runs) => {
    const key = await platform.newKey();
    await run("configure --api-key", ["auth", "configure", "--api-key", key], { code: 0 });
    await run("configure --api-key - (stdin)", ["auth", "configure", "--api-key", "-"], {
      stdin: `${key}\n`,
      code: 0,
    });
    assert.equal(await Deno.readTextFile(sb.credentials), key);
    await run("key without a terminal", ["auth", "key"], { code: 2 });
    await run("key --force", ["auth", "key", "--force"], { prints: key, code: 0 });
    await run("key -f", ["auth", "key", "-f"], { prints: key, code: 0 });
    await run("status", ["auth", "status"], { code: 0 });
    await run("status --json", ["auth", "status", "--json"], { code: 0 });
    await run("status --offline", ["auth", "status", "--offline"], { code: 0 });
    await run("status --offline --json", ["auth", "status", "--offline", "--json"], { code: 0 });
    // Shadowing: the same key in the environment and a .env, with warnings about it.
    await Deno.writeTextFile(join(sb.cwd, ".env"), `LUA_API_KEY=${key}\n`);
    const env = { LUA_API_KEY: key };
    await run("status, key in env, file and .env", ["auth", "status"], { env, code: 0 });
    await run("status --json, three sources", ["auth", "status", "--json"], { env, code: 0 });
    await run("configure with LUA_API_KEY set", ["auth", "configure", "--api-key", key], {
      env,
      code: 0,
    });
    await run("key --force from env", ["auth", "key", "--force"], { env, prints: key, code: 0 });
    await run("logout --force, env and .env remain", ["auth", "logout", "--force"], {
      env,
      code: 0,
    });
    await run("key --force from .env", ["auth", "key", "--force"], { prints: key, code: 0 });
    await run("logout --force with nothing stored", ["auth", "logout", "--force"], { code: 0 });
    await Deno.remove(join(sb.cwd, ".env"));
    // Loose permissions give a warning, never the key.
    await storeKey(sb, key, 0o644);
    await run("status with a 0644 file", ["auth", "status"], { code: 0 });
    // A session of the other CLI: listed, explained, deleted; its token never shown.
    await Deno.remove(sb.credentials);
    const session = await storeSession(sb, "sess-secret");
    const sessionToken = JSON.parse(await Deno.readTextFile(session)).refreshToken as string;
    await run("key --force, only a session", ["auth", "key", "--force"], { code: 9 });
    await run("status --json, only a session", ["auth", "status", "--json"], { code: 9 });
    await storeKey(sb, key);
    await run("logout --force, key and session", ["auth", "logout", "--force"], { code: 0 });
    // A typed key through the same commands.
    const typed = await platform.newKey("typed");
    await run("configure --api-key <typed>", ["auth", "configure", "--api-key", typed], {
      code: 0,
    });
    await run("status, typed key", ["auth", "status"], { code: 0 });
    await run("status --json, typed key", ["auth", "status", "--json"], { code: 0 });
    await run("key --force, typed key", ["auth", "key", "--force"], { prints: typed, code: 0 });
    await run("logout --force, typed key", ["auth", "logout", "--force"], { code: 0 });
    // Revoke (in the dashboard), then every command with the revoked key.
    assert.equal((await control(platform, "/_emulator/revoke", { apiKey: key })).status, 204);
    await run("configure --api-key <revoked>", ["auth", "configure", "--api-key", key], {
      code: 9,
    });
    await run("status, revoked key in env", ["auth", "status"], {
      env: { LUA_API_KEY: key },
      code: 9,
    });
    await run("status --json, revoked key", ["auth", "status", "--json"], {
      env: { LUA_API_KEY: key },
      code: 9,
    });
    await storeKey(sb, key);
    await run("logout --force, a revoked key", ["auth", "logout", "--force"], { code: 0 });
    await run("key --force, nothing anywhere", ["auth", "key", "--force"], { code: 9 });
    assertNoLeaks(runs, platform, { keys: [key, typed], codes: [sessionToken] });
    assert.ok(platform.telemetry.length >= runs.length - 1, "telemetry was on and searched");
  });
});

Deno.test("secrets: the email one-time code flow", async () => {
  await withPlatform(async (platform, sb, run, runs) => {
    await run("configure --email", ["auth", "configure", "--email", EMAIL], { code: 0 });
    const code = platform.emulator.outbox().at(-1)!.code;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    await run("configure --email --otp <wrong>", [
      "auth",
      "configure",
      "--email",
      EMAIL,
      "--otp",
      wrong,
    ], { code: 9 });
    await run("configure --email --otp <code>", [
      "auth",
      "configure",
      "--email",
      EMAIL,
      "--otp",
      code,
    ], { code: 0 });
    assert.equal(platform.tokens.length, 1, "a sign-in token was issued");
    const key = await Deno.readTextFile(sb.credentials);
    assert.match(key, /^api_[0-9a-f]{32}$/);
    await run("configure --email --otp <used code>", [
      "auth",
      "configure",
      "--email",
      EMAIL,
      "--otp",
      code,
    ], { code: 9 });
    await run("configure --email again within 30 s", ["auth", "configure", "--email", EMAIL], {
      code: 11,
    });
    await run("key --force", ["auth", "key", "--force"], { prints: key, code: 0 });
    await run("status", ["auth", "status"], { code: 0 });
    await run("status --json", ["auth", "status", "--json"], { code: 0 });
    await run("logout --force", ["auth", "logout", "--force"], { code: 0 });
    assertNoLeaks(runs, platform, { keys: [key], codes: [code, wrong] });
  });
});

Deno.test("secrets: errors, faults, a server that echoes the key, unknown options, help", async () => {
  await withPlatform(async (platform, sb, run, runs) => {
    const key = await platform.newKey();
    const fault = async (path: string, mode: string, count = 10) => {
      const response = await platform.call("/_emulator/faults", { path, mode, count });
      assert.equal(response.status, 204);
    };
    const configure = ["auth", "configure", "--api-key", key];
    const env = { LUA_API_KEY: key, LUA_DEBUG: "1" };

    const check = "/admin/me/authorization";
    await fault(check, "500", 3);
    await run("configure × 500", configure, { code: 11 });
    await fault(check, "html502", 3);
    await run("status × 502 HTML", ["auth", "status"], { env, code: 11 });
    await fault(check, "not-json", 1);
    await run("status --json × not JSON", ["auth", "status", "--json"], { env, code: 11 });
    await fault(check, "redirect", 1);
    await run("configure × redirect", configure, { code: 11 });
    await fault(check, "endless", 1);
    await run("status × endless body", ["auth", "status"], { env, code: 11 });
    await fault(`${check}/context`, "500", 3);
    await run("status × 500 on the identity context", ["auth", "status"], { env, code: 11 });
    await fault(check, "hang", 3);
    await run("configure × hang", configure, { env: { LUA_DEBUG: "1" }, code: 11 });
    platform.emulator.releasePending();

    platform.echo = { status: 403 };
    await run("configure, the server echoes the key (403)", configure, { code: 9 });
    await run("status, the server echoes the key (403)", ["auth", "status"], { env, code: 9 });
    platform.echo = { status: 400 };
    // A 400 to a key check is the platform misunderstanding us: unavailable, exit 11.
    await run("configure, the server echoes the key (400)", configure, { code: 11 });
    await run("status --json, the server echoes the key (400)", ["auth", "status", "--json"], {
      env,
      code: 11,
    });
    platform.echo = undefined;

    await storeKey(sb, key);
    await run("logout --revoke (gone)", ["auth", "logout", "--force", "--revoke"], { code: 2 });

    // The OTP flow with faults.
    await run("configure --email", ["auth", "configure", "--email", EMAIL], { code: 0 });
    const code = platform.emulator.outbox().at(-1)!.code;
    const otp = ["auth", "configure", "--email", EMAIL, "--otp", code];
    await fault("/otp/verify", "500", 1);
    await run("--otp × 500", otp, { code: 11 });
    await fault("/otp/verify", "not-json", 1);
    await run("--otp × not JSON", otp, { code: 11 });
    await fault("/otp/verify", "redirect", 1);
    await run("--otp × redirect", otp, { code: 11 });
    await fault("/profile/apiKey", "html502", 1);
    await run("--otp × 502 on key creation", otp, { code: 11 });
    assert.equal(platform.tokens.length, 1, "the code was exchanged for a token");

    // Unreachable platforms.
    const unknown = {
      LUA_API_URL: "http://nonexistent.invalid",
      LUA_AUTH_URL: "http://nonexistent.invalid",
    };
    await run("configure, unknown host", configure, { env: unknown, code: 11 });
    await run("status, unknown host", ["auth", "status"], {
      env: { ...unknown, ...env },
      code: 11,
    });

    // Bad input that contains the key.
    for (
      const [label, value] of [
        ["inner space", `${key} x`],
        ["control character", `${key}\x07`],
        ["escape sequence", `${key}\x1b[2J`],
        ["non-ASCII", `${key}é`],
        ["over 4 KiB", key.repeat(120)],
      ]
    ) {
      await run(`configure --api-key with ${label}`, ["auth", "configure", "--api-key", value!], {
        code: 2,
      });
      await run(`configure --api-key - with ${label}`, ["auth", "configure", "--api-key", "-"], {
        stdin: value!,
        code: 2,
      });
    }
    await run("--api-key with --email", [...configure, "--email", EMAIL], { code: 2 });
    await run("--api-key with --otp", [...configure, "--otp", code], { code: 2 });
    await run("--otp without --email", ["auth", "configure", "--otp", code], { code: 2 });
    await run("--otp with a 7-digit code", [
      "auth",
      "configure",
      "--email",
      EMAIL,
      "--otp",
      `${code}1`,
    ], {
      code: 2,
    });

    // Unknown options and arguments next to the key.
    await run("unknown option after the key", [...configure, "--frce"], { code: 2 });
    await run("unknown option before the key", ["auth", "configure", "--frce", key], { code: 2 });
    await run("the key as an argument", ["auth", "configure", key], { code: 2 });
    await run("the key as a command", [key], { code: 2 });
    await run("auth key <key>", ["auth", "key", key], { code: 2 });
    await run("unknown option with the code", [...otp, "--frce"], { code: 2 });
    await run("interactive configure without a terminal", ["auth", "configure"], { code: 2 });

    // Malformed credentials files and .env files holding the key.
    await storeKey(sb, `${key}\n${key}\n`);
    // (Exit codes of these are another test's business: only the output is searched here.)
    await run("key --force, two keys in the file", ["auth", "key", "--force"]);
    await run("status, two keys in the file", ["auth", "status"]);
    await storeKey(sb, `LUA_API_KEY=${key}\n`);
    await run("key --force, .env format in the file", ["auth", "key", "--force"]);
    await run("status --json, .env format in the file", ["auth", "status", "--json"]);
    await Deno.remove(sb.credentials);
    await Deno.writeTextFile(join(sb.cwd, ".env"), `LUA_API_KEY="${key} x"\n`);
    await run("key --force, .env key with a space", ["auth", "key", "--force"], { code: 9 });
    await run("status, .env key with a space", ["auth", "status"], { code: 9 });
    await Deno.writeTextFile(join(sb.cwd, ".env"), `LUA_API_KEY=${key}\n`);
    await run("key without a terminal, key in .env", ["auth", "key"], { code: 2 });

    // Help, with the key everywhere it could be read from.
    await storeKey(sb, key);
    for (
      const args of [
        ["--help"],
        ["-h"],
        ["auth", "--help"],
        ["auth", "configure", "--help"],
        ["auth", "key", "--help"],
        ["auth", "status", "--help"],
        ["auth", "logout", "--help"],
        ["--version"],
      ]
    ) {
      await run(`lua ${args.join(" ")}`, args, { env, code: 0 });
    }
    assertNoLeaks(runs, platform, { keys: [key], codes: [code] });
  });
});

Deno.test({
  // Regression (fixed): a mistyped flag written with "=" echoes the key. `lua auth configure --apikey=<key>`
  // (or --api_key=<key>, --json=<key>) exits 2 with "error: unknown option '--apikey=<key>'" on
  // stderr, which puts the key in terminal scrollback and CI logs. Commander prints the option
  // as typed; src/cli/app.ts (configureOutput.outputError) should cut anything after "=" in
  // "unknown option '…'" (e.g. text.replace(/(unknown option '[^'=]*)=[^']*'/, "$1=…'")).
  ignore: false,
  name: "secrets: a mistyped --flag=<key> does not echo the key",
  async fn() {
    await withPlatform(async (platform, _sb, run, runs) => {
      const key = await platform.newKey();
      await run("--apikey=<key>", ["auth", "configure", `--apikey=${key}`], { code: 2 });
      await run("--api_key=<key>", ["auth", "configure", `--api_key=${key}`], { code: 2 });
      await run("--key=<key>", ["auth", "configure", `--key=${key}`], { code: 2 });
      await run("status --json=<key>", ["auth", "status", `--json=${key}`], { code: 2 });
      assertNoLeaks(runs, platform, { keys: [key], codes: [] });
    });
  },
});
