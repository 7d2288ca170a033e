/**
 * A stand-in for the real client's entry script, for the tests of the conformance harness.
 *
 * - `env`: prints `{ cwd, env }` as JSON on stdout.
 * - `phone-home`: tries the hosts the real client calls (npm, PostHog, Google), then exits 0.
 * - `store <key>`: writes `~/.lua-cli/credentials`, as the real `configure --api-key` does.
 * - `otp <email>`: `POST $LUA_AUTH_URL/otp`, exits 0 on a 2xx.
 * - `exit <n>`: exits with `n`.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import https from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";

const [command, arg] = process.argv.slice(2);
switch (command) {
  case "env":
    console.log(JSON.stringify({ cwd: process.cwd(), env: process.env }));
    break;
  case "phone-home":
    await fetch("https://registry.npmjs.org/lua-cli/latest").catch(() => {});
    await fetch("https://us.i.posthog.com/batch/", { method: "POST" }).catch(() => {});
    await new Promise((resolve) => {
      https.request("https://identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken")
        .on("error", resolve).on("response", resolve).end();
    });
    break;
  case "store":
    mkdirSync(join(homedir(), ".lua-cli"), { recursive: true });
    writeFileSync(join(homedir(), ".lua-cli", "credentials"), arg, { mode: 0o600 });
    break;
  case "otp": {
    const response = await fetch(`${process.env.LUA_AUTH_URL}/otp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: arg, type: "email" }),
    });
    process.exitCode = response.ok ? 0 : 1;
    break;
  }
  case "exit":
    process.exitCode = Number(arg);
    break;
  default:
    console.error(`fake_lua: unknown command ${command}`);
    process.exitCode = 2;
}
