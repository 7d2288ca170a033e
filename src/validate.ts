/**
 * Local checks of user input — API keys, email addresses, one-time codes — made before any
 * request is sent or any file is written.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { printableArgument } from "./printable_argument.ts";

/** The longest API key accepted, in bytes. */
export const MAX_API_KEY_BYTES = 4096;

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** A `.env` line setting `LUA_API_KEY` (`LUA_API_KEY=…`, `export LUA_API_KEY=…`). */
export const DOTENV_KEY_LINE: RegExp = /^(export\s+)?LUA_API_KEY\s*=/;

/**
 * Checks an API key and returns it without surrounding whitespace.
 *
 * @example
 * ```ts
 * import { validateApiKey } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(validateApiKey("  api_123 \n"), "api_123");
 * assert.throws(() => validateApiKey("api 123"));
 * ```
 *
 * @param key The key as given.
 * @returns The trimmed key.
 * @throws {UsageError} When it is empty, has inner whitespace or control characters, or is
 * longer than 1 KB. The message never contains the key.
 */
export function validateApiKey(key: string): string {
  const value = key.trim();
  if (value === "") throw new UsageError("The API key is empty");
  if (DOTENV_KEY_LINE.test(value)) {
    throw new UsageError("The API key must be the key alone, without LUA_API_KEY=");
  }
  // A key of printable ASCII within the limit passes every check below: one test, where each
  // further regular expression is compiled on its first use.
  if (value.length <= MAX_API_KEY_BYTES && PRINTABLE_ASCII.test(value)) return value;
  if (/\s/.test(value)) throw new UsageError("The API key must not contain spaces");
  if (CONTROL.test(value)) throw new UsageError("The API key must not contain control characters");
  if (new TextEncoder().encode(value).length > MAX_API_KEY_BYTES) {
    throw new UsageError(`The API key is longer than ${MAX_API_KEY_BYTES} bytes`);
  }
  if (!PRINTABLE_ASCII.test(value)) {
    throw new UsageError(
      "The API key must contain only ASCII letters, digits and symbols (a copy may have added smart quotes)",
    );
  }
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/**
 * Checks an email address the way the platform does: one `@`, a local part, a domain with a
 * dot, no whitespace, at most 254 characters. Returns it trimmed.
 *
 * @example
 * ```ts
 * import { validateEmail } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(validateEmail(" ada@example.com"), "ada@example.com");
 * assert.throws(() => validateEmail("ada@example"));
 * ```
 *
 * @param email The address as given.
 * @returns The trimmed address.
 * @throws {UsageError} When it is not a plausible address.
 */
export function validateEmail(email: string): string {
  const value = email.trim();
  const domain = value.slice(value.lastIndexOf("@") + 1);
  const labelsOk = domain.split(".").every((label) => label !== "" && !label.startsWith("-"));
  const ok = value.length <= 254 && EMAIL.test(value) && !CONTROL.test(value) && labelsOk &&
    !value.includes("..");
  if (!ok) {
    // Echoed only when short and word-like: a key given to --email must not be printed.
    const shown = printableArgument(value);
    throw new UsageError(
      shown === "…"
        ? "That is not a valid email address: it needs a name, one @ and a domain with a dot"
        : `"${shown}" is not a valid email address`,
    );
  }
  return value;
}

/**
 * Checks a one-time code: exactly 6 digits, surrounding whitespace ignored.
 *
 * @example
 * ```ts
 * import { validateOtp } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(validateOtp(" 012345 "), "012345");
 * assert.throws(() => validateOtp("12345"));
 * ```
 *
 * @param code The code as given.
 * @returns The trimmed code.
 * @throws {UsageError} When it is not 6 digits.
 */
export function validateOtp(code: string): string {
  const value = code.trim();
  if (!/^[0-9]{6}$/.test(value)) {
    throw new UsageError("The code must be the 6 digits from the email");
  }
  return value;
}

/**
 * The shape of the platform's typed API keys: `api_<uuid>.<43 base64url characters>`. Every
 * other key is a legacy key: several legacy prefixes exist, so none is rejected for its shape.
 */
export const TYPED_API_KEY: RegExp =
  /^api_[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/;

/** The two kinds of API key the platform issues. */
export type KeyKind = "typed" | "legacy";

/**
 * Tells a typed key from a legacy one by its shape.
 *
 * @example
 * ```ts
 * import { keyKind } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(keyKind("lk_0123456789abcdef"), "legacy");
 * assert.equal(
 *   keyKind("api_0b4c6a3e-1f2d-4c5b-9a8e-7d6c5b4a3f2e." + "A".repeat(43)),
 *   "typed",
 * );
 * ```
 *
 * @param key A key that passed {@linkcode validateApiKey}.
 * @returns `"typed"` or `"legacy"`.
 */
export function keyKind(key: string): KeyKind {
  return TYPED_API_KEY.test(key) ? "typed" : "legacy";
}
