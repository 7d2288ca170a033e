/**
 * The slow tier's platform-fault case (`deno task test:slow`): with the default timeouts
 * (10 s per request, 28 s per command), `auth status` against a platform that never answers
 * gives up within 30 s. The other fault cases, with 1 s timeouts, are in `e2e_faults_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Case,
  COMMANDS,
  DEFAULT_LIMIT_MS,
  failedCleanly,
  observe,
  timely,
} from "./_faults.ts";

const DEADLINE: Case = {
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
};

Deno.test(DEADLINE.name, async () => {
  DEADLINE.check(await observe(DEADLINE));
});
