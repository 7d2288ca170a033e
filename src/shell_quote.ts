/**
 * Quoting values for the commands the CLI suggests, so that pasting a hint into a POSIX shell
 * never runs anything but the command shown.
 *
 * @module
 */

const PLAIN = /^[A-Za-z0-9@%+=:,./_-]+$/;

/**
 * Quotes a value for a POSIX shell (sh, bash, zsh): returned as it is when it is plainly safe
 * (letters, digits and `@%+=:,./_-` only), otherwise in single quotes, each `'` written `'\''`.
 *
 * @example
 * ```ts
 * import { shellQuote } from "./shell_quote.ts";
 * import assert from "node:assert/strict";
 * assert.equal(shellQuote("ada@example.com"), "ada@example.com");
 * assert.equal(shellQuote("$(id)@example.com"), "'$(id)@example.com'");
 * assert.equal(shellQuote("o'brien@example.com"), "'o'\\''brien@example.com'");
 * ```
 *
 * @param value A value the user supplied.
 * @returns A word the shell reads back as exactly `value`.
 */
export function shellQuote(value: string): string {
  if (PLAIN.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
