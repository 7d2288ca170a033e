/**
 * How much of a secret a text shows, for tests of the output filter.
 *
 * @module
 */

/**
 * The longest run of `text` that occurs in `secret`, ignoring case.
 *
 * @example
 * ```ts
 * import { longestRun } from "./secret_runs.ts";
 * import assert from "node:assert/strict";
 * assert.equal(longestRun("key: API_0123 …", "api_0123456789"), 8);
 * ```
 *
 * @param text What was shown.
 * @param secret The secret.
 * @returns The length of the longest shared run.
 */
export function longestRun(text: string, secret: string): number {
  const t = text.toLowerCase();
  const s = secret.toLowerCase();
  let best = 0;
  for (let i = 0; i < t.length; i++) {
    for (let j = i + best + 1; j <= t.length && s.includes(t.slice(i, j)); j++) best = j - i;
  }
  return best;
}
