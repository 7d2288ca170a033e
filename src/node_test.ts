import assert from "node:assert/strict";
import { join } from "node:path";
import { FsError } from "./fs_error.ts";
import { decodeChunks } from "./bytes.ts";
import { isConnectFailure } from "./client.ts";
import type { FetchInit, FetchResponse } from "./context.ts";
import {
  denoArchName,
  denoOsName,
  fromNodeError,
  nodeContext,
  nodeFetch,
  nodeFileSystem,
} from "./node.ts";

function nodeError(code: string): Error {
  return Object.assign(new Error(`${code}: failed`), { code });
}

Deno.test("fromNodeError maps Node's codes as Deno maps the same OS errors", () => {
  const cases: [string, string][] = [
    ["ENOENT", "NotFound"],
    ["EEXIST", "AlreadyExists"],
    ["EACCES", "PermissionDenied"],
    ["EPERM", "PermissionDenied"],
    ["EISDIR", "IsADirectory"],
    ["ERR_FS_EISDIR", "IsADirectory"],
    ["ENOTDIR", "NotADirectory"],
    ["ELOOP", "FilesystemLoop"],
    ["EBUSY", "Busy"],
    ["ENOTSUP", "NotSupported"],
  ];
  for (const [code, expected] of cases) {
    const cause = nodeError(code);
    const mapped = fromNodeError(cause);
    assert.ok(mapped instanceof FsError, code);
    assert.equal(mapped.code, expected, code);
    assert.equal(mapped.cause, cause);
  }
  const other = nodeError("ECONNRESET");
  assert.equal(fromNodeError(other), other);
  assert.equal(fromNodeError("text"), "text");
});

Deno.test("denoOsName and denoArchName use Deno.build's names", () => {
  assert.equal(denoOsName("win32"), "windows");
  assert.equal(denoOsName("darwin"), "darwin");
  assert.equal(denoOsName("linux"), "linux");
  assert.equal(denoOsName("sunos"), "solaris");
  assert.equal(denoArchName("x64"), "x86_64");
  assert.equal(denoArchName("arm64"), "aarch64");
  const ctx = nodeContext();
  assert.equal(ctx.os, Deno.build.os);
  assert.equal(ctx.arch, Deno.build.arch);
  assert.equal(ctx.cwd(), Deno.cwd());
  assert.equal(ctx.env("PATH"), Deno.env.get("PATH"));
});

Deno.test("nodeFileSystem: Deno's semantics and FsError codes on a real directory", async () => {
  const fs = nodeFileSystem("linux");
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "file");
    await fs.writeTextFile(file, "one", { mode: 0o600, createNew: true });
    assert.equal(await fs.readTextFile(file), "one");
    assert.equal((await fs.stat(file)).mode! & 0o777, 0o600);
    await Deno.chmod(file, 0o644);
    await fs.writeTextFile(file, "two", { mode: 0o600 });
    assert.equal((await fs.stat(file)).mode! & 0o777, 0o600, "mode applied to an existing file");
    await assert.rejects(fs.writeTextFile(file, "x", { createNew: true }), {
      code: "AlreadyExists",
    });
    await assert.rejects(fs.readTextFile(join(dir, "none")), { code: "NotFound" });
    await assert.rejects(fs.readTextFile(join(file, "child")), { code: "NotADirectory" });
    await assert.rejects(fs.readTextFile(dir), { code: "IsADirectory" });
    await assert.rejects(fs.mkdir(dir), { code: "AlreadyExists" });
    await fs.mkdir(join(dir, "a", "b"), { recursive: true, mode: 0o700 });
    assert.ok((await fs.stat(join(dir, "a", "b"))).isDirectory);
    await Deno.symlink(file, join(dir, "link"));
    const link = await fs.lstat(join(dir, "link"));
    assert.ok(link.isSymlink && !link.isFile);
    assert.ok((await fs.stat(join(dir, "link"))).isFile);
    await fs.remove(join(dir, "link"));
    assert.equal(await fs.readTextFile(file), "two", "remove takes the link, not its target");
    await fs.remove(join(dir, "a", "b"));
    await assert.rejects(fs.remove(join(dir, "a", "b")), { code: "NotFound" });
    await fs.rename(file, join(dir, "moved"));
    await assert.rejects(fs.chmod(file, 0o600), { code: "NotFound" });
    assert.deepEqual((await fs.readDir(dir)).sort(), ["a", "moved"]);
    await assert.rejects(fs.readDir(join(dir, "moved")), { code: "NotADirectory" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// undici's agent (through Deno's Node compatibility here) keeps its pool's timers and sockets
// after the request, and the context offers no way to close it: the sanitizers are off.
Deno.test({
  name: "nodeFetch: HTTP_PROXY sends a CONNECT to the proxy; without it, straight",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    return new Response("direct");
  });
  const proxy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const asked = (async () => {
    const conn = await proxy.accept();
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer);
    await conn.write(
      new TextEncoder().encode("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"),
    );
    conn.close(); // refuses the tunnel
    return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
  })();
  const url = `http://127.0.0.1:${server.addr.port}/x`;
  try {
    const direct = nodeFetch(() => undefined);
    assert.equal(await text(await direct(url, init())), "direct");
    const env = (name: string) =>
      name === "HTTP_PROXY" ? `http://127.0.0.1:${proxy.addr.port}` : undefined;
    await assert.rejects(nodeFetch(env)(url, init()));
    assert.match(
      await asked,
      new RegExp(`^CONNECT 127\\.0\\.0\\.1:${server.addr.port} HTTP/1\\.1`),
    );
  } finally {
    proxy.close();
    await server.shutdown();
  }
});

/** The init the client sends, with a signal (a fresh timeout unless one is given). */
function init(extra: Partial<FetchInit> = {}): FetchInit {
  return {
    method: "GET",
    headers: {},
    signal: AbortSignal.timeout(5_000),
    redirect: "manual",
    ...extra,
  };
}

async function text(response: FetchResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  return decodeChunks(chunks);
}

/** A loopback server for one test; `handler` answers each request. */
async function withServer(
  handler: (request: Request) => Response | Promise<Response>,
  test: (url: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    await test(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("nodeFetch over node:http: the method, headers and body sent; status, headers and body read", async () => {
  const seen: string[] = [];
  await withServer(async (request) => {
    seen.push(
      `${request.method} ${new URL(request.url).pathname} ${
        request.headers.get("authorization")
      } ` +
        `${request.headers.get("content-length")} ${await request.text()}`,
    );
    const headers = new Headers({ "content-type": "application/json" });
    headers.append("x-many", "a");
    headers.append("x-many", "b");
    return new Response('{"ok":true,"é":1}', { status: 201, headers });
  }, async (url) => {
    const fetch = nodeFetch(() => undefined);
    const response = await fetch(
      `${url}/admin/x`,
      init({
        method: "POST",
        headers: { authorization: "Bearer api_1", "content-type": "application/json" },
        body: '{"email":"é@example.com"}',
      }),
    );
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("Content-Type"), "application/json");
    assert.equal(response.headers.get("x-many"), "a, b");
    assert.equal(response.headers.get("x-none"), null);
    assert.equal(await text(response), '{"ok":true,"é":1}');
    assert.deepEqual(seen, ['POST /admin/x Bearer api_1 26 {"email":"é@example.com"}']);
  });
});

Deno.test("nodeFetch over node:http: a redirect is returned, not followed; a body can be cancelled", async () => {
  const paths: string[] = [];
  await withServer((request) => {
    paths.push(new URL(request.url).pathname);
    return new Response("moved", { status: 302, headers: { location: "https://elsewhere.test/" } });
  }, async (url) => {
    const response = await nodeFetch(() => undefined)(`${url}/a`, init());
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), "https://elsewhere.test/");
    await response.body?.cancel();
    assert.deepEqual(paths, ["/a"]);
  });
});

Deno.test("nodeFetch over node:http: the signal ends a request that gets no answer, and a body that drips", async () => {
  let release = (): void => {};
  const held = new Promise<void>((resolve) => release = resolve);
  await withServer(async (request) => {
    if (new URL(request.url).pathname === "/hang") {
      await held;
      return new Response("late");
    }
    // One chunk, then nothing until the test ends.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("first"));
        held.then(() => controller.close());
      },
    });
    return new Response(body);
  }, async (url) => {
    const fetch = nodeFetch(() => undefined);
    try {
      const started = performance.now();
      await assert.rejects(
        fetch(`${url}/hang`, init({ signal: AbortSignal.timeout(150) })),
        (error: unknown) => error instanceof DOMException && error.name === "TimeoutError",
      );
      assert.ok(performance.now() - started < 2_000);
      const response = await fetch(`${url}/drip`, init({ signal: AbortSignal.timeout(300) }));
      assert.equal(response.status, 200);
      await assert.rejects(
        text(response),
        (error: unknown) => error instanceof DOMException && error.name === "TimeoutError",
      );
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(fetch(`${url}/hang`, init({ signal: aborted.signal })));
    } finally {
      release();
    }
  });
});

Deno.test("nodeFetch over node:http: a refused connection is a connect failure", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const error = await nodeFetch(() => undefined)(`http://127.0.0.1:${port}/`, init()).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(isConnectFailure(error), String(error));
});
