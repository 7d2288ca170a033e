/**
 * The telemetry switch, apart from the sender so that a run with telemetry off loads nothing
 * more.
 *
 * @module
 */

/**
 * Whether telemetry is on.
 *
 * @example
 * ```ts
 * import { telemetryEnabled } from "./telemetry_setting.ts";
 * import assert from "node:assert/strict";
 * assert.equal(telemetryEnabled((n) => n === "LUA_TELEMETRY" ? "OFF" : undefined), false);
 * assert.equal(telemetryEnabled(() => undefined), true);
 * ```
 *
 * @param env Reads the environment.
 * @returns False when `LUA_TELEMETRY` is `false`, `0`, `off` or `no` (any case), or
 * `DO_NOT_TRACK` is `1` or `true`.
 */
export function telemetryEnabled(env: (name: string) => string | undefined): boolean {
  const setting = env("LUA_TELEMETRY")?.trim().toLowerCase();
  if (setting && ["false", "0", "off", "no"].includes(setting)) return false;
  const dnt = env("DO_NOT_TRACK")?.trim().toLowerCase();
  return !(dnt === "1" || dnt === "true");
}
