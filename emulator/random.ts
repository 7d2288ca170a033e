/**
 * Random values for the emulator: one-time codes, tokens, API keys and key ids.
 *
 * Every function takes the byte source as a parameter so tests can inject a
 * deterministic one.
 *
 * @module
 */

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
