import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import type { FetchInit } from "../context.ts";
import { createEmulatedCli } from "../../testing/emulated.ts";
import { platformClient, safeProgramName, timeoutFromEnv } from "./cli_context.ts";

Deno.test("safeProgramName: the base name without a script extension, else lua", () => {
  assert.equal(safeProgramName(undefined), "lua");
  assert.equal(safeProgramName("/usr/local/bin/lua-ai"), "lua-ai");
  assert.equal(safeProgramName("C:\\tools\\lua.cmd"), "lua");
  assert.equal(safeProgramName("/x/node_modules/@lua/cli/bin/lua.cjs"), "lua");
  for (const odd of ["", "-rf", "lua\x1b[2J", "a b", "x".repeat(41), "9lua"]) {
    assert.equal(safeProgramName(odd), "lua", JSON.stringify(odd));
  }
});

Deno.test("timeoutFromEnv: LUA_HTTP_TIMEOUT in seconds, a deadline of 2.8 times it; else none", () => {
  const env = (value?: string) => ({
    env: (name: string) => name === "LUA_HTTP_TIMEOUT" ? value : undefined,
  });
  assert.deepEqual(timeoutFromEnv(env()), {});
  assert.deepEqual(timeoutFromEnv(env(" ")), {});
  assert.deepEqual(timeoutFromEnv(env("1.5")), { timeoutMs: 1500, deadlineMs: 4200 });
  for (const bad of ["0", "0.05", "301", "ten", "NaN", "Infinity"]) {
    assert.throws(() => timeoutFromEnv(env(bad)), UsageError, bad);
  }
});

Deno.test("platformClient: LUA_API_URL from .env is used, as by the platform's own CLI", async () => {
  const e = createEmulatedCli({ env: { LUA_API_URL: undefined, LUA_AUTH_URL: undefined } });
  const key = await e.issueKey("ada@example.com");
  const hosts: string[] = [];
  const fetch = e.cli.fetch;
  Object.assign(e.cli, {
    fetch: (url: string, init: FetchInit) => {
      hosts.push(new URL(url).host);
      return fetch(url, init);
    },
  });
  e.cli.fs.putFile(`${e.cli.cwd()}/.env`, "LUA_API_URL=http://emulator.test\n");
  const account = await (await platformClient(e.cli)).checkKey(key);
  assert.equal(account.email, "ada@example.com");
  assert.ok(hosts.length > 0 && hosts.every((host) => host === "emulator.test"), hosts.join());
});
