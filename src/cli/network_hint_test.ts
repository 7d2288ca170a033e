import assert from "node:assert/strict";
import { LuaError, UnavailableError } from "../errors.ts";
import { createClient } from "../client.ts";
import { createMemoryContext } from "../../testing/memory_context.ts";
import { hintsOf, isNetworkFailure, networkHints } from "./network_hint.ts";

Deno.test("isNetworkFailure: the client's own failures to connect and time out, nothing else", async () => {
  const refused = createClient(
    {
      ...createMemoryContext(),
      fetch: () => Promise.reject(new TypeError("error sending request: connection refused")),
    },
    { timeoutMs: 50, deadlineMs: 100, backoffMs: 1 },
  );
  const failure = await refused.checkKey("api_0123456789abcdef0123456789abcdef").catch((e) => e);
  assert.ok(failure instanceof UnavailableError);
  assert.ok(isNetworkFailure(failure), failure.message);
  const hanging = createClient(
    {
      ...createMemoryContext(),
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
        }),
    },
    { timeoutMs: 20, deadlineMs: 30, maxAttempts: 1 },
  );
  const timeout = await hanging.requestOtp("ada@example.com").catch((e) => e);
  assert.ok(timeout instanceof UnavailableError);
  assert.ok(isNetworkFailure(timeout), `a timeout is one too: ${timeout.message}`);
  assert.ok(!isNetworkFailure(new UnavailableError("HTTP 500")));
  assert.ok(!isNetworkFailure(new UnavailableError("x", { cause: new LuaError("y", 11) })));
});

Deno.test("hintsOf: the error's own hints, then the network's", () => {
  const error = new UnavailableError("x", { hints: ["own"], cause: new TypeError("dns error") });
  assert.deepEqual(hintsOf(error), ["own", ...networkHints()]);
  assert.deepEqual(hintsOf(new UnavailableError("y", { hints: ["own"] })), ["own"]);
});
