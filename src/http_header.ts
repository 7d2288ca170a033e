/**
 * HTTP header values, checked as the Fetch standard's `Headers` checks them, without `Headers`:
 * on Node that class is undici's, loaded on its first use (about 50 ms).
 *
 * @module
 */

/**
 * A header value as `Headers` sends it: HTTP whitespace (tab, LF, CR, space) trimmed at both
 * ends, or `undefined` when `Headers` would throw: a character beyond Latin-1, or NUL, CR or LF
 * inside.
 *
 * @example
 * ```ts
 * import { headerValue } from "./http_header.ts";
 * import assert from "node:assert/strict";
 * assert.equal(headerValue(" Bearer api_1\n"), "Bearer api_1");
 * assert.equal(headerValue("Bearer \u201capi_1\u201d"), undefined); // smart quotes
 * ```
 *
 * @param value The value.
 * @returns The value to send, or `undefined`.
 */
export function headerValue(value: string): string | undefined {
  const trimmed = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  return /[\0\r\n\u0100-\uffff]/.test(trimmed) ? undefined : trimmed;
}
