/**
 * The one filter every byte of output passes through, except the key that `lua auth key`
 * prints on purpose: escape sequences and control characters from outside are removed, any
 * run of 8 characters of a secret the run has seen is redacted, and lines are capped. The
 * CLI's own colours survive only as markers that text from outside cannot forge.
 *
 * @module
 */

import { REDACTED, SecretSet } from "../redact.ts";
import { MAX_SHOWN_LENGTH, printableText, stripControls } from "../sanitize.ts";

/** The longest line written, in characters; the rest of a longer line becomes `…`. */
export const MAX_LINE_LENGTH = 4 * MAX_SHOWN_LENGTH;
/** The most lines one write may have; the rest becomes `…`. */
export const MAX_LINES = 400;
/** JSON data nested deeper than this is cut there (`"…"`); the CLI's reports are 4 deep. */
export const MAX_JSON_DEPTH = 32;
/** Text longer than this is cut before it is filtered, so that a huge message costs little. */
const MAX_TEXT = MAX_LINES * (MAX_LINE_LENGTH + 1);

function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
}

let mark: string | undefined;

/**
 * The mark that starts a colour code in text, in place of ESC: `${styleMark()}31m`. It holds a
 * random value made on first use (so a run that writes no colour never draws one: on Node,
 * Web Crypto costs start-up), so text from outside cannot contain it; everything else that
 * looks like an escape sequence is removed.
 *
 * @returns The mark of this process.
 */
export function styleMark(): string {
  mark ??= `\u{F8FF}${randomHex(12)}\u{F8FF}`;
  return mark;
}
/** The SGR codes {@linkcode styleMark} may carry: bold, dim, their reset, red, green, yellow, default. */
const CODES = new Set(["1", "2", "22", "31", "32", "33", "39"]);

/** Filters output for one command run. */
export interface OutputGuard {
  /** Learns a secret (a key, a code, a token): no later output holds 8 characters of it. */
  addSecret(secret: string): void;
  /**
   * Filters a message or text data.
   *
   * @param text The text, possibly with {@linkcode styleMark} colour codes.
   * @param color Whether the stream may get escape codes.
   * @returns What may be written.
   */
  text(text: string, color: boolean): string;
  /**
   * Serialises JSON data with every string in it filtered (one line, capped, redacted).
   *
   * @param value The data.
   * @param raw Top-level fields set after filtering (only the key of `lua auth key --json`); JSON
   * escapes any control character in them.
   * @returns Indented JSON and a newline.
   */
  json(value: unknown, raw?: Record<string, string>): string;
}

interface Piece {
  code: string | null;
  plain: string;
}

function pieces(text: string): Piece[] {
  // No mark drawn yet: no colour code can be in the text.
  const [first, ...rest] = mark === undefined ? [text] : text.split(mark);
  const list: Piece[] = [{ code: null, plain: stripControls(first ?? "") }];
  for (const part of rest) {
    const match = /^(\d{1,2})m/.exec(part);
    const code = match && CODES.has(match[1]!) ? match[1]! : null;
    list.push({ code, plain: stripControls(match ? part.slice(match[0].length) : part) });
  }
  return list;
}

/** Whether text is within {@linkcode MAX_LINES} lines of {@linkcode MAX_LINE_LENGTH}. */
function fits(text: string): boolean {
  const lines = text.split("\n");
  return lines.length <= MAX_LINES && lines.every((line) => line.length <= MAX_LINE_LENGTH);
}

/**
 * Creates the filter of one command run.
 *
 * @example
 * ```ts
 * import { createOutputGuard } from "./output_guard.ts";
 * import assert from "node:assert/strict";
 * const guard = createOutputGuard();
 * guard.addSecret("api_0123456789abcdef0123456789abcdef");
 * assert.equal(
 *   guard.text("Error: \x1b]0;pwned\x07bad key api_0123456789abcdef0123456789abcde\n", false),
 *   "Error: bad key [redacted]\n",
 * );
 * ```
 *
 * @returns The filter.
 */
export function createOutputGuard(): OutputGuard {
  const secrets = new SecretSet();
  const filterString = (value: string): string => secrets.redact(printableText(value));
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return filterString(value);
    if (value === null || typeof value !== "object") return value;
    // Deeper than any report: cut, not passed on unfiltered.
    if (depth > MAX_JSON_DEPTH) return "…";
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [filterString(k), walk(v, depth + 1)]),
    );
  };
  return {
    addSecret: (secret) => secrets.add(secret),
    text: (input, color) => {
      const text = input.length > MAX_TEXT ? input.slice(0, MAX_TEXT) : input;
      const list = pieces(text);
      const visible = list.map((p) => p.plain).join("");
      const covered = secrets.covered(visible);
      if (!covered.includes(true) && fits(visible)) {
        // Nothing to redact or cut: the pieces as they are, as the loop below would give them.
        const codes = list.map((p) =>
          (p.code !== null && color ? `\x1b[${p.code}m` : "") + p.plain
        );
        return codes.join("") + (text.length < input.length ? "…\n" : "");
      }
      let out = "";
      let index = 0;
      let lineLength = 0;
      let lines = 0;
      let lineCut = false;
      let done = false;
      const emit = (chunk: string, length: number): void => {
        if (lineLength >= MAX_LINE_LENGTH) {
          if (!lineCut) out += "…";
          lineCut = true;
          return;
        }
        out += chunk;
        lineLength += length;
      };
      for (const piece of list) {
        if (piece.code !== null && color) out += `\x1b[${piece.code}m`;
        for (const ch of piece.plain) {
          const at = index;
          index += ch.length;
          if (done) continue;
          if (covered[at]) {
            if (at === 0 || !covered[at - 1]) emit(REDACTED, REDACTED.length);
            continue;
          }
          if (ch === "\n") {
            out += ch;
            lineLength = 0;
            lineCut = false;
            if (++lines >= MAX_LINES) {
              out += "…\n";
              done = true;
            }
            continue;
          }
          emit(ch, 1);
        }
      }
      if (text.length < input.length && !done) out += "…\n";
      return out;
    },
    json: (value, raw) => {
      const filtered = walk(value, 0);
      const data = raw && typeof filtered === "object" && filtered !== null
        ? { ...filtered, ...raw }
        : filtered;
      return `${JSON.stringify(data, null, 2)}\n`;
    },
  };
}
