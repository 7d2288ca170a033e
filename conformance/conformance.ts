/**
 * The conformance check: the real Lua CLI (`lua-cli` on npm, pinned in `real_client.ts`) run on
 * Node.js against our emulator, and both CLIs sharing one HOME.
 *
 * ```sh
 * npx -y deno@2.9.6 task conformance
 * ```
 *
 * Not part of `deno task test`: its name does not match `deno test`'s pattern on purpose (it
 * installs a large npm package on first use). When the real client cannot be installed or Node.js
 * cannot run, every test here is reported as ignored and the reason is printed; none passes.
 *
 * The real client runs with `loopback_only.mjs` preloaded, so nothing it does leaves 127.0.0.1:
 * its update check, its telemetry (PostHog) and its Google sign-in step fail at once. That last
 * one is why the email-code flow is checked only up to the point where the real client hands
 * our sign-in token to Google.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { TYPED_API_KEY } from "../src/validate.ts";
import { SAMPLE_KEY } from "../tests/_helpers.ts";
import { ensureRealClient, REAL_CLIENT_PACKAGE, REAL_CLIENT_VERSION } from "./real_client.ts";
import { type ConformanceWorld, withConformanceWorld } from "./world.ts";

/** The address every test signs in with. */
const EMAIL = "a@example.com";
/** The real client's first-run telemetry notice. */
const REAL_NOTICE = "Lua CLI collects usage data";

const client = await ensureRealClient({ log: (line) => console.error(line) });
if (!client.ok) {
  console.error(
    `conformance: SKIPPED: ${REAL_CLIENT_PACKAGE}@${REAL_CLIENT_VERSION} cannot run here: ` +
      client.reason,
  );
}

/** Registers a conformance test, ignored (never passed) when the real client is unavailable. */
function conformance(name: string, fn: (world: ConformanceWorld) => Promise<void>): void {
  Deno.test({
    name: `real ${REAL_CLIENT_PACKAGE}@${REAL_CLIENT_VERSION}: ${name}`,
    ignore: !client.ok,
    fn: () => client.ok ? withConformanceWorld(client.entry, fn) : Promise.resolve(),
  });
}

/** The whole output of a run, for assertion messages. */
function output(result: { code: number; stdout: string; stderr: string }): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** The exchanges on one route, as `status` numbers. */
function statuses(world: ConformanceWorld, method: string, path: string): number[] {
  return world.exchanges.filter((e) => e.method === method && e.path === path).map((e) => e.status);
}

conformance("auth configure --email sends a code that lands in the outbox", async (world) => {
  const result = await world.real(["auth", "configure", "--email", EMAIL]);
  assert.equal(result.code, 0, output(result));
  assert.deepEqual(statuses(world, "POST", "/otp"), [200]);
  const codes = await world.codes(EMAIL);
  assert.equal(codes.length, 1, "one code was sent");
  assert.match(codes[0]!, /^\d{6}$/);
  assert.equal(await world.credentials(), undefined);
});

conformance(
  "auth configure --email --otp: our /otp/verify answers 200 with a sign-in token and the client goes on to its Google step",
  async (world) => {
    const requested = await world.real(["auth", "configure", "--email", EMAIL]);
    assert.equal(requested.code, 0, output(requested));
    const [code] = await world.codes(EMAIL);
    assert.ok(code !== undefined, "a code was sent");
    const verified = await world.real(["auth", "configure", "--email", EMAIL, "--otp", code]);
    const verify = world.exchanges.filter((e) => e.method === "POST" && e.path === "/otp/verify");
    assert.equal(verify.length, 1, `one POST /otp/verify\n${output(verified)}`);
    assert.equal(verify[0]!.status, 200, output(verified));
    assert.ok(verify[0]!.signInToken, "the 200 carried a signInToken");
    // It accepted the token and went on to the session step, which needs Google: refused here.
    assert.match(verified.stderr, /Starting renewable session/, output(verified));
    assert.doesNotMatch(verified.stderr, /Invalid OTP/, output(verified));
    assert.ok(
      verified.refused.some((r) => r.endsWith("identitytoolkit.googleapis.com:443")),
      `the client tried Google's token exchange: ${verified.refused.join(", ")}`,
    );
    // Google is unreachable, so it stops as unavailable (11): not as a rejected code or token (9).
    assert.equal(verified.code, 11, output(verified));
    assert.equal(await world.credentials(), undefined, "no credentials file");
    assert.deepEqual(await sessions(world), [], "no session file");
  },
);

for (const kind of ["legacy", "typed"] as const) {
  conformance(`auth configure --api-key with a ${kind} key stores it`, async (world) => {
    const key = await world.mintKey(kind);
    const result = await world.real(["auth", "configure", "--api-key", key]);
    assert.equal(result.code, 0, output(result));
    assert.deepEqual(statuses(world, "GET", "/admin/me/authorization"), [200]);
    // Only a legacy key's identity comes from /context; the client asks for it alongside.
    const context = statuses(world, "GET", "/admin/me/authorization/context");
    assert.deepEqual(context, kind === "legacy" ? [200] : []);
    assert.equal((await world.credentials())?.trim(), key);
  });
}

/** Keys no emulator knows, one of each kind. */
const UNKNOWN_KEYS = {
  legacy: SAMPLE_KEY,
  typed: `api_${crypto.randomUUID()}.${"A".repeat(43)}`,
} as const;

for (const [kind, key] of Object.entries(UNKNOWN_KEYS)) {
  conformance(
    `auth configure --api-key with an unknown ${kind} key exits 9 and stores nothing`,
    async (world) => {
      assert.equal(TYPED_API_KEY.test(key), kind === "typed");
      const result = await world.real(["auth", "configure", "--api-key", key]);
      assert.equal(result.code, 9, output(result));
      assert.ok(statuses(world, "GET", "/admin/me/authorization").includes(401), output(result));
      assert.equal(await world.credentials(), undefined);
    },
  );
}

for (const kind of ["legacy", "typed"] as const) {
  conformance(
    `a ${kind} key stored by our CLI is printed by the real auth key --force`,
    async (world) => {
      const key = await world.mintKey(kind);
      const stored = await world.ours(["auth", "configure", "--api-key", key]);
      assert.equal(stored.code, 0, output(stored));
      const shown = await world.real(["auth", "key", "--force"]);
      assert.equal(shown.code, 0, output(shown));
      assert.equal(shown.stdout.trim(), key);
    },
  );

  conformance(
    `a ${kind} key stored by the real client is printed by our auth key --force`,
    async (world) => {
      const key = await world.mintKey(kind);
      const stored = await world.real(["auth", "configure", "--api-key", key]);
      assert.equal(stored.code, 0, output(stored));
      const shown = await world.ours(["auth", "key", "--force"]);
      assert.equal(shown.code, 0, output(shown));
      assert.equal(shown.stdout, `${key}\n`);
    },
  );
}

conformance("the real auth logout --force removes the file our CLI wrote", async (world) => {
  const key = await world.mintKey("legacy");
  const stored = await world.ours(["auth", "configure", "--api-key", key]);
  assert.equal(stored.code, 0, output(stored));
  assert.equal((await world.credentials())?.trim(), key);
  const out = await world.real(["auth", "logout", "--force"]);
  assert.equal(out.code, 0, output(out));
  assert.equal(await world.credentials(), undefined);
});

conformance("our auth logout --force removes the file the real client wrote", async (world) => {
  const key = await world.mintKey("legacy");
  const stored = await world.real(["auth", "configure", "--api-key", key]);
  assert.equal(stored.code, 0, output(stored));
  assert.equal((await world.credentials())?.trim(), key);
  const out = await world.ours(["auth", "logout", "--force"]);
  assert.equal(out.code, 0, output(out));
  assert.equal(await world.credentials(), undefined);
});

conformance("a real lua telemetry off stops our telemetry", async (world) => {
  // Control: in this HOME, our CLI does send to the emulator's capture route.
  const before = await world.ours(["auth", "status", "--offline"], { telemetry: true });
  const sent = (await world.captures()).length;
  assert.ok(sent > 0, `our CLI sent no event before the opt-out\n${output(before)}`);
  const off = await world.real(["telemetry", "off"], { telemetry: true });
  assert.equal(off.code, 0, output(off));
  assert.match(off.stdout, /Telemetry disabled/);
  assert.equal((await world.telemetryFile() as { enabled?: unknown }).enabled, false);
  const after = await world.ours(["auth", "status", "--offline"], { telemetry: true });
  assert.equal((await world.captures()).length, sent, `our CLI still sent\n${output(after)}`);
  // Not only silent on the wire (which a slow send could fake): our CLI says it is off.
  const status = await world.ours(["telemetry", "status"], { telemetry: true });
  assert.match(status.stdout, /^Telemetry: disabled$/m, output(status));
});

conformance(
  "a telemetry file our CLI wrote leaves the real client's telemetry on",
  async (world) => {
    const ours = await world.ours(["auth", "status", "--offline"], { telemetry: true });
    const written = await world.telemetryFile() as { anonymousId?: unknown } | undefined;
    assert.ok(written !== undefined, `our CLI wrote no telemetry.json\n${output(ours)}`);
    const status = await world.real(["telemetry", "status"], { telemetry: true });
    assert.equal(status.code, 0, output(status));
    assert.match(status.stdout, /^Telemetry: enabled$/m, output(status));
    // It read our file as its own: no first-run notice again, and it kept our anonymous id.
    assert.ok(!status.stderr.includes(REAL_NOTICE), `the real client showed its notice again`);
    const after = await world.telemetryFile() as { anonymousId?: unknown };
    assert.equal(after.anonymousId, written.anonymousId, "the real client replaced our file");
  },
);

/** The session files in `~/.lua-cli/sessions`. */
async function sessions(world: ConformanceWorld): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(world.sb.home, ".lua-cli", "sessions"))) {
      names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}
