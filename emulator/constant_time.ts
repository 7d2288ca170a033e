/**
 * Constant-time comparison of secrets.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Compares two strings without an early exit: every byte of the longer UTF-8
 * encoding is visited, and differing lengths still do the full loop and fail.
 *
 * @param actual The value received from the client.
 * @param expected The secret value.
 * @returns `true` when both strings have identical UTF-8 encodings.
 */
export function timingSafeEqual(actual: string, expected: string): boolean {
  const a = encoder.encode(actual);
  const b = encoder.encode(expected);
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return diff === 0;
}
