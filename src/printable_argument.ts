/**
 * Echoing command-line arguments in error messages: only when short and word-like, since an
 * argument in the wrong place may be a pasted API key.
 *
 * @module
 */

/** An argument echoed as it is: an optional `-`/`--`, then a lower-case word with hyphens. */
const WORD_LIKE = /^-{0,2}[a-z][a-z-]{0,23}$/;

/**
 * An argument as it may appear in a message: itself when short and word-like (a mistyped
 * command or flag, like `--forse`), otherwise `…`; of `--flag=value` only the flag is shown. Every parser error that quotes an argument
 * uses it, so that `--api-key<key>`, `-<key>` or a key given to `--email` never reaches the
 * output.
 *
 * @example
 * ```ts
 * import { printableArgument } from "./printable_argument.ts";
 * import assert from "node:assert/strict";
 * assert.equal(printableArgument("--forse"), "--forse");
 * assert.equal(printableArgument("--api-keyapi_0123456789abcdef"), "…");
 * assert.equal(printableArgument("--apikey=api_0123456789abcdef"), "--apikey=…");
 * ```
 *
 * @param arg The argument as given.
 * @returns The argument, or `…`.
 */
export function printableArgument(arg: string): string {
  if (WORD_LIKE.test(arg)) return arg;
  // `--flag=value`: the flag may be named, the value never.
  const equals = arg.indexOf("=");
  if (equals > 0 && arg.startsWith("-") && WORD_LIKE.test(arg.slice(0, equals))) {
    return `${arg.slice(0, equals)}=…`;
  }
  return "…";
}
