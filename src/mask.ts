/**
 * Masking keys for display: never more than the prefix and the last 4 characters.
 *
 * @module
 */

/**
 * Masks an API key for display: the prefix up to its first `_` (at most 7 characters, so that no 8 in a row are shown, and only
 * while at least half of the key stays hidden), then `…`, then the last 4 characters. A key of 12 characters or fewer shows only its last third
 * at most (none of 8 or fewer), so that at least two thirds of it are hidden.
 *
 * @example
 * ```ts
 * import { maskKey } from "./mask.ts";
 * import assert from "node:assert/strict";
 * assert.equal(maskKey("api_0123456789abcdef0123456789abcdef"), "api_…cdef");
 * assert.equal(maskKey("secret"), "…");
 * ```
 *
 * @param key The key.
 * @returns The masked key.
 */
export function maskKey(key: string): string {
  const chars = [...key];
  if (chars.length <= 8) return "…";
  // At most a third of a short key: its last 3 characters, or 4 when it has 12.
  if (chars.length <= 12) return `…${chars.slice(-Math.floor(chars.length / 3)).join("")}`;
  const last = chars.slice(-4).join("");
  const underscore = chars.indexOf("_");
  // The prefix names the kind of key; show it only while at least half of the key stays hidden.
  const shown = underscore + 1 + 4;
  const prefix = underscore > 0 && underscore < 7 && shown * 2 <= chars.length
    ? chars.slice(0, underscore + 1).join("")
    : "";
  return `${prefix}…${last}`;
}
