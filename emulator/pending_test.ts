import assert from "node:assert/strict";
import { PendingRequests } from "./pending.ts";

Deno.test("wait() without a delay ends on abort", async () => {
  const pending = new PendingRequests();
  const controller = new AbortController();
  const outcome = pending.wait(controller.signal);
  assert.equal(pending.size, 1);
  controller.abort();
  assert.equal(await outcome, "aborted");
  assert.equal(pending.size, 0);
});

Deno.test("wait() ends immediately for an already aborted signal", async () => {
  const pending = new PendingRequests();
  assert.equal(await pending.wait(AbortSignal.abort()), "aborted");
  assert.equal(pending.size, 0);
});

Deno.test("releaseAll() ends every hold", async () => {
  const pending = new PendingRequests();
  const controller = new AbortController();
  const a = pending.wait(controller.signal);
  const b = pending.wait(controller.signal, 60_000);
  assert.equal(pending.releaseAll(), 2);
  assert.deepEqual(await Promise.all([a, b]), ["released", "released"]);
  assert.equal(pending.size, 0);
  assert.equal(pending.releaseAll(), 0);
  // Aborting afterwards is harmless: the listeners are gone.
  controller.abort();
});

Deno.test("wait() with a delay ends when the delay elapses", async () => {
  const pending = new PendingRequests();
  const started = performance.now();
  assert.equal(await pending.wait(new AbortController().signal, 20), "elapsed");
  assert.ok(performance.now() - started >= 15);
  assert.equal(pending.size, 0);
});

Deno.test("wait() with a delay clears its timer on abort", async () => {
  // The op sanitizer fails this test if the 60 s timer survives.
  const pending = new PendingRequests();
  const controller = new AbortController();
  const outcome = pending.wait(controller.signal, 60_000);
  controller.abort();
  assert.equal(await outcome, "aborted");
});
