/**
 * Hashing of stored secrets.
 *
 * @module
 */

import { toHex } from "./random.ts";

const encoder = new TextEncoder();

/**
 * SHA-256 of the UTF-8 encoding of `text`, via `crypto.subtle.digest`.
 *
 * @param text The text to hash.
 * @returns 64 lowercase hex digits.
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return toHex(new Uint8Array(digest));
}
