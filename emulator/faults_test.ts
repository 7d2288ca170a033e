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
  for (const mode of FAULT_MODES) {
    assert.equal(parseFaultSpec({ path: "/x", mode }).ok, true, mode);
  }
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
  queue.add(spec("/telemetry", "delay", 1, 5));
  assert.equal(queue.size(), 4);
  assert.equal(queue.size("/otp"), 3);
  assert.equal(queue.take("/otp/verify"), undefined);
  assert.deepEqual(queue.take("/otp"), { mode: "500", delayMs: 0 });
  assert.deepEqual(queue.take("/otp"), { mode: "500", delayMs: 0 });
  assert.deepEqual(queue.take("/otp"), { mode: "html502", delayMs: 0 });
  assert.equal(queue.take("/otp"), undefined);
  assert.deepEqual(queue.take("/telemetry"), { mode: "delay", delayMs: 5 });
  assert.equal(queue.size(), 0);
});

Deno.test("FaultQueue.clear() forgets everything", () => {
  const queue = new FaultQueue();
  queue.add(spec("/otp", "hang", 10));
  queue.clear();
  assert.equal(queue.size(), 0);
  assert.equal(queue.take("/otp"), undefined);
});
