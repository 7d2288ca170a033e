/**
 * End-to-end tests of `lua auth status`: the real CLI in a subprocess against the emulator
 * listening on a loopback port in this process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { lua, modeOf, type RunResult, type Sandbox, sandbox, storeKey } from "./_helpers.ts";
import { closedPort, control, fault, issueKey, withWorld, type World } from "./_world.ts";

/** The shape of `lua auth status --json`. */
interface Source {
  kind: string;
  location: string;
  found: boolean;
  active: boolean;
  maskedKey?: string;
  error?: string;
}
interface Report {
  sources: Source[];
  active: Source | null;
  valid: boolean | null;
  account: {
    kind: string;
    subjectType: string;
    subjectId: string;
    email: string | null;
    fullName: string | null;
    orgCount: number;
  } | null;
  sessions: string[];
  error: string | null;
}

const KINDS = ["env", "credentials", "dotenv"] as const;
type Kind = typeof KINDS[number];
const EMAILS: Record<Kind, string> = {
  env: "env@example.com",
  credentials: "file@example.com",
  dotenv: "dotenv@example.com",
};

/** A sandbox whose platform URL is a loopback port nothing listens on. */
async function withClosedPort(
  fn: (sb: Sandbox, run: World["run"]) => Promise<void>,
): Promise<void> {
  const url = `http://127.0.0.1:${closedPort()}`;
  const sb = await sandbox();
  try {
    await fn(sb, (args, options = {}) =>
      lua(sb, args, {
        ...options,
        env: { LUA_AUTH_URL: url, LUA_API_URL: url, ...options.env },
      }));
  } finally {
    await sb.cleanup();
  }
}

/** Puts `key` in the source `kind`; returns the env for the run. */
async function place(sb: Sandbox, kind: Kind, key: string): Promise<Record<string, string>> {
  switch (kind) {
    case "env":
      return { LUA_API_KEY: key };
    case "credentials":
      await storeKey(sb, key);
      return {};
    case "dotenv":
      await Deno.writeTextFile(join(sb.cwd, ".env"), `# project\nLUA_API_KEY=${key}\n`);
      return {};
  }
}

function masked(key: string): string {
  return `api_…${key.slice(-4)}`;
}

/** Asserts that no key appears in the output beyond its prefix and last 4 characters. */
function assertNoKeyLeak(result: RunResult, keys: readonly string[]): void {
  const output = `${result.stdout}${result.stderr}`;
  for (const key of keys) {
    assert.ok(!output.includes(key), "the full key is shown");
    assert.ok(!output.includes(key.slice(4, -4)), "the middle of the key is shown");
    assert.ok(!output.includes(key.slice(-5)), "more than the last 4 characters are shown");
  }
}

function describe(kind: Kind, sb: Sandbox): string {
  switch (kind) {
    case "env":
      return "LUA_API_KEY environment variable";
    case "credentials":
      return `credentials file ${sb.credentials}`;
    case "dotenv":
      return `.env file ${join(sb.cwd, ".env")}`;
  }
}

/** The line of the text report about a source. */
function lineOf(stdout: string, kind: Kind, sb: Sandbox): string {
  const line = stdout.split("\n").find((l) => l.includes(`${describe(kind, sb)}:`));
  assert.ok(line, `no line for ${kind}:\n${stdout}`);
  return line;
}

function parseReport(result: RunResult): Report {
  // One JSON object: the whole of stdout must parse.
  const report = JSON.parse(result.stdout) as Report;
  assert.equal(typeof report, "object");
  assert.ok(!Array.isArray(report));
  return report;
}

Deno.test("status: each source alone is named, masked, and its account shown", async (t) => {
  for (const kind of KINDS) {
    await t.step(kind, async () => {
      await withWorld(async ({ server, sb, run }) => {
        const key = await issueKey(server, EMAILS[kind]);
        const env = await place(sb, kind, key);
        const result = await run(["auth", "status"], { env });
        assert.equal(result.code, 0, result.stderr);
        const line = lineOf(result.stdout, kind, sb);
        assert.ok(line.includes(`found ${masked(key)} (in use)`), line);
        for (const other of KINDS.filter((k) => k !== kind)) {
          assert.match(lineOf(result.stdout, other, sb), /not found/);
        }
        assert.ok(result.stdout.includes(`Authenticated as ${EMAILS[kind]}`), result.stdout);
        assertNoKeyLeak(result, [key]);
        assert.equal(result.stderr, "");
      });
    });
  }
});

Deno.test("status: a legacy key names its account; a typed key its id; both in text and --json", async (t) => {
  for (const kind of ["legacy", "typed"] as const) {
    await t.step(`${kind}, text`, async () => {
      await withWorld(async ({ server, sb, requests, run }) => {
        const key = await issueKey(server, "ada@example.com", kind);
        await storeKey(sb, key);
        const result = await run(["auth", "status"]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        const expected = kind === "legacy"
          ? /^✅ Authenticated as ada@example\.com \(Ada\), 1 organisation\.$/m
          : /^✅ Authenticated as typed API key key_[0-9a-f]{8}, 1 organisation\.$/m;
        assert.match(result.stdout, expected);
        assert.ok(lineOf(result.stdout, "credentials", sb).endsWith(`${masked(key)} (in use)`));
        assertNoKeyLeak(result, [key]);
        const context = requests.filter((r) => r === "GET /admin/me/authorization/context");
        assert.equal(context.length, kind === "legacy" ? 1 : 0, `${requests}`);
      });
    });
    await t.step(`${kind}, --json`, async () => {
      await withWorld(async ({ server, sb, run }) => {
        const key = await issueKey(server, "ada@example.com", kind);
        await storeKey(sb, key);
        const result = await run(["auth", "status", "--json"]);
        assert.equal(result.code, 0, result.stderr);
        const report = parseReport(result);
        assert.equal(report.valid, true);
        assert.deepEqual(report.sessions, []);
        const account = report.account!;
        assert.deepEqual(Object.keys(account).sort(), [
          "email",
          "fullName",
          "kind",
          "orgCount",
          "subjectId",
          "subjectType",
        ]);
        assert.equal(account.kind, kind);
        assert.equal(account.orgCount, 1);
        if (kind === "legacy") {
          assert.equal(account.subjectType, "user");
          assert.match(account.subjectId, /^usr_[0-9a-f]+$/);
          assert.equal(account.email, "ada@example.com");
          assert.equal(account.fullName, "Ada");
        } else {
          assert.equal(account.subjectType, "apiKey");
          assert.match(account.subjectId, /^key_[0-9a-f]{8}$/);
          assert.equal(account.email, null);
          assert.equal(account.fullName, null);
          const [stored] = server.emulator.keys();
          assert.equal(account.subjectId, stored?.keyId, "the id of this very key");
        }
        assertNoKeyLeak(result, [key]);
      });
    });
  }
});

Deno.test("status: shadowed sources are marked and the account is the active key's", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const keys = {} as Record<Kind, string>;
    let env: Record<string, string> = {};
    for (const kind of KINDS) {
      keys[kind] = await issueKey(server, EMAILS[kind]);
      env = { ...env, ...await place(sb, kind, keys[kind]) };
    }
    const result = await run(["auth", "status"], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    const order = KINDS.map((kind) => lines.indexOf(lineOf(result.stdout, kind, sb)));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), "priority order");
    assert.ok(lineOf(result.stdout, "env", sb).endsWith(`${masked(keys.env)} (in use)`));
    assert.ok(
      lineOf(result.stdout, "credentials", sb).endsWith(`${masked(keys.credentials)} (shadowed)`),
    );
    assert.ok(lineOf(result.stdout, "dotenv", sb).endsWith(`${masked(keys.dotenv)} (shadowed)`));
    assert.ok(result.stdout.includes(`Authenticated as ${EMAILS.env}`), result.stdout);
    assert.ok(
      !result.stdout.includes(EMAILS.credentials) && !result.stdout.includes(EMAILS.dotenv),
    );
    assertNoKeyLeak(result, Object.values(keys));
  });
});

Deno.test("status --json: every combination of sources, in priority order", async (t) => {
  for (let mask = 1; mask < 8; mask++) {
    const present = KINDS.filter((_, i) => (mask & (1 << i)) !== 0);
    await t.step(present.join(" + "), async () => {
      await withWorld(async ({ server, sb, run }) => {
        const keys: Partial<Record<Kind, string>> = {};
        let env: Record<string, string> = {};
        for (const kind of present) {
          keys[kind] = await issueKey(server, EMAILS[kind]);
          env = { ...env, ...await place(sb, kind, keys[kind]) };
        }
        const result = await run(["auth", "status", "--json"], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        const report = parseReport(result);
        const activeKind = present[0]!;
        assert.deepEqual(report.sources.map((s) => s.kind), [...KINDS]);
        assert.deepEqual(report.sources.map((s) => s.location), [
          "LUA_API_KEY",
          sb.credentials,
          join(sb.cwd, ".env"),
        ]);
        for (const source of report.sources) {
          const key = keys[source.kind as Kind];
          assert.equal(source.found, key !== undefined, source.kind);
          assert.equal(source.active, source.kind === activeKind, source.kind);
          assert.equal(source.maskedKey, key === undefined ? undefined : masked(key));
          assert.equal(source.error, undefined);
        }
        assert.deepEqual(report.active, report.sources[KINDS.indexOf(activeKind)]);
        assert.equal(report.valid, true);
        assert.equal(report.error, null);
        assert.equal(report.account?.email, EMAILS[activeKind]);
        assert.equal(report.account?.kind, "legacy");
        assert.equal(report.account?.subjectType, "user");
        assert.deepEqual(report.sessions, []);
        assertNoKeyLeak(result, Object.values(keys));
      });
    });
  }
});

Deno.test("status --json: warnings go to stderr, stdout stays one JSON object", async () => {
  await withWorld(async ({ server, sb, run }) => {
    const key = await issueKey(server, EMAILS.credentials);
    await storeKey(sb, key, 0o644);
    const result = await run(["auth", "status", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stderr.includes(`chmod 600 ${sb.credentials}`), result.stderr);
    const report = parseReport(result);
    assert.equal(report.active?.kind, "credentials");
    assert.equal(report.account?.email, EMAILS.credentials);
    assert.equal(await modeOf(sb.credentials), 0o644, "status never changes modes");
  });
});

Deno.test("status --offline: no request, exit 0, nothing checked", async (t) => {
  const key = "api_offline_0000000000000000000000009999";
  await t.step("text", async () => {
    await withClosedPort(async (_sb, run) => {
      const result = await run(["auth", "status", "--offline"], { env: { LUA_API_KEY: key } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /LUA_API_KEY environment variable: found api_…9999 \(in use\)/);
      assert.match(result.stdout, /Not checked with the platform \(--offline\)/);
      assertNoKeyLeak(result, [key]);
    });
  });
  await t.step("json", async () => {
    await withClosedPort(async (_sb, run) => {
      const result = await run(["auth", "status", "--offline", "--json"], {
        env: { LUA_API_KEY: key },
      });
      assert.equal(result.code, 0, result.stderr);
      const report = parseReport(result);
      assert.equal(report.active?.kind, "env");
      assert.equal(report.active?.maskedKey, "api_…9999");
      assert.equal(report.valid, null);
      assert.equal(report.account, null);
      assert.equal(report.error, null);
    });
  });
  await t.step("no request reaches a live emulator", async () => {
    await withWorld(async ({ requests, run }) => {
      const result = await run(["auth", "status", "--offline"], { env: { LUA_API_KEY: key } });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(requests, []);
    });
  });
});

Deno.test("status: no key exits 9 without asking the platform", async (t) => {
  await t.step("text", async () => {
    await withClosedPort(async (_sb, run) => {
      const result = await run(["auth", "status"]);
      assert.equal(result.code, 9, result.stderr);
      assert.match(result.stdout, /No API key found\./);
      assert.match(result.stdout, /lua auth configure/);
      assert.equal((result.stdout.match(/not found/g) ?? []).length, 3);
    });
  });
  await t.step("json", async () => {
    await withClosedPort(async (_sb, run) => {
      const result = await run(["auth", "status", "--json"]);
      assert.equal(result.code, 9, result.stderr);
      const report = parseReport(result);
      assert.deepEqual(report.sources.map((s) => [s.kind, s.found, s.active]), [
        ["env", false, false],
        ["credentials", false, false],
        ["dotenv", false, false],
      ]);
      assert.equal(report.active, null);
      assert.equal(report.valid, null);
      assert.equal(report.account, null);
    });
  });
  await t.step("a blank LUA_API_KEY and a blank credentials file are no key", async () => {
    await withClosedPort(async (sb, run) => {
      await storeKey(sb, " \n");
      const result = await run(["auth", "status", "--json"], { env: { LUA_API_KEY: "  " } });
      assert.equal(result.code, 9, result.stderr);
      assert.equal(parseReport(result).active, null);
    });
  });
});

Deno.test("status: a revoked key exits 9 and says the platform rejected it", async (t) => {
  for (const json of [false, true]) {
    await t.step(json ? "json" : "text", async () => {
      await withWorld(async ({ server, sb, run }) => {
        const key = await issueKey(server, EMAILS.credentials);
        await control(server, "/_emulator/revoke", { apiKey: key });
        await storeKey(sb, key);
        const result = await run(["auth", "status", ...(json ? ["--json"] : [])]);
        assert.equal(result.code, 9, result.stderr);
        assertNoKeyLeak(result, [key]);
        if (json) {
          const report = parseReport(result);
          assert.equal(report.active?.kind, "credentials");
          assert.equal(report.valid, false);
          assert.equal(report.account, null);
          assert.match(report.error ?? "", /rejected/);
        } else {
          // Printed once, on stderr, with what to do; the report on stdout has the sources.
          assert.match(result.stderr, /^Error: ❌ The platform rejected the key/m);
          assert.match(result.stderr, /Run: lua auth configure/);
          assert.doesNotMatch(result.stdout, /rejected|Authenticated as/);
          assert.match(result.stdout, /credentials file .*: found/);
        }
      });
    });
  }
});

Deno.test("status: an unreachable platform exits 11 quickly", async (t) => {
  const key = "api_unreachable_00000000000000000000777";
  for (const json of [false, true]) {
    await t.step(json ? "json" : "text", async () => {
      await withClosedPort(async (_sb, run) => {
        const result = await run(["auth", "status", ...(json ? ["--json"] : [])], {
          env: { LUA_API_KEY: key },
        });
        assert.equal(result.code, 11, result.stderr);
        assert.ok(result.ms < 3000, `took ${Math.round(result.ms)} ms`);
        assertNoKeyLeak(result, [key]);
        if (json) {
          const report = parseReport(result);
          assert.equal(report.active?.kind, "env");
          assert.equal(report.valid, null);
          assert.match(report.error ?? "", /Cannot reach the Lua platform/);
        } else {
          // Printed once, on stderr, with what to do.
          assert.equal(result.stderr.split("Cannot reach the Lua platform").length, 2);
          assert.match(result.stderr, /^Error: Cannot reach the Lua platform/m);
          assert.match(result.stderr, /Check your network connection/);
          assert.match(result.stderr, /HTTPS_PROXY/);
          assert.match(result.stderr, /DENO_CERT=/);
          assert.doesNotMatch(result.stdout, /Cannot reach/);
        }
      });
    });
  }
});

Deno.test("status: a server error is retried; persistent errors exit 11", async () => {
  await withWorld(async ({ server, requests, run }) => {
    const key = await issueKey(server, EMAILS.env);
    const env = { LUA_API_KEY: key };
    await fault(server, { path: "/admin/me/authorization", mode: "500" });
    const once = await run(["auth", "status", "--json"], { env });
    assert.equal(once.code, 0, once.stderr);
    assert.equal(parseReport(once).account?.email, EMAILS.env);
    const checks = requests.filter((r) => r === "GET /admin/me/authorization");
    assert.equal(checks.length, 2, `one failure, one retry: ${requests}`);

    await fault(server, { path: "/admin/me/authorization", mode: "html502", count: 10 });
    const always = await run(["auth", "status", "--json"], { env });
    assert.equal(always.code, 11, always.stderr);
    const report = parseReport(always);
    assert.equal(report.valid, null);
    assert.match(report.error ?? "", /HTTP 502/);
    assert.doesNotMatch(always.stdout, /<html>/i);
  });
});

// BUG: `auth status` marks the .env key "(in use)" and exits 0 when the credentials file is
// malformed, yet every command that resolves a key (e.g. `auth key --force`) fails on that
// file with exit 1. Status should not claim a lower-priority source is in use.
Deno.test({
  name: "status: a malformed credentials file is not skipped in favour of .env",
  ignore: false,
  fn: async () => {
    await withWorld(async ({ server, sb, run }) => {
      await storeKey(
        sb,
        "api_one_0000000000000000000000000000001\napi_two_000000000000000000002\n",
      );
      const key = await issueKey(server, EMAILS.dotenv);
      await place(sb, "dotenv", key);
      const resolved = await run(["auth", "key", "--force"]);
      assert.equal(resolved.code, 1, "commands fail on the malformed file");
      const result = await run(["auth", "status", "--json"]);
      const report = parseReport(result);
      assert.ok(report.sources[1]?.error, "the credentials file's error is reported");
      assert.notEqual(report.active?.kind, "dotenv", "the .env key is not what commands use");
      assert.notEqual(result.code, 0);
    });
  },
});

// BUG: a key with characters that cannot go in an HTTP header (e.g. the curly quotes a rich-text
// copy adds) makes `auth status` report "Cannot reach the Lua platform ... the connection
// failed" and exit 11 after three attempts, although no request is ever sent.
Deno.test({
  name: "status: a key with curly quotes is rejected without blaming the network",
  ignore: false,
  fn: async () => {
    await withWorld(async ({ requests, run }) => {
      const key = "\u201capi_0123456789abcdef0123456789abcdef\u201d";
      const result = await run(["auth", "status"], { env: { LUA_API_KEY: key } });
      assert.notEqual(result.code, 11, result.stdout);
      assert.doesNotMatch(result.stdout, /Cannot reach/);
      assert.deepEqual(requests, []);
    });
  },
});

Deno.test("status: LUA_API_URL in .env is honoured, and an exported one wins over it", async (t) => {
  const dead = `http://127.0.0.1:${closedPort()}`;
  await t.step(".env alone points the CLI at the platform", async () => {
    await withWorld(async ({ server, sb, requests, run }) => {
      const key = await issueKey(server, EMAILS.credentials);
      await storeKey(sb, key);
      await Deno.writeTextFile(join(sb.cwd, ".env"), `# settings\nLUA_API_URL=${server.url}\n`);
      const result = await run(["auth", "status"], { env: { LUA_API_URL: undefined } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Authenticated as file@example\.com/);
      assert.ok(requests.includes("GET /admin/me/authorization"), `${requests}`);
    });
  });
  await t.step("an exported LUA_API_URL beats .env's (the platform is reached)", async () => {
    await withWorld(async ({ server, sb, run }) => {
      const key = await issueKey(server, EMAILS.credentials);
      await storeKey(sb, key);
      await Deno.writeTextFile(join(sb.cwd, ".env"), `LUA_API_URL=${dead}\n`);
      const result = await run(["auth", "status"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Authenticated as file@example\.com/);
    });
  });
  await t.step("an exported LUA_API_URL beats .env's (the dead one is used)", async () => {
    await withWorld(async ({ server, sb, requests, run }) => {
      const key = await issueKey(server, EMAILS.credentials);
      await storeKey(sb, key);
      await Deno.writeTextFile(join(sb.cwd, ".env"), `LUA_API_URL=${server.url}\n`);
      const result = await run(["auth", "status"], { env: { LUA_API_URL: dead } });
      assert.equal(result.code, 11, result.stderr);
      assert.match(result.stderr, /Error: Cannot reach the Lua platform/);
      assert.ok(result.stderr.includes(dead), result.stderr);
      assert.deepEqual(requests, []);
    });
  });
});

Deno.test("status: a redirect on /admin/me/authorization exits 11 naming the status and host", async (t) => {
  for (const json of [false, true]) {
    await t.step(json ? "json" : "text", async () => {
      await withWorld(async ({ server, sb, requests, run }) => {
        const key = await issueKey(server, EMAILS.credentials);
        await storeKey(sb, key);
        await fault(server, { path: "/admin/me/authorization", mode: "redirect", count: 3 });
        const result = await run(["auth", "status", ...(json ? ["--json"] : [])]);
        assert.equal(result.code, 11, result.stderr);
        const said = json ? parseReport(result).error ?? "" : result.stderr;
        assert.match(said, /redirect \(HTTP 307\) to elsewhere\.invalid/);
        assert.equal(
          requests.filter((r) => r === "GET /admin/me/authorization").length,
          1,
          "a redirect is neither followed nor retried",
        );
        assert.equal(await Deno.readTextFile(sb.credentials), key, "the file is untouched");
        assertNoKeyLeak(result, [key]);
      });
    });
  }
});
