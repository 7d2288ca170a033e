import assert from "node:assert/strict";
import {
  DEFAULT_DELAY_MS,
  FAULT_MODES,
  FaultQueue,
  type FaultSpec,
  isControlPath,
  parseFaultSpec,
} from "./faults.ts";

function spec(path: string, mode: FaultSpec["mode"], count = 1, delayMs = 0): FaultSpec {
  return { path, mode, count, delayMs };
}

Deno.test("isControlPath() matches /_emulator and below only", () => {
  assert.equal(isControlPath("/_emulator"), true);
  assert.equal(isControlPath("/_emulator/reset"), true);
  assert.equal(isControlPath("/_emulatorx"), false);
  assert.equal(isControlPath("/otp"), false);
});

Deno.test("parseFaultSpec() fills in defaults", () => {
  assert.deepEqual(parseFaultSpec({ path: "/otp", mode: "500" }), {
    ok: true,
    spec: { path: "/otp", mode: "500", count: 1, delayMs: DEFAULT_DELAY_MS },
  });
  assert.deepEqual(parseFaultSpec({ path: "/otp", mode: "delay", count: 3, delayMs: 0 }), {
    ok: true,
    spec: { path: "/otp", mode: "delay", count: 3, delayMs: 0 },
  });
});

Deno.test("parseFaultSpec() accepts every mode", () => {
  assert.deepEqual([...FAULT_MODES].sort(), [
    "500",
    "delay",
    "endless",
    "hang",
    "html502",
    "not-json",
    "redirect",
    "respond",
    "wrapped",
  ]);
  for (const mode of FAULT_MODES) {
    assert.equal(parseFaultSpec({ path: "/x", mode }).ok, true, mode);
  }
});

Deno.test("parseFaultSpec() keeps status, body and headers for respond and redirect", () => {
  assert.deepEqual(
    parseFaultSpec({
      path: "/profile/apiKey",
      mode: "respond",
      status: 404,
      body: { message: "Not Found" },
      headers: { "x-a": "1" },
    }),
    {
      ok: true,
      spec: {
        path: "/profile/apiKey",
        mode: "respond",
        count: 1,
        delayMs: DEFAULT_DELAY_MS,
        status: 404,
        body: { message: "Not Found" },
        headers: { "x-a": "1" },
      },
    },
  );
  const redirect = parseFaultSpec({
    path: "/otp",
    mode: "redirect",
    status: 301,
    headers: { location: "https://evil.example/x" },
  });
  assert.ok(redirect.ok);
  assert.equal(redirect.spec.status, 301);
  assert.deepEqual(redirect.spec.headers, { location: "https://evil.example/x" });
  // A string body is kept as it is (sent verbatim); a null body is kept too.
  const text = parseFaultSpec({ path: "/otp", mode: "respond", body: "<html>" });
  assert.ok(text.ok);
  assert.equal(text.spec.body, "<html>");
  assert.equal(text.spec.status, undefined, "no status: the route's default applies");
});

Deno.test("parseFaultSpec() rejects invalid specs", () => {
  const invalid: unknown[] = [
    null,
    [],
    "x",
    { mode: "500" },
    { path: "otp", mode: "500" },
    { path: "/_emulator/reset", mode: "500" },
    { path: "/_emulator", mode: "500" },
    { path: "/otp" },
    { path: "/otp", mode: "503" },
    { path: "/otp", mode: "500", count: 0 },
    { path: "/otp", mode: "500", count: 1.5 },
    { path: "/otp", mode: "500", count: "2" },
    { path: "/otp", mode: "delay", delayMs: -1 },
    { path: "/otp", mode: "delay", delayMs: 2 ** 31 },
    { path: "/otp", mode: "delay", delayMs: "10" },
    { path: "/otp", mode: "respond", status: 199 },
    { path: "/otp", mode: "respond", status: 600 },
    { path: "/otp", mode: "respond", status: 200.5 },
    { path: "/otp", mode: "respond", status: "404" },
    { path: "/otp", mode: "respond", headers: [] },
    { path: "/otp", mode: "respond", headers: null },
    { path: "/otp", mode: "respond", headers: { "x-a": 1 } },
    { path: "/otp", mode: "redirect", headers: "https://x" },
  ];
  for (const body of invalid) {
    const result = parseFaultSpec(body);
    assert.equal(result.ok, false, JSON.stringify(body));
    if (!result.ok) assert.ok(result.message.length > 0);
  }
});

Deno.test("FaultQueue applies faults per path, in order, count times", () => {
  const queue = new FaultQueue();
  queue.add(spec("/otp", "500", 2));
  queue.add(spec("/otp", "html502"));
  queue.add(spec("/i/v0/e/", "delay", 1, 5));
  assert.equal(queue.size(), 4);
  assert.equal(queue.size("/otp"), 3);
  assert.equal(queue.take("/otp/verify"), undefined);
  assert.deepEqual(queue.take("/otp"), { mode: "500", delayMs: 0 });
  assert.deepEqual(queue.take("/otp"), { mode: "500", delayMs: 0 });
  assert.deepEqual(queue.take("/otp"), { mode: "html502", delayMs: 0 });
  assert.equal(queue.take("/otp"), undefined);
  assert.deepEqual(queue.take("/i/v0/e/"), { mode: "delay", delayMs: 5 });
  assert.equal(queue.size(), 0);
});

Deno.test("FaultQueue hands out status, body and headers with the fault", () => {
  const queue = new FaultQueue();
  queue.add({ ...spec("/otp", "respond", 2), status: 429, body: { a: 1 }, headers: { b: "2" } });
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(queue.take("/otp"), {
      mode: "respond",
      delayMs: 0,
      status: 429,
      body: { a: 1 },
      headers: { b: "2" },
    });
  }
  assert.equal(queue.take("/otp"), undefined);
});

Deno.test("FaultQueue.clear() forgets everything", () => {
  const queue = new FaultQueue();
  queue.add(spec("/otp", "hang", 10));
  queue.clear();
  assert.equal(queue.size(), 0);
  assert.equal(queue.take("/otp"), undefined);
});
