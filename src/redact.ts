/**
 * Keeping secrets out of output: any run of characters taken from a secret (an API key, an
 * emailed code, a sign-in token) is replaced before text reaches a terminal, a log or a pipe.
 * Partial matches count: a server message quoting 35 of the key's 36 characters is redacted
 * too.
 *
 * @module
 */

/** A run of this many characters of a secret (or the whole secret, if shorter) is redacted. */
export const FRAGMENT_LENGTH = 8;
/** Secrets shorter than this are not tracked: they would redact ordinary words. */
export const MIN_SECRET_LENGTH = 6;
/** What a redacted run is replaced with. */
export const REDACTED = "[redacted]";

/** One flag per code unit of a text of `length`, set inside each `[start, end)` run. */
function flagged(length: number, runs: readonly [number, number][]): boolean[] {
  const flags = new Array<boolean>(length).fill(false);
  for (const [start, end] of runs) flags.fill(true, start, end);
  return flags;
}

/** The set of secrets one command run has seen, and the fragments that give them away. */
export class SecretSet {
  readonly #fragments = new Map<number, Set<string>>();

  /**
   * Adds a secret. Blank values and values shorter than {@linkcode MIN_SECRET_LENGTH} are
   * ignored.
   *
   * @param secret The secret, e.g. an API key.
   */
  add(secret: string): void {
    const value = secret.trim().toLowerCase();
    if (value.length < MIN_SECRET_LENGTH) return;
    const length = Math.min(FRAGMENT_LENGTH, value.length);
    const set = this.#fragments.get(length) ?? new Set<string>();
    for (let i = 0; i + length <= value.length; i++) set.add(value.slice(i, i + length));
    this.#fragments.set(length, set);
  }

  /** True when no secret has been added. */
  get empty(): boolean {
    return this.#fragments.size === 0;
  }

  /**
   * Which characters of `text` belong to a run taken from a secret (compared case-insensitively).
   *
   * @param text The text to look at.
   * @returns One flag per UTF-16 code unit of `text`.
   */
  covered(text: string): boolean[] {
    return flagged(text.length, this.#runs(text));
  }

  /** Where fragments of a secret are in `text`: `[start, end)` of each match. */
  #runs(text: string): [number, number][] {
    const runs: [number, number][] = [];
    if (this.empty) return runs;
    const lower = text.toLowerCase();
    // toLowerCase keeps the length for the ASCII that keys, codes and tokens are made of; if a
    // rare character changes length, compare the text as it is.
    const haystack = lower.length === text.length ? lower : text;
    for (const [length, fragments] of this.#fragments) {
      const windows = haystack.length - length + 1;
      if (windows < fragments.size) {
        // Fewer places than fragments (a JSON key or value; none when the text is shorter than
        // a fragment): each place is looked up once, instead of one search a fragment.
        for (let i = 0; i < windows; i++) {
          if (fragments.has(haystack.slice(i, i + length))) runs.push([i, i + length]);
        }
        continue;
      }
      // One native search a fragment: a key of 36 characters has 29.
      for (const fragment of fragments) {
        for (let i = haystack.indexOf(fragment); i >= 0; i = haystack.indexOf(fragment, i + 1)) {
          runs.push([i, i + length]);
        }
      }
    }
    return runs;
  }

  /**
   * Replaces every run of `text` taken from a secret with {@linkcode REDACTED}.
   *
   * @example
   * ```ts
   * import { SecretSet } from "./redact.ts";
   * import assert from "node:assert/strict";
   * const secrets = new SecretSet();
   * secrets.add("api_0123456789abcdef0123456789abcdef");
   * assert.equal(secrets.redact("bad key api_0123456789abcdef0123456789abcde!"), "bad key [redacted]!");
   * assert.equal(secrets.redact("key api_…cdef"), "key api_…cdef");
   * ```
   *
   * @param text The text.
   * @returns The text without any fragment of a secret.
   */
  redact(text: string): string {
    // Most text holds no secret: it is returned as it is, with nothing allocated.
    const runs = this.#runs(text);
    if (runs.length === 0) return text;
    const flags = flagged(text.length, runs);
    let out = "";
    for (let i = 0; i < text.length; i++) {
      if (!flags[i]) out += text[i];
      else if (i === 0 || !flags[i - 1]) out += REDACTED;
    }
    return out;
  }
}

/**
 * Redacts the fragments of `secrets` from `text`; see {@linkcode SecretSet.redact}.
 *
 * @example
 * ```ts
 * import { redactSecrets } from "./redact.ts";
 * import assert from "node:assert/strict";
 * assert.equal(redactSecrets("code 123456 is wrong", ["123456"]), "code [redacted] is wrong");
 * ```
 *
 * @param text The text.
 * @param secrets The secrets.
 * @returns The text without any fragment of a secret.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const set = new SecretSet();
  for (const secret of secrets) set.add(secret);
  return set.redact(text);
}
