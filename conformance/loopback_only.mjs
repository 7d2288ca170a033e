/**
 * Node.js preload for the conformance check: the process may connect to 127.0.0.1 and nowhere
 * else. Load it before anything else runs:
 *
 * ```sh
 * node --import ./conformance/loopback_only.mjs some_script.js
 * ```
 *
 * Every other connection fails at once, before any DNS query, with an `ECONNREFUSED` error whose
 * message names this file: every `net.Socket` (so `net`, `tls`, `http`, `https` and the `undici`
 * package), the global `fetch` (Node's bundled undici), UDP sends (`dgram`) and host name lookups
 * (`dns`). Unix-domain and named-pipe connections are refused too.
 *
 * When `LUA_CONFORMANCE_REFUSED_LOG` names a file, one JSON line `{"via", "target"}` is appended
 * to it per refused attempt, so a test can tell which host a client tried to reach.
 *
 * @module
 */

import dgram from "node:dgram";
import dns from "node:dns";
import { appendFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

/** The one address connections may go to. */
const ALLOWED_HOST = "127.0.0.1";
const INSTALLED = Symbol.for("lua-conformance.loopback-only");

/**
 * Appends one refused attempt to the log, if there is one; never throws.
 *
 * @param {string} via What tried to connect.
 * @param {string} target The host (and port) it tried.
 */
function record(via, target) {
  const log = process.env.LUA_CONFORMANCE_REFUSED_LOG;
  if (!log) return;
  try {
    appendFileSync(log, JSON.stringify({ via, target }) + "\n");
  } catch {
    // The log is a diagnostic; refusing the connection is what matters.
  }
}

/**
 * The error every refused attempt fails with.
 *
 * @param {string} via What tried to connect.
 * @param {string} target The host (and port) it tried.
 * @returns {Error & { code: string }} An `ECONNREFUSED` error.
 */
function refusal(via, target) {
  record(via, target);
  const error = new Error(
    `Connection to ${target} refused by conformance/loopback_only.mjs (only ${ALLOWED_HOST} is allowed)`,
  );
  return Object.assign(error, { code: "ECONNREFUSED", syscall: "connect" });
}

/**
 * The destination of a `net.Socket#connect` call, in any of its argument forms.
 *
 * @param {unknown[]} args The arguments.
 * @returns {{ host?: string, port?: unknown, path?: string }} Host and port, or a socket path.
 */
function destination(args) {
  let first = args[0];
  // net.connect() passes [options, callback] arrays through `normalizedArgsSymbol`.
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === "object") {
    const options = /** @type {Record<string, unknown>} */ (first);
    if (typeof options.path === "string") return { path: options.path };
    return {
      host: typeof options.host === "string" ? options.host : "localhost",
      port: options.port,
    };
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return { path: first };
  return { host: typeof args[1] === "string" ? args[1] : "localhost", port: first };
}

function install() {
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect(...args) {
    const { host, port, path } = destination(args);
    if (host !== ALLOWED_HOST) {
      const error = refusal(path === undefined ? "net" : "ipc", path ?? `${host}:${port}`);
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return originalConnect.apply(this, args);
  };

  const originalFetch = globalThis.fetch;
  if (typeof originalFetch === "function") {
    globalThis.fetch = function fetch(input, init) {
      let url;
      try {
        url = new URL(input instanceof Request ? input.url : String(input?.href ?? input));
      } catch {
        return originalFetch(input, init);
      }
      if (url.hostname !== ALLOWED_HOST) {
        const port = url.port || (url.protocol === "https:" ? "443" : "80");
        const cause = refusal("fetch", `${url.hostname}:${port}`);
        return Promise.reject(new TypeError("fetch failed", { cause }));
      }
      return originalFetch(input, init);
    };
  }

  const originalLookup = dns.lookup;
  dns.lookup = function lookup(hostname, ...rest) {
    if (hostname !== ALLOWED_HOST) {
      const callback = rest.at(-1);
      const error = Object.assign(refusal("dns", String(hostname)), { code: "ENOTFOUND" });
      if (typeof callback === "function") process.nextTick(() => callback(error));
      return {};
    }
    return originalLookup.call(this, hostname, ...rest);
  };
  const originalPromisesLookup = dns.promises.lookup;
  dns.promises.lookup = function lookup(hostname, ...rest) {
    if (hostname !== ALLOWED_HOST) {
      return Promise.reject(Object.assign(refusal("dns", String(hostname)), { code: "ENOTFOUND" }));
    }
    return originalPromisesLookup.call(this, hostname, ...rest);
  };

  const originalSend = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function send(message, ...rest) {
    const callback = typeof rest.at(-1) === "function" ? rest.at(-1) : undefined;
    const address = rest.find((value) => typeof value === "string");
    if (address !== undefined && address !== ALLOWED_HOST) {
      const error = refusal("udp", address);
      if (callback) process.nextTick(() => callback(error));
      return;
    }
    return originalSend.call(this, message, ...rest);
  };

  syncBuiltinESMExports();
}

if (!globalThis[INSTALLED]) {
  globalThis[INSTALLED] = true;
  install();
}
