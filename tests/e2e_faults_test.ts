/**
 * End-to-end tests of platform faults: every command that talks to the platform, against every
 * way the platform can fail, gives the right message and exit code within the documented time,
 * stores nothing, exits as soon as it has printed, and never repeats a POST.
 *
 * Runs are independent (one emulator and one sandbox each) and go several at a time; each case
 * is then checked in its own step.
 *
 * The one case that waits for the default 28 s deadline is in the slow tier,
 * `slow_deadline_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { pool } from "./_helpers.ts";
import {
  BOUND_MS,
  type Case,
  type CommandName,
  COMMANDS,
  CONCURRENCY,
  describe,
  EMAIL,
  failedCleanly,
  FAULTS,
  observe,
  QUICK_MS,
  runIn,
  SECOND_ROUTE,
  SLACK_MS,
  SLOW,
  STACK,
  succeeds,
  timely,
} from "./_faults.ts";

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
      assert.match(o.run.stderr, /wait ([1-9]|[12][0-9]|30) s\b/, describe(o.run));
      assert.doesNotMatch(o.run.stderr, STACK);
      assert.deepEqual(o.requests, ["POST /otp"]);
      assert.equal(o.outbox, 1, "exactly one email");
      assert.equal(o.after, undefined);
      timely(o, { withinMs: QUICK_MS });
    },
  },
];

const CASES: Case[] = [...MATRIX, ...EXTRA];

Deno.test("platform faults: message, exit code, time bound, nothing stored, no repeated POST", async (t) => {
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
