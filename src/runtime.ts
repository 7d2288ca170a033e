/**
 * Which runtime this code runs on, for the `User-Agent` header and telemetry.
 *
 * @module
 */

/** The runtimes the CLI ships for. */
export type Runtime = "deno" | "node" | "compiled";

/**
 * The runtime this code runs on: a `deno compile` binary, Deno, or Node.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "./runtime.ts";
 * console.log(detectRuntime()); // "deno" under `deno run`
 * ```
 *
 * @returns The runtime's name.
 */
export function detectRuntime(): Runtime {
  const deno = (globalThis as { Deno?: { build?: { standalone?: boolean } } }).Deno;
  if (deno?.build?.standalone === true) return "compiled";
  const process = (globalThis as { process?: { versions?: Record<string, string> } }).process;
  if (process?.versions?.node && !process.versions.deno) return "node";
  return "deno";
}
