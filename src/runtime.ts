/**
 * Which runtime this code runs on, for the `User-Agent` header and telemetry.
 *
 * @module
 */

/** The runtimes the CLI ships for. */
export type Runtime = "deno" | "node" | "compiled";

/** The globals {@linkcode detectRuntime} looks at. */
interface RuntimeGlobals {
  Deno?: { build?: { standalone?: boolean }; version?: { deno?: unknown } };
  process?: { versions?: Record<string, string | undefined> };
}

/**
 * The runtime this code runs on: a `deno compile` binary, Deno, or Node.
 *
 * Deno is asked first, and `process` only when there is no Deno: under Deno, the first read of
 * `globalThis.process` sets up Node's `process` for the program, 19 ms on a command line.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "./runtime.ts";
 * console.log(detectRuntime()); // "deno" under `deno run`
 * ```
 *
 * @param scope Where the globals are; `globalThis` by default.
 * @returns The runtime's name.
 */
export function detectRuntime(scope: object = globalThis): Runtime {
  const { Deno: deno } = scope as RuntimeGlobals;
  if (deno?.build?.standalone === true) return "compiled";
  if (typeof deno?.version?.deno === "string") return "deno";
  const { process } = scope as RuntimeGlobals;
  return process?.versions?.node ? "node" : "deno";
}
