import assert from "node:assert/strict";
import { HOSTNAME, type RunningEmulator, startEmulator } from "./server.ts";

const ADA = "ada@example.com";

async function fetchJson(
  server: RunningEmulator,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", body: JSON.stringify(body), headers };
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: HOSTNAME, port: 0 });
  const { port } = listener.addr;
  listener.close();
  await Promise.resolve();
  return port;
}

Deno.test("startEmulator() listens on 127.0.0.1 on a free port by default", async () => {
  let announced: { hostname: string; port: number } | undefined;
  const server = await startEmulator({ onListen: (address) => announced = address });
  try {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.deepEqual(announced, { hostname: "127.0.0.1", port: server.port });
    const response = await fetchJson(server, "/nowhere");
    assert.equal(response.status, 404);
    assert.equal(response.headers.get("content-type"), "application/json");
  } finally {
    await server.close();
  }
});

Deno.test("startEmulator() is not reachable on other loopback addresses", async () => {
  const server = await startEmulator();
  try {
    const others = Deno.build.os === "linux" ? ["::1", "127.0.0.2"] : ["::1"];
    for (const hostname of others) {
      await assert.rejects(async () => {
        const conn = await Deno.connect({ hostname, port: server.port });
        conn.close(); // only reached if the server were listening there
      }, `reachable on ${hostname}`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("startEmulator() uses the given port", async () => {
  const port = await freePort();
  const server = await startEmulator({ port });
  try {
    assert.equal(server.port, port);
    assert.equal(server.url, `http://127.0.0.1:${port}`);
  } finally {
    await server.close();
  }
});

Deno.test("startEmulator() rejects when the port is taken", async () => {
  const first = await startEmulator();
  try {
    await assert.rejects(startEmulator({ port: first.port }), Deno.errors.AddrInUse);
  } finally {
    await first.close();
  }
});

Deno.test("startEmulator() closes the server again if onListen throws", async () => {
  let port = 0;
  await assert.rejects(
    startEmulator({
      onListen: (address) => {
        port = address.port;
        throw new Error("boom");
      },
    }),
    /boom/,
  );
  assert.ok(port > 0);
  await assert.rejects(async () => {
    const conn = await Deno.connect({ hostname: HOSTNAME, port });
    conn.close();
  });
});

Deno.test("startEmulator() prints nothing by default", async () => {
  const calls: unknown[][] = [];
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const record = (...args: unknown[]): void => void calls.push(args);
  Object.assign(console, { log: record, info: record, warn: record, error: record });
  try {
    const server = await startEmulator();
    try {
      const response = await fetchJson(server, "/otp", postJson({ email: ADA, type: "email" }));
      assert.equal(response.status, 200);
    } finally {
      await server.close();
    }
  } finally {
    Object.assign(console, saved);
  }
  assert.deepEqual(calls, []);
});

Deno.test("startEmulator() serves the whole flow over loopback", async () => {
  const lines: string[] = [];
  const server = await startEmulator({ log: (line) => lines.push(line) });
  try {
    const sent = await fetchJson(
      server,
      "/otp",
      postJson({ email: "Ada@Example.com", type: "email" }),
    );
    assert.deepEqual([sent.status, sent.body], [200, { ok: true }]);
    const limited = await fetchJson(server, "/otp", postJson({ email: ADA, type: "email" }));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "30");

    const outbox = await fetchJson(server, "/_emulator/outbox?email=ADA%40example.com");
    const [entry] = outbox.body as { to: string; code: string }[];
    assert.ok(entry);
    assert.equal(entry.to, ADA);
    assert.deepEqual(lines, [`[outbox] to=${ADA} code=${entry.code}`]);

    const verified = await fetchJson(
      server,
      "/otp/verify",
      postJson({ email: ADA, pin: entry.code, type: "email" }),
    );
    assert.equal(verified.status, 200);
    const { signInToken } = verified.body as { signInToken: string };

    const created = await fetchJson(server, "/profile/apiKey", {
      method: "POST",
      headers: { authorization: `Bearer ${signInToken}`, "content-type": "application/json" },
    });
    assert.equal(created.status, 200);
    const { apiKey, userId } = created.body as { apiKey: string; userId: string };
    assert.match(apiKey, /^api_[0-9a-f]{32}$/);
    const auth = { authorization: `Bearer ${apiKey}` };

    const [me, context] = await Promise.all([
      fetchJson(server, "/admin/me/authorization", { headers: auth }),
      fetchJson(server, "/admin/me/authorization/context", { headers: auth }),
    ]);
    assert.equal(me.status, 200);
    assert.deepEqual((me.body as { authorizationPrincipal: unknown }).authorizationPrincipal, {
      subjectType: "user",
      subjectId: userId,
    });
    assert.deepEqual(context.body, { email: ADA, fullName: "Ada" });

    const event = { api_key: "phc_test", event: "demo", distinct_id: "anon_1" };
    const telemetry = await fetchJson(server, "/i/v0/e/", postJson(event));
    assert.deepEqual([telemetry.status, telemetry.body], [200, { status: 1 }]);
    assert.deepEqual((await fetchJson(server, "/_emulator/telemetry")).body, [event]);

    const typed = await fetchJson(
      server,
      "/_emulator/api-keys",
      postJson({ email: ADA, kind: "typed" }),
    );
    assert.equal(typed.status, 201);
    const typedKey = (typed.body as { apiKey: string }).apiKey;
    const typedMe = await fetchJson(server, "/admin/me/authorization", {
      headers: { authorization: `Bearer ${typedKey}` },
    });
    assert.equal(
      (typedMe.body as { authorizationPrincipal: { subjectType: string } }).authorizationPrincipal
        .subjectType,
      "apiKey",
    );

    const revoked = await fetchJson(server, "/_emulator/revoke", postJson({ apiKey }));
    assert.deepEqual([revoked.status, revoked.body], [204, null]);
    const after = await fetchJson(server, "/admin/me/authorization", { headers: auth });
    assert.deepEqual([after.status, (after.body as { error: string }).error], [
      401,
      "Unauthorized",
    ]);
    assert.equal(server.emulator.keys()[0]?.revoked, true);
  } finally {
    await server.close();
  }
});

Deno.test("fault modes survive the trip through a real server", async () => {
  const server = await startEmulator();
  try {
    for (const mode of ["500", "html502", "not-json"]) {
      const added = await fetchJson(server, "/_emulator/faults", postJson({ path: "/otp", mode }));
      assert.equal(added.status, 204);
    }
    const internal = await fetch(`${server.url}/otp`, { method: "POST", body: "{}" });
    assert.equal(internal.status, 500);
    assert.equal((await internal.json()).error, "internal_error");
    const gateway = await fetch(`${server.url}/otp`, { method: "POST", body: "{}" });
    assert.equal(gateway.status, 502);
    assert.equal(gateway.headers.get("content-type"), "text/html");
    assert.match(await gateway.text(), /<html>/);
    const garbage = await fetch(`${server.url}/otp`, { method: "POST", body: "{}" });
    assert.equal(garbage.status, 200);
    assert.equal(garbage.headers.get("content-type"), "application/json");
    await assert.rejects(garbage.json(), SyntaxError);
    const normal = await fetch(`${server.url}/otp`, { method: "POST", body: "{}" });
    assert.equal(normal.status, 400);
    await normal.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("redirect, endless and respond faults survive the trip through a real server", async () => {
  const server = await startEmulator();
  try {
    const faults = [
      {
        path: "/profile/apiKey",
        mode: "redirect",
        headers: { location: "https://evil.example/x" },
      },
      { path: "/otp", mode: "endless" },
      { path: "/otp/verify", mode: "respond", status: 410, body: { message: "Gone" } },
    ];
    for (const fault of faults) {
      assert.equal((await fetchJson(server, "/_emulator/faults", postJson(fault))).status, 204);
    }
    const redirected = await fetch(`${server.url}/profile/apiKey`, {
      method: "POST",
      redirect: "manual",
    });
    assert.equal(redirected.status, 307);
    assert.equal(redirected.headers.get("location"), "https://evil.example/x");
    await redirected.body?.cancel();

    const endless = await fetch(`${server.url}/otp`, { method: "POST", body: "{}" });
    const reader = endless.body!.getReader();
    let total = 0;
    while (total < 1024 * 1024) total += (await reader.read()).value?.byteLength ?? 0;
    await reader.cancel();
    assert.deepEqual(server.emulator.outbox(), []);

    const gone = await fetchJson(server, "/otp/verify", postJson({}));
    assert.deepEqual([gone.status, gone.body], [410, { message: "Gone" }]);
  } finally {
    await server.close();
  }
});

Deno.test('fault "delay" delays the real response', async () => {
  const server = await startEmulator();
  try {
    await fetchJson(
      server,
      "/_emulator/faults",
      postJson({ path: "/i/v0/e/", mode: "delay", delayMs: 50 }),
    );
    const started = performance.now();
    const response = await fetchJson(server, "/i/v0/e/", postJson({ api_key: "phc", n: 1 }));
    assert.equal(response.status, 200);
    assert.ok(performance.now() - started >= 45);
  } finally {
    await server.close();
  }
});

Deno.test('fault "hang" is released when the client aborts', async () => {
  const server = await startEmulator();
  try {
    await fetchJson(server, "/_emulator/faults", postJson({ path: "/otp", mode: "hang" }));
    const controller = new AbortController();
    const request = fetch(`${server.url}/otp`, {
      method: "POST",
      body: JSON.stringify({ email: ADA, type: "email" }),
      signal: controller.signal,
    });
    await waitFor(() => server.emulator.pending() === 1, "the request to be held");
    controller.abort();
    await assert.rejects(request, (error: Error) => error.name === "AbortError");
    await waitFor(() => server.emulator.pending() === 0, "the server to see the abort");
    assert.deepEqual(server.emulator.outbox(), []);
  } finally {
    await server.close();
  }
});

Deno.test('close() releases requests held by "hang" and "delay"', async () => {
  const server = await startEmulator();
  await fetchJson(server, "/_emulator/faults", postJson({ path: "/otp", mode: "hang" }));
  await fetchJson(
    server,
    "/_emulator/faults",
    postJson({ path: "/admin/me/authorization", mode: "delay", delayMs: 60_000 }),
  );
  const hung = fetch(`${server.url}/otp`, { method: "POST", body: "{}" });
  const delayed = fetch(`${server.url}/admin/me/authorization`);
  await waitFor(() => server.emulator.pending() === 2, "both requests to be held");
  await server.close();
  for (const response of await Promise.all([hung, delayed])) {
    assert.equal(response.status, 503);
    assert.equal((await response.json()).error, "request_released");
  }
  assert.equal(server.emulator.pending(), 0);
});

Deno.test("POST /_emulator/reset releases held requests over the wire", async () => {
  const server = await startEmulator();
  try {
    await fetchJson(server, "/_emulator/faults", postJson({ path: "/otp", mode: "hang" }));
    const hung = fetch(`${server.url}/otp`, { method: "POST", body: "{}" });
    await waitFor(() => server.emulator.pending() === 1, "the request to be held");
    const reset = await fetchJson(server, "/_emulator/reset", { method: "POST" });
    assert.equal(reset.status, 204);
    const response = await hung;
    assert.equal(response.status, 503);
    await response.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("close() is idempotent and stops listening", async () => {
  const server = await startEmulator();
  await Promise.all([server.close(), server.close()]);
  await server.close();
  await assert.rejects(async () => {
    const conn = await Deno.connect({ hostname: HOSTNAME, port: server.port });
    conn.close();
  });
});
