/**
 * What to do about a request that never got an answer: the one place that adds these hints to
 * a network failure, for every command and for `--json` alike.
 *
 * @module
 */

import { LuaError, UnavailableError } from "../errors.ts";
import { detectRuntime, type Runtime } from "../runtime.ts";

/**
 * Whether an error is a network failure: the platform could not be reached, or did not answer in
 * time. The client gives those (and only those) the runtime's own failure as their cause; an
 * answer the platform did send (HTTP 500, a redirect, nonsense) is not one.
 *
 * @param error Anything thrown.
 * @returns True for an {@linkcode UnavailableError} of the network kind.
 */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof UnavailableError && error.cause instanceof Error &&
    !(error.cause instanceof LuaError);
}

/**
 * The hints for a network failure: check the connection, the URL settings, the proxy and the
 * certificate authorities, in the runtime's own variables.
 *
 * @example
 * ```ts
 * import { networkHints } from "./network_hint.ts";
 * import assert from "node:assert/strict";
 * assert.match(networkHints("deno").join("\n"), /DENO_CERT/);
 * assert.match(networkHints("node").join("\n"), /NODE_EXTRA_CA_CERTS/);
 * ```
 *
 * @param runtime The runtime the CLI runs on.
 * @returns One imperative line each.
 */
export function networkHints(runtime: Runtime = detectRuntime()): string[] {
  const ca = runtime === "node" ? "NODE_EXTRA_CA_CERTS" : "DENO_CERT";
  return [
    "Check your network connection, then try again",
    "Check LUA_AUTH_URL and LUA_API_URL (in the environment or in .env), if you set them",
    "Behind a proxy, set HTTPS_PROXY (and NO_PROXY for hosts to reach directly)",
    `With a private certificate authority, set ${ca}=/path/to/ca.pem`,
  ];
}

/**
 * The hints an error is reported with: its own, and the network hints after a network failure.
 *
 * @param error The error.
 * @returns The hints to print.
 */
export function hintsOf(error: LuaError): readonly string[] {
  return isNetworkFailure(error) ? [...error.hints, ...networkHints()] : error.hints;
}
