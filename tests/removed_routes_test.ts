/**
 * A regression guard kept outside `emulator/`: the routes this project once invented, which no
 * real Lua client uses, must stay gone from the emulator.
 */

import assert from "node:assert/strict";
import { createEmulator } from "../emulator/handler.ts";
import { issueKey } from "../testing/issue_key.ts";

Deno.test("the emulator does not serve the routes no real client uses", async () => {
  const emulator = createEmulator();
  const apiKey = await issueKey(emulator);
  const gone: [string, string][] = [
    ["GET", "/developer/whoami"],
    ["POST", "/developer/api-keys"],
    ["DELETE", "/developer/api-keys/current"],
    ["POST", "/telemetry"],
  ];
  for (const [method, path] of gone) {
    const response = await emulator.handler(
      new Request(`http://emulator${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}` },
      }),
    );
    assert.equal(response.status, 404, `${method} ${path}`);
    assert.equal((await response.json()).error, "not_found");
  }
  assert.equal(emulator.keys()[0]?.revoked, false);
});
