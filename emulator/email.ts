/**
 * Email address validation and normalisation.
 *
 * @module
 */

/** Longest accepted address, in characters. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Checks the emulator's address rules: at most {@linkcode MAX_EMAIL_LENGTH}
 * characters, no whitespace, exactly one `@`, a non-empty local part, and a
 * domain containing a dot with no empty labels (`a@b.co` passes; `a@b`,
 * `a@.co`, `a@b.` and `a@b..co` fail).
 *
 * @param address The address as received.
 * @returns `true` when the address is acceptable.
 */
export function isValidEmail(address: string): boolean {
  if (address.length === 0 || address.length > MAX_EMAIL_LENGTH) return false;
  if (/\s/.test(address)) return false;
  const parts = address.split("@");
  if (parts.length !== 2) return false;
  const [local = "", domain = ""] = parts;
  if (local.length === 0) return false;
  const labels = domain.split(".");
  return labels.length >= 2 && labels.every((label) => label.length > 0);
}

/**
 * Validates an address and lowercases it, so addresses compare case-insensitively.
 *
 * @param address The address as received.
 * @returns The lowercased address, or `undefined` when it is invalid.
 */
export function normalizeEmail(address: string): string | undefined {
  return isValidEmail(address) ? address.toLowerCase() : undefined;
}
