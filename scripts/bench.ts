/**
 * Start-up benchmark: wall time and peak memory of every kind of command line README shows (help
 * screens, the version, every command, usage errors, configure against an emulator on loopback in
 * each non-interactive form: `--api-key`, `--api-key -` on stdin, `--email`, `--email --otp`),
 * as ratios to the runtime floor measured in the same run (`deno run` of an empty file;
 * `node -e 0` for the npm build).
 *
 * ```sh
 * npx -y deno@2.9.6 task bench [--runs 21] [--warmup 3] [--npm] [--only <regexp>]
 * ```
 *
 * `--only` keeps the rows whose name matches (and their floors), to measure one change quickly.
 *
 * The time ratio is the median of per-round ratios (held to the targets); the p10 ratio, of the
 * fastest tenth of each, shows what the code costs when other work on the machine does not add
 * to it.
 *
 * Telemetry is off during the runs (`LUA_TELEMETRY=false`), except in one row that sends it to
 * an emulator on loopback (its cost over a real network is bounded at 150 ms by design). Peak
 * memory comes from GNU time (`/usr/bin/time`); where it is missing, memory is reported as n/a.
 *
 * The `lua` rows run what `deno install` installs (README): the bundle `deno task build:deno`
 * writes, built afresh into the run's directory. A few rows run the source tree, `main.ts`, for
 * comparison.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../emulator/server.ts";
import { buildDeno } from "./build_deno.ts";
import { createClient } from "../src/client.ts";
import { denoContext } from "../src/context.ts";
import { newTelemetryFile, writeTelemetryFile } from "../src/cli/telemetry.ts";
import { denoRunLua, LUA_PERMISSIONS as PERMISSIONS } from "../tests/_helpers.ts";
import { issueKey } from "../testing/issue_key.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Every command line that needs no network is held to this ratio to the floor. */
const TARGET = 1.3;

interface Case {
  name: string;
  command: string;
  /** The arguments, or a function giving them afresh for each run. */
  args: string[] | (() => string[]);
  /** The exit code the run must end with (default 0). */
  code?: number;
  /** Run before each run, untimed (e.g. to store the key `logout` deletes). */
  prepare?: () => Promise<void>;
  /** Run after each run, untimed (e.g. to put back the key `logout` deleted). */
  restore?: () => Promise<void>;
  /** What the command reads on stdin; none (closed) by default. */
  stdin?: string;
  /** Index of the floor case this one is compared with; undefined for a floor. */
  floor?: number;
  timeTarget?: number | undefined;
  memoryTarget?: number;
  /** Extra environment for this case. */
  env?: Record<string, string>;
}

interface Measured {
  median: number;
  /** The median over rounds of this run's time over its floor's in the same round. */
  ratio: number | undefined;
  p10: number;
  p90: number;
  rssMiB: number | null;
}

function flag(name: string, fallback: number): number {
  const index = Deno.args.indexOf(name);
  const value = index >= 0 ? Number(Deno.args[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

async function hasGnuTime(): Promise<boolean> {
  try {
    const out = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%M", "true"],
      stderr: "piped",
      stdout: "null",
    }).output();
    return out.success && /^\d+/.test(new TextDecoder().decode(out.stderr).trim());
  } catch {
    return false;
  }
}

function argsOf(c: Case): string[] {
  return typeof c.args === "function" ? c.args() : c.args;
}

/** Runs a case's program (or `/usr/bin/time` around it), with its stdin. */
async function execute(
  c: Case,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  stderr: "null" | "piped",
): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(command, {
    args,
    env,
    clearEnv: true,
    cwd,
    stdin: c.stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr,
  }).spawn();
  if (c.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(c.stdin));
    await writer.close();
  }
  return await child.output();
}

async function runOnce(c: Case, env: Record<string, string>, cwd: string): Promise<number> {
  await c.prepare?.();
  const args = argsOf(c);
  const started = performance.now();
  const out = await execute(c, c.command, args, env, cwd, "null");
  const ms = performance.now() - started;
  await c.restore?.();
  if (out.code !== (c.code ?? 0)) throw new Error(`${c.name} exited ${out.code}`);
  return ms;
}

async function peakRss(c: Case, env: Record<string, string>, cwd: string): Promise<number> {
  await c.prepare?.();
  const out = await execute(
    c,
    "/usr/bin/time",
    ["-f", "%M", c.command, ...argsOf(c)],
    env,
    cwd,
    "piped",
  );
  await c.restore?.();
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  return Number(lines.at(-1)) / 1024;
}

/**
 * Measures every case round-robin: each repetition runs every case once, each right after a run
 * of its floor, so that a command and the floor it is compared with share the machine's noise of
 * that moment. A case's ratio is the median of those paired ratios, which a busy machine disturbs
 * less than the ratio of two medians (or of two runs half a round apart: on a noisy machine one
 * run's ratios had moved by 0.05 from the next). A floor's own time is over all its runs.
 */
async function measureAll(
  cases: Case[],
  env: Record<string, string>,
  cwd: string,
  runs: number,
  warmup: number,
  gnuTime: boolean,
): Promise<Measured[]> {
  const envOf = (c: Case) => ({ ...env, ...c.env });
  for (let i = 0; i < warmup; i++) for (const c of cases) await runOnce(c, envOf(c), cwd);
  const times: number[][] = cases.map(() => []);
  /** Each case's floor time, run just before it, round by round. */
  const paired: number[][] = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, c] of cases.entries()) {
      if (c.floor !== undefined) {
        const floor = await runOnce(cases[c.floor]!, envOf(cases[c.floor]!), cwd);
        times[c.floor]!.push(floor);
        paired[j]!.push(floor);
      }
      times[j]!.push(await runOnce(c, envOf(c), cwd));
    }
  }
  const rss: number[][] = cases.map(() => []);
  if (gnuTime) {
    for (let i = 0; i < Math.min(runs, 7); i++) {
      for (const [j, c] of cases.entries()) rss[j]!.push(await peakRss(c, envOf(c), cwd));
    }
  }
  return cases.map((c, j) => {
    const floor = c.floor === undefined ? undefined : paired[j]!;
    const ratios = floor ? times[j]!.map((t, i) => t / floor[i]!).sort((a, b) => a - b) : [];
    const sorted = [...times[j]!].sort((a, b) => a - b);
    const samples = rss[j]!.sort((a, b) => a - b);
    return {
      median: quantile(sorted, 0.5),
      ratio: ratios.length > 0 ? quantile(ratios, 0.5) : undefined,
      p10: quantile(sorted, 0.1),
      p90: quantile(sorted, 0.9),
      rssMiB: samples.length > 0 ? quantile(samples, 0.5) : null,
    };
  });
}

async function nodeVersion(): Promise<string> {
  try {
    return (await sh("node", ["--version"], ROOT)).trim();
  } catch {
    return "not found";
  }
}

async function sh(command: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Builds the npm package, packs it and installs it into `dir`; returns the CLI's entry. */
async function installNpmBuild(dir: string): Promise<string> {
  await sh(Deno.execPath(), ["task", "build:npm"], ROOT);
  const packed = (await sh("npm", ["pack", "--pack-destination", dir, join(ROOT, "npm")], dir))
    .trim().split("\n").at(-1)!;
  const prefix = join(dir, "npm-install");
  await Deno.mkdir(prefix);
  await sh("npm", ["install", "--no-audit", "--no-fund", join(dir, packed)], prefix);
  const installed = join(prefix, "node_modules", "@lua", "cli");
  const { bin } = JSON.parse(await Deno.readTextFile(join(installed, "package.json")));
  return join(installed, bin.lua);
}

/**
 * Runs the benchmark and prints the table.
 *
 * @returns 0 when every target is met, 1 otherwise.
 */
export async function bench(): Promise<number> {
  const runs = flag("--runs", 21);
  const warmup = flag("--warmup", 3);
  const dir = await Deno.makeTempDir({ prefix: "lua-bench-" });
  const home = join(dir, "home");
  const cwd = join(dir, "project");
  await Deno.mkdir(join(home, ".lua-cli"), { recursive: true, mode: 0o700 });
  await Deno.mkdir(cwd);
  await Deno.writeTextFile(join(dir, "empty.ts"), "");
  // Telemetry on, its notice already shown, as on any machine after the first run (the other
  // rows turn it off with LUA_TELEMETRY=false). Written by the CLI's own writer: the format is
  // defined once.
  const inHome = { ...denoContext(), env: (name: string) => name === "HOME" ? home : undefined };
  await writeTelemetryFile(inHome, { ...newTelemetryFile(), noticeShown: true });
  // Telemetry and the platform are an emulator on loopback: what a request costs without the
  // network's latency.
  const emulator = await startEmulator();
  const key = await issueKey(emulator, "bench@example.com");
  const credentials = join(home, ".lua-cli", "credentials");
  const storeKey = () => Deno.writeTextFile(credentials, key, { mode: 0o600 });
  await storeKey();
  const env: Record<string, string> = {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    // The run's own cache, gone with it: each run's bundle has a new path, and its code cache
    // (some 170 KB) would otherwise stay in the user's DENO_DIR for good. The warm-up rounds
    // fill it.
    DENO_DIR: join(dir, "deno-dir"),
    DENO_NO_UPDATE_CHECK: "1",
    LUA_TELEMETRY: "false",
    NO_COLOR: "1",
    LUA_AUTH_URL: emulator.url,
    LUA_API_URL: emulator.url,
    // The telemetry row sends to the emulator too, never to the platform's PostHog project.
    LUA_TELEMETRY_URL: emulator.url,
  };
  const deno = Deno.execPath();
  // What `deno install` (README) runs: the bundle, with its flags and no deno.json, as the
  // end-to-end tests run it under test:bundle.
  const bundle = await buildDeno(ROOT, join(dir, "lua.js"));
  const lua = (...args: string[]) => [...denoRunLua(PERMISSIONS, bundle), ...args];
  // The source tree, as `deno task lua` runs it: shown for comparison, held to no target.
  const source = (
    ...args: string[]
  ) => ["run", "--config", join(ROOT, "deno.json"), ...PERMISSIONS, join(ROOT, "main.ts"), ...args];
  let emails = 0;
  let otpLine: string[] = [];
  /** Step one through the CLI's own client (untimed): the code the emulator emailed `email`. */
  const client = createClient(denoContext(), { authUrl: emulator.url, apiUrl: emulator.url });
  const emailedCode = async (email: string): Promise<string> => {
    await client.requestOtp(email);
    return emulator.emulator.outbox().findLast((mail) => mail.to === email)!.code;
  };
  // One row per kind of command line in README; every one is held to 1.3x the floor, except
  // telemetry (which sends a request of its own) and the rows that talk to the platform.
  const line = (name: string, args: string[] | (() => string[]), extra: Partial<Case> = {}) => ({
    name: `lua ${name}`,
    command: deno,
    args,
    floor: 0,
    timeTarget: TARGET,
    ...extra,
  });
  let cases: Case[] = [
    { name: "deno run empty.ts (floor)", command: deno, args: ["run", join(dir, "empty.ts")] },
    line("auth key --force", lua("auth", "key", "--force"), { memoryTarget: 1.5 }),
    line("auth token", lua("auth", "token")),
    line("auth status --offline", lua("auth", "status", "--offline")),
    line("auth status --offline --json", lua("auth", "status", "--offline", "--json")),
    line("auth status (platform on loopback)", lua("auth", "status"), { timeTarget: undefined }),
    // Each row that changes the stored key puts it back after its run.
    line("auth logout --force", lua("auth", "logout", "--force"), { restore: storeKey }),
    line("auth configure --api-key <key> (loopback)", lua("auth", "configure", "--api-key", key), {
      timeTarget: undefined,
    }),
    line(
      "auth configure --email <e> (loopback)",
      () => lua("auth", "configure", "--email", `bench${emails++}@example.com`),
      { timeTarget: undefined },
    ),
    line(
      "auth configure --api-key - (stdin, loopback)",
      lua("auth", "configure", "--api-key", "-"),
      {
        timeTarget: undefined,
        stdin: `${key}\n`,
      },
    ),
    line("auth configure --email <e> --otp <code> (loopback)", () => otpLine, {
      timeTarget: undefined,
      prepare: async () => {
        const email = `otp${emails++}@example.com`;
        otpLine = lua("auth", "configure", "--email", email, "--otp", await emailedCode(email));
      },
      restore: storeKey,
    }),
    line("auth configure (no terminal: usage error)", lua("auth", "configure"), { code: 2 }),
    line("--help", lua("--help")),
    line("auth --help", lua("auth", "--help")),
    line("auth configure --help", lua("auth", "configure", "--help")),
    line("help auth status", lua("help", "auth", "status")),
    line("--version", lua("--version")),
    line("completion bash", lua("completion", "bash")),
    line("telemetry status", lua("telemetry", "status")),
    line("auth staus (unknown command)", lua("auth", "staus"), { code: 2 }),
    line("auth key --frce (unknown option)", lua("auth", "key", "--frce"), { code: 2 }),
    line("auth configure --otp (missing value)", lua("auth", "configure", "--otp"), { code: 2 }),
    line("auth key --force, telemetry on (loopback)", lua("auth", "key", "--force"), {
      timeTarget: undefined,
      env: { LUA_TELEMETRY: "true" },
    }),
    ...[["auth", "key", "--force"], ["--version"], ["auth", "configure", "--help"]].map((args) =>
      line(`${args.join(" ")} (main.ts, the source tree)`, source(...args), {
        timeTarget: undefined,
      })
    ),
  ];
  const npmMain = Deno.args.includes("--npm") ? await installNpmBuild(dir) : undefined;
  const node = "node";
  if (npmMain) {
    const floor = cases.length;
    cases.push(
      { name: "node -e 0 (floor)", command: node, args: ["-e", "0"] },
      {
        name: "npm: lua auth key --force",
        command: node,
        args: [npmMain, "auth", "key", "--force"],
        floor,
        timeTarget: 1.5,
        memoryTarget: 1.5,
      },
      { name: "npm: lua --help", command: node, args: [npmMain, "--help"], floor, timeTarget: 2.5 },
      {
        name: "npm: lua auth status --offline",
        command: node,
        args: [npmMain, "auth", "status", "--offline"],
        floor,
        timeTarget: 2,
      },
      // The other kinds of command line README shows: help of a command, usage errors, and
      // configure against the platform on loopback (no target: it waits for the network).
      {
        name: "npm: lua auth configure --help",
        command: node,
        args: [npmMain, "auth", "configure", "--help"],
        floor,
        timeTarget: 2,
      },
      {
        name: "npm: lua auth configure (no terminal: usage error)",
        command: node,
        args: [npmMain, "auth", "configure"],
        floor,
        timeTarget: 2,
        code: 2,
      },
      {
        name: "npm: lua auth staus (unknown command)",
        command: node,
        args: [npmMain, "auth", "staus"],
        floor,
        timeTarget: 2,
        code: 2,
      },
      {
        name: "npm: lua auth configure --api-key <key> (loopback)",
        command: node,
        args: [npmMain, "auth", "configure", "--api-key", key],
        floor,
      },
      {
        name: "npm: lua auth logout --force",
        command: node,
        args: [npmMain, "auth", "logout", "--force"],
        floor,
        timeTarget: 2,
        restore: storeKey,
      },
      {
        name: "npm: lua telemetry status",
        command: node,
        args: [npmMain, "telemetry", "status"],
        floor,
        timeTarget: 2,
      },
      {
        name: "npm: lua auth status (platform on loopback)",
        command: node,
        args: [npmMain, "auth", "status"],
        floor,
      },
      {
        name: "npm: lua auth key --force, telemetry on (loopback)",
        command: node,
        args: [npmMain, "auth", "key", "--force"],
        floor,
        env: { LUA_TELEMETRY: "true" },
      },
    );
  } else {
    console.log("Pass --npm to build, pack, install and bench the npm package on Node too.\n");
  }
  const only = Deno.args.indexOf("--only");
  if (only >= 0) {
    const pattern = new RegExp(Deno.args[only + 1] ?? "");
    const kept = cases.filter((c) => c.floor === undefined || pattern.test(c.name));
    // Each kept row's floor is found again by its place among the kept rows.
    const places = new Map(kept.map((c, i) => [cases.indexOf(c), i]));
    cases = kept.map((c) => c.floor === undefined ? c : { ...c, floor: places.get(c.floor)! });
  }
  const gnuTime = await hasGnuTime();
  if (!gnuTime) console.log("GNU time (/usr/bin/time) not found: peak memory is not measured.\n");
  console.log(
    `${runs} rounds after ${warmup} warm-up rounds, every command once a round; ` +
      `Deno ${Deno.version.deno}, Node ${await nodeVersion()}.\n`,
  );
  const results: Measured[] = [];
  let missed = 0;
  const rows: string[][] = [[
    "command",
    "median ms",
    "p10–p90 ms",
    "time ratio",
    "p10 ratio",
    "target",
    "peak MiB",
    "mem ratio",
    "target",
  ]];
  try {
    results.push(...await measureAll(cases, env, cwd, runs, warmup, gnuTime));
    // A telemetry row that sent nothing would have measured nothing: each run must have sent.
    const sending = cases.filter((c) => c.env?.LUA_TELEMETRY === "true").length;
    const events = await (await fetch(`${emulator.url}/_emulator/telemetry`)).json() as unknown[];
    if (events.length < sending * (warmup + runs)) {
      throw new Error(
        `The telemetry rows sent ${events.length} events in ${sending * (warmup + runs)} runs`,
      );
    }
    for (const [index, c] of cases.entries()) {
      const m = results[index]!;
      const base = c.floor === undefined ? undefined : results[c.floor]!;
      const timeRatio = m.ratio;
      const memRatio = base && m.rssMiB !== null && base.rssMiB !== null
        ? m.rssMiB / base.rssMiB
        : undefined;
      const timeOk = c.timeTarget === undefined || (timeRatio ?? 0) <= c.timeTarget;
      const memOk = c.memoryTarget === undefined || memRatio === undefined ||
        memRatio <= c.memoryTarget;
      if (!timeOk || !memOk) missed++;
      rows.push([
        c.name,
        m.median.toFixed(1),
        `${m.p10.toFixed(1)}–${m.p90.toFixed(1)}`,
        timeRatio === undefined ? "1.00" : timeRatio.toFixed(2),
        base ? (m.p10 / base.p10).toFixed(2) : "1.00",
        c.timeTarget === undefined ? "" : `≤ ${c.timeTarget} ${timeOk ? "ok" : "MISSED"}`,
        m.rssMiB === null ? "n/a" : m.rssMiB.toFixed(1),
        memRatio === undefined ? (base ? "n/a" : "1.00") : memRatio.toFixed(2),
        c.memoryTarget === undefined ? "" : `≤ ${c.memoryTarget} ${memOk ? "ok" : "MISSED"}`,
      ]);
    }
  } finally {
    await emulator.close();
    await Deno.remove(dir, { recursive: true });
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, row] of rows.entries()) {
    console.log(`| ${row.map((cell, j) => cell.padEnd(widths[j]!)).join(" | ")} |`);
    if (i === 0) console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  }
  console.log(missed === 0 ? "\nEvery target met." : `\n${missed} target(s) missed.`);
  return missed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await bench());
