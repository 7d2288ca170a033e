/**
 * The world of the platform-fault tests (`e2e_faults_test.ts`, and the slow tier's
 * `slow_deadline_test.ts`): an emulator with faults, the commands that talk to the platform,
 * the faults, and the checks every case shares.
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
  type RunResult,
  type Sandbox,
  sandbox,
  storeKey,
} from "./_helpers.ts";
import { issueKey } from "./_world.ts";

/** `LUA_HTTP_TIMEOUT` for every run but one: 1 s per request, 2.8 s per command. */
const TIMEOUT_S = 1;
/** The documented bound of a command with `LUA_HTTP_TIMEOUT=1`. */
export const BOUND_MS = 2_800;
/** Start-up of the subprocess and load on a 2-core machine running several at once. */
export const SLACK_MS = 1_500;
/**
 * From the first request the emulator receives to the exit, the command runs on its own clock:
 * the bound holds with only this much slack (timers, the last abort, printing, exiting).
 */
const NETWORK_SLACK_MS = 300;
/**
 * Refused connections and unknown hosts fail fast: three tries 250 and 500 ms apart and a
 * margin (1 s in all, about 0.8 s measured alone), plus the start-up slack every bound has.
 */
export const QUICK_MS = 1_000 + SLACK_MS;
/** The default bound (10 s per request, 28 s per command), and what the issue accepts. */
export const DEFAULT_LIMIT_MS = 30_000;
/** Time from the last byte printed to the process exit: no lingering timers or sockets. */
const LINGER_MS = 500;
/** Faults are installed for this many requests, enough to cover every retry. */
const FAULT_COUNT = 10;
/**
 * How many cases run at once: two per core. The time bounds above hold with this much load;
 * under `deno test --parallel` another test file runs beside this one, and six at once on two
 * cores (as before) made a run's exit lag its last output by more than {@linkcode LINGER_MS}.
 */
export const CONCURRENCY = Math.max(2, 2 * (navigator.hardwareConcurrency || 1));
/** The address every email case signs in with. */
export const EMAIL = "ada@example.com";
const NO_HTML = /<\/?(html|body|head|title|h1|p)\b|<!doctype/i;
/** A stack trace, which no platform fault may print. */
export const STACK = /^\s+at |\.ts:\d+:\d+/m;

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

/** The commands that talk to the platform. */
export type CommandName =
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

/** Each command that talks to the platform. */
export const COMMANDS: Record<CommandName, Command> = {
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
      assert.match(run.stderr, /Authenticated as typed API key key_[0-9a-f]{8}; /);
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

/** The message of a request that timed out after {@linkcode TIMEOUT_S}. */
export const SLOW = new RegExp(`did not answer within ${TIMEOUT_S} s`);

/** Every fault, tried against every command. */
export const FAULTS: Fault[] = [
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
    message: /Cannot reach the Lua platform .*: the connection was refused$/m,
    withinMs: QUICK_MS,
  },
  {
    label: "unknown host",
    url: "unknown-host",
    message:
      /Cannot reach the Lua platform \(http:\/\/nonexistent\.invalid\): the host name was not found$/m,
    withinMs: QUICK_MS,
  },
];

/** Commands whose route is reached only after another: a URL fault says nothing new of them. */
export const SECOND_ROUTE: readonly CommandName[] = ["otp-key", "status-context"];

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
export interface Observed {
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

/** One case: a command, a fault, and the checks of what was observed. */
export interface Case {
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
export function runIn(
  world: World,
  args: readonly string[],
  base: string,
  env: Record<string, string | undefined> = {},
): Promise<TimedRun> {
  return lua(world.sb, args, {
    env: { ...platformEnv(base), LUA_HTTP_TIMEOUT: String(TIMEOUT_S), ...env },
  });
}

/** Whether `name` must succeed despite `fault` (or with no fault at all). */
export function succeeds(name: CommandName, fault: Fault | undefined): boolean {
  return fault !== undefined &&
    (fault.message === undefined || fault.succeedsFor?.includes(name) === true);
}

/** Runs a case in a world of its own and records what happened; the world is then closed. */
export async function observe(c: Case): Promise<Observed> {
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

/** A run, described for an assertion message. */
export function describe(run: TimedRun): string {
  return `exit ${run.code} after ${Math.round(run.ms)} ms (lingered ${
    Math.round(run.lingerMs)
  } ms)\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}

/** The common checks of a run that must fail because of the platform. */
export function failedCleanly(o: Observed, message: RegExp, command: Command): void {
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

/** The time checks: within the bound, at least the timeout when one was waited for, no lingering. */
export function timely(
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
