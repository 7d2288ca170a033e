import assert from "node:assert/strict";
import { createMemoryContext } from "../../testing/memory_context.ts";
import { createMemoryIo, type MemoryIo } from "../../testing/memory_io.ts";
import type { Fetch, Permission } from "../context.ts";
import { type Host, runCliMain } from "./main.ts";

/** A host in memory: requests recorded (and answered 200), every permission but `denied`. */
function memoryHost(env: Record<string, string> = {}, denied?: (p: Permission) => boolean) {
  const sent: string[] = [];
  const fetch: Fetch = (url) => {
    sent.push(new URL(url).pathname);
    return Promise.resolve(new Response("{}"));
  };
  const context = createMemoryContext({
    env: {
      LUA_API_KEY: "api_0123456789abcdef0123456789abcdef",
      LUA_TELEMETRY_URL: "http://t.test",
      ...env,
    },
    fetch,
  });
  let io: MemoryIo | undefined;
  const host: Host = {
    context,
    io: () => io = createMemoryIo(),
    granted: (permission) => !denied?.(permission),
  };
  return { host, sent, io: () => io! };
}

Deno.test("runCliMain: the command's exit code, then one telemetry event", async () => {
  const { host, sent, io } = memoryHost();
  assert.equal(await runCliMain(["auth", "token"], host), 0);
  assert.equal(io().stdout, "api_0123456789abcdef0123456789abcdef\n");
  assert.deepEqual(sent, ["/i/v0/e/"]);
  assert.equal(await runCliMain(["auth", "nope"], memoryHost().host), 2);
});

Deno.test("runCliMain: no event when opted out, or when an opt-out switch may not be read", async () => {
  const off = memoryHost({ LUA_TELEMETRY: "false" });
  assert.equal(await runCliMain(["auth", "token"], off.host), 0);
  assert.deepEqual(off.sent, []);
  const unreadable = memoryHost({}, (p) => p.name === "env" && p.variable === "DO_NOT_TRACK");
  assert.equal(await runCliMain(["auth", "token"], unreadable.host), 0);
  assert.deepEqual(unreadable.sent, []);
});

Deno.test("runCliMain: the program's name from the launcher is the one help says", async () => {
  const { host, io } = memoryHost({ LUA_TELEMETRY: "false" });
  assert.equal(await runCliMain(["--help"], host, { programName: "/usr/bin/lua-ai" }), 0);
  assert.match(io().stdout, /^Usage: lua-ai <command>/);
});
