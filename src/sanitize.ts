/**
 * Making text from outside (server answers, files, arguments) safe for a terminal: escape
 * sequences and control characters removed, length capped.
 *
 * @module
 */

/** The longest string from outside that is shown, in characters. */
export const MAX_SHOWN_LENGTH = 2000;

// ESC sequences: CSI, OSC/DCS/SOS/PM/APC strings (up to their terminator, or the end), and the
// two- and three-character ones; then their 8-bit C1 forms; then any control character left.
const ESCAPES = new RegExp(
  [
    "\\x1b\\[[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?",
    "\\x1b[\\]PX^_][\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)",
    "\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?",
    "\\x9b[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?",
    "[\\x90\\x98\\x9d\\x9e\\x9f][\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)",
  ].join("|"),
  "g",
);
// C0 but tab and newline, DEL, C1, and the Unicode bidirectional overrides and isolates.
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\t\n\u0085\u2028\u2029]/g;
// Anything printableText changes: CONTROLS and LINE_BREAKS together (tab and newline are C0).
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Removes escape sequences and control characters. Newlines and tabs are kept, for the CLI's
 * own multi-line messages; see {@linkcode printableText} for one value from outside.
 *
 * @example
 * ```ts
 * import { stripControls } from "./sanitize.ts";
 * import assert from "node:assert/strict";
 * assert.equal(stripControls("a\x1b]0;pwned\x07b\x1b[2Jc\r\n"), "abc\n");
 * ```
 *
 * @param text Any text.
 * @returns The text without escape sequences or control characters other than `\n` and `\t`.
 */
export function stripControls(text: string): string {
  // Every escape sequence starts with a control character, and most text has none: then the
  // text is returned as it is, and ESCAPES is never compiled (a fifth of a millisecond).
  // `search` ignores the `g` flag and `lastIndex`.
  if (text.search(CONTROLS) < 0) return text;
  return text.replace(ESCAPES, "").replace(CONTROLS, "");
}

/**
 * One value from outside, made printable on one line: escape sequences and control characters
 * removed, line breaks and tabs turned into spaces, and at most `max` characters (then `…`).
 *
 * @example
 * ```ts
 * import { printableText } from "./sanitize.ts";
 * import assert from "node:assert/strict";
 * assert.equal(printableText("ada@example.com\x1b[2J\nError: fake"), "ada@example.com Error: fake");
 * assert.equal(printableText("x".repeat(50), 10), "xxxxxxxxx…");
 * ```
 *
 * @param value The value.
 * @param max The most characters shown (default {@linkcode MAX_SHOWN_LENGTH}).
 * @returns A printable single line.
 */
export function printableText(value: string, max: number = MAX_SHOWN_LENGTH): string {
  // Most values are short and plain: one search, and the value is returned as it is (a JSON
  // report filters some 30 strings).
  if (value.length <= max && !UNPRINTABLE.test(value)) return value;
  // Cap before the regular expressions run, so that a huge value costs little.
  const head = value.length > max * 4 + 64 ? value.slice(0, max * 4 + 64) : value;
  const clean = stripControls(head.replace(LINE_BREAKS, " "));
  // A string has at most as many characters as UTF-16 code units: split it only when it may be
  // too long.
  const chars = clean.length > max ? [...clean] : undefined;
  const cut = (chars !== undefined && chars.length > max) || head.length < value.length;
  return cut ? `${(chars ?? [...clean]).slice(0, Math.max(0, max - 1)).join("")}…` : clean;
}
