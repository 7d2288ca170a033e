import assert from "node:assert/strict";
import { join } from "node:path";
import { run } from "../testing/process.ts";
import { ignoreWithoutNode } from "./_testing.ts";
import { LOOPBACK_ONLY_URL } from "./real_lua.ts";

const ignore = ignoreWithoutNode("loopback_only_test");

/**
 * Every way out that the real client (or its dependencies) uses, each reported as one line:
 * `name: refused <code>` or `name: CONNECTED`. The last probe talks to a loopback server.
 */
const PROBE = `
import dgram from "node:dgram";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { connect } from "node:net";

const [loopbackPort] = process.argv.slice(2);
const results = [];
const settle = (name, start) => new Promise((resolve) => {
  const done = (line) => { results.push(name + ": " + line); resolve(); };
  start(done);
});
const event = (done) => [(e) => done("refused " + e.code), () => done("CONNECTED")];

await settle("fetch", (done) =>
  fetch("https://registry.npmjs.org/lua-cli/latest").then(() => done("CONNECTED"),
    (e) => done("refused " + e.cause?.code)));
await settle("fetch-request", (done) =>
  fetch(new Request("https://us.i.posthog.com/i/v0/e/", { method: "POST", body: "{}" }))
    .then(() => done("CONNECTED"), (e) => done("refused " + e.cause?.code)));
await settle("https", (done) => {
  const [fail, ok] = event(done);
  https.get("https://identitytoolkit.googleapis.com/", ok).on("error", fail);
});
await settle("http", (done) => {
  const [fail, ok] = event(done);
  http.get({ host: "10.255.255.1", port: 80, path: "/" }, ok).on("error", fail);
});
await settle("tls", (done) => {
  const [fail, ok] = event(done);
  tls.connect(443, "securetoken.googleapis.com").on("error", fail).on("secureConnect", ok);
});
await settle("net-named-import", (done) => {
  const [fail, ok] = event(done);
  connect({ host: "192.0.2.1", port: 9 }).on("error", fail).on("connect", ok);
});
await settle("net-localhost", (done) => {
  const [fail, ok] = event(done);
  net.connect(Number(loopbackPort), "localhost").on("error", fail).on("connect", ok);
});
await settle("ipc", (done) => {
  const [fail, ok] = event(done);
  net.connect("/tmp/lua-no-such.sock").on("error", fail).on("connect", ok);
});
await settle("dns", (done) => dns.lookup("example.com", (e) => done(e ? "refused " + e.code : "CONNECTED")));
await settle("dns-promises", (done) =>
  dns.promises.lookup("example.com").then(() => done("CONNECTED"), (e) => done("refused " + e.code)));
await settle("udp", (done) => {
  const socket = dgram.createSocket("udp4");
  socket.send("x", 53, "8.8.8.8", (e) => { socket.close(); done(e ? "refused " + e.code : "CONNECTED"); });
});
await settle("loopback", (done) =>
  fetch("http://127.0.0.1:" + loopbackPort + "/").then(async (r) => done("CONNECTED " + await r.text()),
    (e) => done("refused " + (e.cause?.code ?? e.message))));
console.log(results.join("\\n"));
`;

Deno.test({
  name: "loopback_only.mjs refuses every connection not to 127.0.0.1, at once, and logs it",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "lua-loopback-" });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response("hello"),
    );
    try {
      const probe = join(dir, "probe.mjs");
      await Deno.writeTextFile(probe, PROBE);
      const log = join(dir, "refused.jsonl");
      const started = performance.now();
      const output = await run(
        "node",
        ["--import", LOOPBACK_ONLY_URL, probe, String(server.addr.port)],
        {
          env: { LUA_CONFORMANCE_REFUSED_LOG: log },
        },
      );
      const ms = performance.now() - started;
      assert.equal(output.code, 0, output.stderr);
      assert.deepEqual(output.stdout.trim().split("\n"), [
        "fetch: refused ECONNREFUSED",
        "fetch-request: refused ECONNREFUSED",
        "https: refused ECONNREFUSED",
        "http: refused ECONNREFUSED",
        "tls: refused ECONNREFUSED",
        "net-named-import: refused ECONNREFUSED",
        "net-localhost: refused ECONNREFUSED",
        "ipc: refused ECONNREFUSED",
        "dns: refused ENOTFOUND",
        "dns-promises: refused ENOTFOUND",
        "udp: refused ECONNREFUSED",
        "loopback: CONNECTED hello",
      ]);
      assert.ok(ms < 5000, `took ${ms} ms: a refusal must not wait for a timeout`);
      const logged = (await Deno.readTextFile(log)).trim().split("\n").map((line) =>
        JSON.parse(line)
      );
      assert.deepEqual(logged, [
        { via: "fetch", target: "registry.npmjs.org:443" },
        { via: "fetch", target: "us.i.posthog.com:443" },
        { via: "net", target: "identitytoolkit.googleapis.com:443" },
        { via: "net", target: "10.255.255.1:80" },
        { via: "net", target: "securetoken.googleapis.com:443" },
        { via: "net", target: "192.0.2.1:9" },
        { via: "net", target: `localhost:${server.addr.port}` },
        { via: "ipc", target: "/tmp/lua-no-such.sock" },
        { via: "dns", target: "example.com" },
        { via: "dns", target: "example.com" },
        { via: "udp", target: "8.8.8.8" },
      ]);
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "loopback_only.mjs in NODE_OPTIONS reaches Node child processes too",
  ignore,
  async fn() {
    const child = `fetch("https://example.com").then(() => console.log("CONNECTED"),` +
      ` (e) => console.log("refused " + e.cause?.code));`;
    const parent = `const { execFileSync } = await import("node:child_process");` +
      `process.stdout.write(execFileSync(process.execPath, ["-e", ${JSON.stringify(child)}]));`;
    const output = await run("node", ["--input-type=module", "-e", parent], {
      env: { NODE_OPTIONS: `--import=${LOOPBACK_ONLY_URL}` },
    });
    assert.equal(output.code, 0, output.stderr);
    assert.equal(output.stdout.trim(), "refused ECONNREFUSED");
  },
});
