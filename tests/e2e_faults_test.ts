/**
 * End-to-end tests of platform faults: every command that talks to the platform, against every
 * way the platform can fail, gives the right message and exit code within the documented time,
 * stores nothing, exits as soon as it has printed, and never repeats a POST.
 *
 * Runs are independent (one emulator and one sandbox each) and go several at a time; each case
 * is then checked in its own step.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startEmulator } from "../emulator/server.ts";
import type { RunningEmulator } from "../emulator/server.ts";
import {
  exists,
  lua,
  platformEnv,
  pool,
  type RunResult,
  type Sandbox,
  sandbox,
  storeKey,
} from "./_helpers.ts";
import { issueKey } from "./_world.ts";

/** `LUA_HTTP_TIMEOUT` for every run but one: 1 s per request, 2.8 s per command. */
const TIMEOUT_S = 1;
/** The documented bound of a command with `LUA_HTTP_TIMEOUT=1`. */
const BOUND_MS = 2_800;
/** Start-up of the subprocess and load on a 2-core machine running several at once. */
const SLACK_MS = 1_500;
/**
 * From the first request the emulator receives to the exit, the command runs on its own clock:
 * the bound holds with only this much slack (timers, the last abort, printing, exiting).
 */
const NETWORK_SLACK_MS = 300;
/** Refused connections and unknown hosts fail fast. */
const QUICK_MS = 2_000;
/** The default bound (10 s per request, 28 s per command), and what the issue accepts. */
const DEFAULT_LIMIT_MS = 30_000;
/** Time from the last byte printed to the process exit: no lingering timers or sockets. */
const LINGER_MS = 500;
/** Faults are installed for this many requests, enough to cover every retry. */
const FAULT_COUNT = 10;
const CONCURRENCY = 6;
const EMAIL = "ada@example.com";
const NO_HTML = /<\/?(html|body|head|title|h1|p)\b|<!doctype/i;
const STACK = /^\s+at |\.ts:\d+:\d+/m;

// ---------------------------------------------------------------------------------------------
// The world of one case

/** Answer a request normally, then lose the answer: the server did the work, the CLI never knew. */
type Lost = { path: string; mode: "500" | "hang" };

interface World {
  server: RunningEmulator;
  sb: Sandbox;
  /** The emulator's own handler, for setting up without counting. */
  direct: (path: string, body?: unknown, init?: RequestInit) => Promise<Response>;
  /** `METHOD /path` of every request from the CLI. */
  requests: string[];
  /** When the first request from the CLI arrived, on `performance.now()`. */
  firstRequestAt: number | undefined;
  /** A key the emulator knows, when the command needs one. */
  key: string;
  /** A live code for {@linkcode EMAIL}, when the command needs one. */
  code: string;
  close(): Promise<void>;
}

async function makeWorld(lost?: Lost): Promise<World> {
  const server = await startEmulator();
  const handler = server.emulator.handler;
  const requests: string[] = [];
  const releases = new Set<() => void>();
  server.emulator.handler = async (request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/_emulator")) return handler(request);
    requests.push(`${request.method} ${path}`);
    world.firstRequestAt ??= performance.now();
    if (lost === undefined || path !== lost.path) return handler(request);
    const answer = await handler(request);
    await answer.body?.cancel();
    if (lost.mode === "500") {
      return new Response('{"error":"internal_error","message":"Injected: answer lost."}', {
        status: 500,
        headers: { "content-type": "application/json" },
      });
    }
    await new Promise<void>((resolve) => {
      releases.add(resolve);
      if (request.signal.aborted) resolve();
      request.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    return new Response(null, { status: 503 });
  };
  const direct = (path: string, body?: unknown, init: RequestInit = {}) =>
    handler(
      new Request(`${server.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...init,
      }),
    );
  const sb = await sandbox();
  const world: World = {
    server,
    sb,
    direct,
    requests,
    firstRequestAt: undefined,
    key: "",
    code: "",
    async close() {
      for (const release of releases) release();
      await server.close();
      await sb.cleanup();
    },
  };
  return world;
}

/** The CLI run of a case; `lua()` of the helpers times the last output and the exit. */
type TimedRun = RunResult;

async function sendCode(world: World): Promise<string> {
  const response = await world.direct("/otp", { email: EMAIL, type: "email" });
  assert.equal(response.status, 200);
  await response.body?.cancel();
  return world.server.emulator.outbox().at(-1)!.code;
}

/** Whether the emulator holds `key`, not revoked (read from its store: faults do not apply). */
async function keyWorks(world: World, key: string): Promise<boolean> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  const stored = world.server.emulator.keys().find((k) => k.keyHash === hash);
  return stored !== undefined && !stored.revoked;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  return await exists(path) ? await Deno.readTextFile(path) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Commands and faults

type CommandName =
  | "api-key"
  | "api-key-typed"
  | "email"
  | "otp"
  | "otp-key"
  | "status"
  | "status-context";

interface Command {
  label: string;
  /** The route a fault goes on. */
  path: string;
  /** GET is retried up to 3 times; POST never once sent. */
  retried: boolean;
  /** Whether a credentials file exists before, and must be left as it was on failure. */
  stored: boolean;
  setup(world: World): Promise<void>;
  args(world: World): string[];
  /** Checks the outcome of a run that must succeed. */
  succeeded(world: World, run: TimedRun): Promise<void>;
}

/** A legacy key for {@linkcode EMAIL}, stored in the credentials file. */
async function storedLegacyKey(world: World): Promise<void> {
  world.key = await issueKey(world.server, EMAIL);
  await storeKey(world.sb, world.key);
}

async function configuredWithCode(world: World, run: TimedRun): Promise<void> {
  assert.match(run.stderr, /✅ API key generated and saved securely\./);
  assert.match(await Deno.readTextFile(world.sb.credentials), /^api_[0-9a-f]{32}$/);
  assert.equal(world.server.emulator.keys().length, 1);
}

const COMMANDS: Record<CommandName, Command> = {
  "api-key": {
    label: "auth configure --api-key <legacy>",
    path: "/admin/me/authorization",
    retried: true,
    stored: false,
    async setup(world) {
      world.key = await issueKey(world.server, EMAIL);
    },
    args: (world) => ["auth", "configure", "--api-key", world.key],
    async succeeded(world, run) {
      assert.match(run.stderr, /Authenticated as ada@example\.com/);
      assert.equal(await Deno.readTextFile(world.sb.credentials), world.key);
    },
  },
  "api-key-typed": {
    label: "auth configure --api-key <typed>",
    path: "/admin/me/authorization",
    retried: true,
    stored: false,
    async setup(world) {
      world.key = await issueKey(world.server, EMAIL, "typed");
    },
    args: (world) => ["auth", "configure", "--api-key", world.key],
    async succeeded(world, run) {
      assert.match(run.stderr, /Authenticated as typed API key key_[0-9a-f]{8}\./);
      assert.equal(await Deno.readTextFile(world.sb.credentials), world.key);
    },
  },
  email: {
    label: "auth configure --email e",
    path: "/otp",
    retried: false,
    stored: false,
    async setup() {},
    args: () => ["auth", "configure", "--email", EMAIL],
    async succeeded(world, run) {
      assert.match(run.stderr, /Check your email for a 6-digit code\./);
      assert.equal(await exists(world.sb.credentials), false);
    },
  },
  otp: {
    label: "auth configure --email e --otp <code> (on /otp/verify)",
    path: "/otp/verify",
    retried: false,
    stored: false,
    async setup(world) {
      world.code = await sendCode(world);
    },
    args: (world) => ["auth", "configure", "--email", EMAIL, "--otp", world.code],
    succeeded: configuredWithCode,
  },
  "otp-key": {
    label: "auth configure --email e --otp <code> (on /profile/apiKey)",
    path: "/profile/apiKey",
    retried: false,
    stored: false,
    async setup(world) {
      world.code = await sendCode(world);
    },
    args: (world) => ["auth", "configure", "--email", EMAIL, "--otp", world.code],
    succeeded: configuredWithCode,
  },
  status: {
    label: "auth status",
    path: "/admin/me/authorization",
    retried: true,
    stored: true,
    setup: storedLegacyKey,
    args: () => ["auth", "status"],
    async succeeded(world, run) {
      assert.match(run.stdout, /Authenticated as ada@example\.com \(Ada\), 1 organisation\./);
      assert.equal(await Deno.readTextFile(world.sb.credentials), world.key);
    },
  },
  "status-context": {
    label: "auth status (on /admin/me/authorization/context)",
    path: "/admin/me/authorization/context",
    retried: true,
    stored: true,
    setup: storedLegacyKey,
    args: () => ["auth", "status"],
    async succeeded(world, run) {
      assert.match(run.stdout, /Authenticated as ada@example\.com \(Ada\), 1 organisation\./);
      assert.equal(await Deno.readTextFile(world.sb.credentials), world.key);
    },
  },
};

interface Fault {
  label: string;
  /** An emulator fault on the command's route. */
  mode?: "500" | "html502" | "not-json" | "hang" | "delay" | "wrapped" | "redirect" | "endless";
  delayMs?: number;
  /** Point the CLI at this instead of the emulator. */
  url?: "refused" | "unknown-host";
  /** What the user must be told; absent when the command must succeed. */
  message?: RegExp;
  /** Commands that succeed all the same (a 2xx with any body is a sent code). */
  succeedsFor?: readonly CommandName[];
  /** At least this long: the timeout was waited for. */
  atLeastMs?: number;
  /** At most this long. */
  withinMs: number;
}

const SLOW = new RegExp(`did not answer within ${TIMEOUT_S} s`);

const FAULTS: Fault[] = [
  {
    label: "500",
    mode: "500",
    message: /answered with an error \(HTTP 500\)/,
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "502 with HTML",
    mode: "html502",
    message: /answered with an error \(HTTP 502\)/,
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "200 with a non-JSON body",
    mode: "not-json",
    message: /does not understand|answered unexpectedly \(HTTP 200\)/,
    succeedsFor: ["email"],
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "the answer wrapped in {success, data}",
    mode: "wrapped",
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "a redirect to another host",
    mode: "redirect",
    message: /redirect \(HTTP 307\) to elsewhere\.invalid; this CLI never follows redirects/,
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "an endless body",
    mode: "endless",
    message: /larger than 1 MiB/,
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "accepts and never answers",
    mode: "hang",
    message: SLOW,
    atLeastMs: TIMEOUT_S * 1000,
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "answers after longer than the timeout",
    mode: "delay",
    delayMs: 5_000,
    message: SLOW,
    atLeastMs: TIMEOUT_S * 1000,
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "answers after less than the timeout",
    mode: "delay",
    delayMs: 300,
    atLeastMs: 300,
    withinMs: BOUND_MS + SLACK_MS,
  },
  {
    label: "connection refused",
    url: "refused",
    message: /Cannot reach the Lua platform .*: the connection was refused\./,
    withinMs: QUICK_MS,
  },
  {
    label: "unknown host",
    url: "unknown-host",
    message:
      /Cannot reach the Lua platform \(http:\/\/nonexistent\.invalid\): the host name was not found\./,
    withinMs: QUICK_MS,
  },
];

/** Commands whose route is reached only after another: a URL fault says nothing new of them. */
const SECOND_ROUTE: readonly CommandName[] = ["otp-key", "status-context"];

/**
 * A closed port on 127.0.0.1: a privileged one (never handed out to the emulators started
 * alongside, which get ephemeral ports), not on fetch's list of blocked ports, checked to refuse.
 */
async function closedPort(): Promise<number> {
  for (const port of [4, 5, 6, 8, 10, 12, 14, 16, 18]) {
    try {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port });
      connection.close();
    } catch (error) {
      if (error instanceof Deno.errors.ConnectionRefused) return port;
    }
  }
  throw new Error("no closed port found on 127.0.0.1");
}

// ---------------------------------------------------------------------------------------------
// Cases

/** What a case observed, for its step to check. */
interface Observed {
  run: TimedRun;
  requests: string[];
  /** From the first request the emulator received to the exit, ms. */
  networkMs: number | undefined;
  outbox: number;
  keys: number;
  /** The credentials file before and after the run. */
  before: string | undefined;
  after: string | undefined;
  /** The stored key still works on the platform. */
  keyWorks: boolean | undefined;
  /** Extra checks that need the world; run before it closes. */
  success?: Error | undefined;
}

interface Case {
  name: string;
  command: CommandName;
  fault?: Fault;
  lost?: Lost;
  /** Extra fault on another route than the command's. */
  faultPath?: string;
  /** Variables for the run; `undefined` leaves one unset. */
  env?: Record<string, string | undefined>;
  /** Runs before the measured run (the first of two `--email`). */
  before?: (world: World) => Promise<TimedRun>;
  /** The command line instead of the command's (the fault and setup stay the command's). */
  args?: string[];
  check(observed: Observed): void;
}

async function url(world: World, fault: Fault | undefined): Promise<string> {
  if (fault?.url === "refused") return `http://127.0.0.1:${await closedPort()}`;
  if (fault?.url === "unknown-host") return "http://nonexistent.invalid";
  return world.server.url;
}

/** Runs the CLI in the world, with 1 s per request unless the case says otherwise. */
function runIn(
  world: World,
  args: readonly string[],
  base: string,
  env: Record<string, string | undefined> = {},
): Promise<TimedRun> {
  return lua(world.sb, args, {
    env: { ...platformEnv(base), LUA_HTTP_TIMEOUT: String(TIMEOUT_S), ...env },
  });
}

function succeeds(name: CommandName, fault: Fault | undefined): boolean {
  return fault !== undefined &&
    (fault.message === undefined || fault.succeedsFor?.includes(name) === true);
}

async function observe(c: Case): Promise<Observed> {
  const world = await makeWorld(c.lost);
  try {
    const command = COMMANDS[c.command];
    await command.setup(world);
    const path = c.faultPath ?? command.path;
    if (c.fault?.mode !== undefined) {
      const response = await world.direct("/_emulator/faults", {
        path,
        mode: c.fault.mode,
        count: FAULT_COUNT,
        ...(c.fault.delayMs === undefined ? {} : { delayMs: c.fault.delayMs }),
      });
      assert.equal(response.status, 204);
    }
    const base = await url(world, c.fault);
    if (c.before) await c.before(world);
    world.firstRequestAt = undefined;
    world.requests.length = 0;
    const before = await readOrUndefined(world.sb.credentials);
    const run = await runIn(world, c.args ?? command.args(world), base, c.env);
    const observed: Observed = {
      run,
      requests: [...world.requests],
      networkMs: world.firstRequestAt === undefined
        ? undefined
        : run.exitedAt - world.firstRequestAt,
      outbox: world.server.emulator.outbox().length,
      keys: world.server.emulator.keys().length,
      before,
      after: await readOrUndefined(world.sb.credentials),
      keyWorks: world.key ? await keyWorks(world, world.key) : undefined,
    };
    if (c.args === undefined && succeeds(c.command, c.fault)) {
      try {
        assert.equal(run.code, 0, run.stderr);
        await command.succeeded(world, run);
      } catch (error) {
        observed.success = error as Error;
      }
    }
    return observed;
  } finally {
    await world.close();
  }
}

function describe(run: TimedRun): string {
  return `exit ${run.code} after ${Math.round(run.ms)} ms (lingered ${
    Math.round(run.lingerMs)
  } ms)\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}

/** The common checks of a run that must fail because of the platform. */
function failedCleanly(o: Observed, message: RegExp, command: Command): void {
  const { run } = o;
  const said = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.code, 11, describe(run));
  assert.match(said, message, describe(run));
  assert.doesNotMatch(said, NO_HTML, "no HTML");
  assert.doesNotMatch(said, STACK, "no stack trace");
  assert.doesNotMatch(said, /unexpected error|bug in the Lua CLI/);
  if (command.stored) {
    assert.notEqual(o.before, undefined);
    assert.equal(o.after, o.before, "the credentials file is left as it was");
  } else {
    assert.equal(o.after, undefined, "no credentials file is written");
  }
  if (o.keyWorks !== undefined) assert.equal(o.keyWorks, true, "the key still works");
}

function timely(
  o: Observed,
  fault: { atLeastMs?: number; withinMs: number; boundMs?: number },
): void {
  const { run } = o;
  assert.ok(run.ms <= fault.withinMs, `took ${Math.round(run.ms)} ms > ${fault.withinMs} ms`);
  const bound = (fault.boundMs ?? BOUND_MS) + NETWORK_SLACK_MS;
  if (o.networkMs !== undefined) {
    const ms = Math.round(o.networkMs);
    assert.ok(ms <= bound, `${ms} ms from the first request to the exit > ${bound} ms`);
  }
  if (fault.atLeastMs !== undefined) {
    assert.ok(run.ms >= fault.atLeastMs, `took ${Math.round(run.ms)} ms < ${fault.atLeastMs} ms`);
  }
  assert.ok(run.lingerMs <= LINGER_MS, `exited ${Math.round(run.lingerMs)} ms after printing`);
}

const MATRIX: Case[] = (Object.keys(COMMANDS) as CommandName[]).flatMap((name) =>
  FAULTS.filter((fault) => fault.url === undefined || !SECOND_ROUTE.includes(name)).map(
    (fault): Case => ({
      name: `${COMMANDS[name].label} × ${fault.label}`,
      command: name,
      fault,
      check(o) {
        const command = COMMANDS[name];
        const reached = o.requests.filter((r) => r.endsWith(` ${command.path}`));
        if (succeeds(name, fault)) {
          timely(o, fault);
          if (o.success) throw o.success;
          assert.equal(reached.length, 1, `one request: ${o.requests}`);
          if (name === "email") {
            // Any 2xx is a sent code; the emulator sent one unless the fault stood in for it.
            assert.equal(o.outbox, fault.mode === "not-json" ? 0 : 1, "one email at most");
          }
          return;
        }
        timely(o, fault);
        failedCleanly(o, fault.message!, command);
        if (fault.url !== undefined) {
          assert.deepEqual(o.requests, [], "nothing reached the emulator");
        } else if (command.retried && fault.mode !== "redirect") {
          assert.ok(reached.length >= 1 && reached.length <= 3, `1 to 3 tries: ${o.requests}`);
        } else {
          assert.equal(reached.length, 1, `a POST or a redirect is sent once: ${o.requests}`);
        }
        if (name === "email") assert.equal(o.outbox, 0, "a faulted request sends no email");
        if (name === "otp") assert.equal(o.keys, 0, "no key is created");
      },
    }),
  )
);

const EXTRA: Case[] = [
  {
    name:
      "auth status with the default timeout and a hang on /admin/me/authorization ends within 30 s",
    command: "status",
    fault: {
      label: "hang",
      mode: "hang",
      message: /did not answer within 10 s/,
      atLeastMs: 10_000,
      withinMs: DEFAULT_LIMIT_MS,
    },
    env: { LUA_HTTP_TIMEOUT: undefined },
    check(o) {
      failedCleanly(o, /did not answer within 10 s/, COMMANDS.status);
      timely(o, { atLeastMs: 10_000, withinMs: DEFAULT_LIMIT_MS, boundMs: 28_000 });
      const tries = o.requests.filter((r) => r === "GET /admin/me/authorization").length;
      assert.ok(tries >= 1 && tries <= 3, `1 to 3 tries: ${o.requests}`);
    },
  },
  ...(["500", "hang"] as const).map((mode): Case => ({
    name: `auth configure --email e × ${mode} on /otp after the email was sent: exactly one email`,
    command: "email",
    lost: { path: "/otp", mode },
    check(o) {
      failedCleanly(o, mode === "500" ? /HTTP 500/ : SLOW, COMMANDS.email);
      timely(o, { withinMs: BOUND_MS + SLACK_MS });
      assert.deepEqual(o.requests, ["POST /otp"], "the POST is not repeated");
      assert.equal(o.outbox, 1, "exactly one email");
    },
  })),
  ...(["500", "hang"] as const).map((mode): Case => ({
    name:
      `auth configure --email e --otp <code> × ${mode} on /profile/apiKey after the key was created: exactly one key`,
    command: "otp-key",
    lost: { path: "/profile/apiKey", mode },
    check(o) {
      failedCleanly(o, mode === "500" ? /HTTP 500/ : SLOW, COMMANDS["otp-key"]);
      timely(o, { withinMs: BOUND_MS + SLACK_MS });
      assert.deepEqual(o.requests, ["POST /otp/verify", "POST /profile/apiKey"]);
      assert.equal(o.keys, 1, "exactly one key");
    },
  })),
  ...(["500", "hang"] as const).map((mode): Case => ({
    name: `auth configure --email e --otp <code> × ${mode} fault on /profile/apiKey: no key`,
    command: "otp-key",
    fault: {
      label: mode,
      mode,
      message: mode === "500" ? /HTTP 500/ : SLOW,
      withinMs: BOUND_MS + SLACK_MS,
    },
    check(o) {
      failedCleanly(o, mode === "500" ? /HTTP 500/ : SLOW, COMMANDS["otp-key"]);
      timely(o, { withinMs: BOUND_MS + SLACK_MS });
      assert.deepEqual(o.requests, ["POST /otp/verify", "POST /profile/apiKey"]);
      assert.equal(o.keys, 0, "no key: the faulted request was not processed, nor repeated");
    },
  })),
  ...(["hang", "unknown-host"] as const).map((what): Case => ({
    name: `auth logout --force × ${what}: no request, the file deleted at once`,
    command: "status",
    args: ["auth", "logout", "--force"],
    fault: what === "hang"
      ? { label: what, mode: "hang", withinMs: QUICK_MS }
      : { label: what, url: "unknown-host", withinMs: QUICK_MS },
    check(o) {
      assert.equal(o.run.code, 0, describe(o.run));
      assert.match(o.run.stderr, /API key deleted successfully\./);
      assert.match(o.run.stderr, /admin dashboard \(https:\/\/admin\.heylua\.ai\)/);
      assert.deepEqual(o.requests, [], "logout asks nothing of the platform");
      assert.equal(o.after, undefined);
      assert.equal(o.keyWorks, true, "the key stays valid: nothing revokes it");
      timely(o, { withinMs: QUICK_MS });
    },
  })),
  {
    name: "a second --email within 30 s is told how many seconds to wait; one email",
    command: "email",
    before: async (world) => {
      const first = await runIn(world, ["auth", "configure", "--email", EMAIL], world.server.url);
      assert.equal(first.code, 0, first.stderr);
      return first;
    },
    check(o) {
      assert.equal(o.run.code, 11, describe(o.run));
      assert.match(o.run.stderr, /Wait ([1-9]|[12][0-9]|30) s\b/, describe(o.run));
      assert.doesNotMatch(o.run.stderr, STACK);
      assert.deepEqual(o.requests, ["POST /otp"]);
      assert.equal(o.outbox, 1, "exactly one email");
      assert.equal(o.after, undefined);
      timely(o, { withinMs: QUICK_MS });
    },
  },
];

const CASES: Case[] = [...EXTRA.slice(0, 1), ...MATRIX, ...EXTRA.slice(1)];

Deno.test("platform faults: message, exit code, time bound, nothing stored, no repeated POST", async (t) => {
  // The one long case (about 28 s) starts first and runs alongside the others.
  const settled = await pool(
    CASES,
    CONCURRENCY,
    (c) => observe(c).then((o) => ({ o }), (error: unknown) => ({ error })),
  );
  for (const [i, c] of CASES.entries()) {
    await t.step(c.name, () => {
      const outcome = settled[i]!;
      if ("error" in outcome) throw outcome.error;
      c.check(outcome.o);
    });
  }
});
