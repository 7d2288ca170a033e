/**
 * The emulator's cryptography: random bytes, codes, identifiers and keys; SHA-256 for stored
 * keys; a constant-time comparison for codes.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A source of random bytes: returns exactly `n` bytes. */
export type RandomBytes = (n: number) => Uint8Array;

/** Number of distinct one-time codes: `000000` to `999999`. */
export const CODE_SPACE = 1_000_000;

/** Number of digits in a one-time code. */
export const CODE_DIGITS = 6;

const UINT32_RANGE = 2 ** 32;
/** Largest multiple of {@linkcode CODE_SPACE} that fits in 32 bits; values at or above are rejected. */
const CODE_LIMIT = UINT32_RANGE - (UINT32_RANGE % CODE_SPACE);
const MAX_CODE_ATTEMPTS = 1_000;

/**
 * Cryptographically secure random bytes from Web Crypto.
 *
 * @param n How many bytes to return.
 * @returns `n` fresh random bytes.
 */
export function cryptoRandomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return bytes;
}

function take(randomBytes: RandomBytes, n: number): Uint8Array {
  const bytes = randomBytes(n);
  if (bytes.length < n) {
    throw new RangeError(`randomBytes(${n}) returned only ${bytes.length} bytes`);
  }
  return bytes;
}

/**
 * Formats bytes as lowercase hexadecimal.
 *
 * @param bytes The bytes to format.
 * @returns Two lowercase hex digits per byte.
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/**
 * Random lowercase hexadecimal text.
 *
 * @param randomBytes The byte source.
 * @param byteCount How many random bytes to draw; the result has twice as many digits.
 * @returns `2 * byteCount` lowercase hex digits.
 */
export function randomHex(randomBytes: RandomBytes, byteCount: number): string {
  return toHex(take(randomBytes, byteCount).subarray(0, byteCount));
}

/**
 * A uniformly distributed six-digit one-time code, `000000` to `999999`
 * (leading zeros kept).
 *
 * Draws 32-bit values and rejects those at or above the largest multiple of
 * one million, so that `value % 1_000_000` has no modulo bias.
 *
 * @param randomBytes The byte source.
 * @returns Six decimal digits.
 * @throws {RangeError} If the byte source keeps returning rejected values (a broken source).
 */
export function generateCode(randomBytes: RandomBytes): string {
  for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
    const bytes = take(randomBytes, 4);
    const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
    if (value < CODE_LIMIT) {
      return (value % CODE_SPACE).toString().padStart(CODE_DIGITS, "0");
    }
  }
  throw new RangeError("randomBytes keeps returning values outside the unbiased range");
}

/**
 * A random version-4 UUID.
 *
 * @param randomBytes The byte source.
 * @returns A lowercase UUID such as `0b4c6a3e-1f2d-4c5b-9a8e-7d6c5b4a3f2e`.
 */
export function randomUuid(randomBytes: RandomBytes): string {
  const bytes = take(randomBytes, 16).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/**
 * Random base64url text without padding.
 *
 * @param randomBytes The byte source.
 * @param byteCount How many random bytes to draw (32 give 43 characters).
 * @returns The bytes in base64url.
 */
export function randomBase64Url(randomBytes: RandomBytes, byteCount: number): string {
  const bytes = take(randomBytes, byteCount).subarray(0, byteCount);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

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
