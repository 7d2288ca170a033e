/**
 * Property tests, in memory: the readers of local files and the input checks never throw
 * anything but our typed errors on arbitrary input, never put the key they were given in a
 * message, masking never shows more than the prefix and the last 4 characters, and every valid
 * key survives being stored and read back.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { assertProperty } from "../testing/property.ts";
import { type Context, denoFileSystem } from "./context.ts";
import { parseCredentials, readCredentials, TEMP_PREFIX, writeCredentials } from "./credentials.ts";
import { MAX_DOTENV_BYTES, parseDotenvKey, readDotenvKey } from "./dotenv.ts";
import { ExitCode, FileError, LuaError, UsageError } from "./errors.ts";
import { maskKey } from "./mask.ts";
import { createMemoryContext, type MemoryContext } from "../testing/memory_context.ts";
import { MAX_API_KEY_BYTES, validateApiKey, validateEmail, validateOtp } from "./validate.ts";

const HOME = "/home/user";
const DIR = `${HOME}/.lua-cli`;
const CREDENTIALS = `${DIR}/credentials`;
const DOTENV = "/work/.env";
const RUNS = { numRuns: 300 };

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const encoder = new TextEncoder();
const bytes = (text: string): number => encoder.encode(text).length;

// ---------------------------------------------------------------------------------------------
// Generators

/** Pieces that make `.env` and credentials parsers work hard. */
const TRICKY = [
  "\0",
  "\n",
  "\r",
  "\r\n",
  " ",
  "\t",
  "=",
  "#",
  '"',
  "'",
  "`",
  "\\",
  "\\n",
  "$",
  "${X}",
  "_",
  "a",
  "9",
  "LUA_API_KEY",
  "LUA_API_KEY=",
  "export ",
  "api_",
  "\u00a0",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\u0085",
  "\u0007",
  "\u001b[31m",
  "\u007f",
  "é",
  "\u0301",
  "😀",
  "\ud800",
  "\udfff",
  "\uffff",
  "…",
];

/** Arbitrary text: any UTF-16 (lone surrogates too), graphemes, parser tokens, huge strings. */
const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 200 }) },
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 20 }),
      fc.integer({ min: 1_000, max: 70_000 }),
      fc.constantFrom("k", "\0", " ", "é", "\n"),
    ).map(([head, n, fill]) => head + fill.repeat(n)),
  },
);

/** A secret-looking value, mostly at least 16 characters so it cannot occur in fixed text. */
const secretish: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom("api_", "sk_", "lk_", "", "tok-"),
  fc.string({ unit: "binary", minLength: 16, maxLength: 60 }),
).map(([prefix, body]) => prefix + body);

/** A key that validation must reject: inner whitespace, a control character, or too long. */
const badKey: fc.Arbitrary<string> = fc.tuple(
  fc.stringMatching(/^[A-Za-z0-9_]{8,40}$/),
  fc.stringMatching(/^[A-Za-z0-9_]{8,40}$/),
  fc.constantFrom(" ", "\t", "\u00a0", "\u2003", "\u0000", "\u0007", "\u001b", "\u007f", "\u0085"),
  fc.boolean(),
).map(([a, b, bad, long]) => long ? `${a}${"x".repeat(MAX_API_KEY_BYTES)}${b}` : `${a}${bad}${b}`)
  .filter((key) => {
    try {
      validateApiKey(key);
      return false;
    } catch {
      return true;
    }
  });

/** `.env`-like text: lines of assignments, comments, quotes, with a LUA_API_KEY here and there. */
const dotenvText: fc.Arbitrary<string> = fc.tuple(
  fc.array(
    fc.oneof(
      fc.tuple(
        fc.constantFrom(
          "LUA_API_KEY",
          "export LUA_API_KEY",
          " LUA_API_KEY ",
          "OTHER",
          "lua_api_key",
        ),
        fc.constantFrom("=", " = ", "="),
        fc.constantFrom("", '"', "'", "`"),
        fc.oneof(anyText, secretish),
        fc.constantFrom("", '"', "'", "`", " # comment"),
      ).map(([name, eq, open, value, close]) => `${name}${eq}${open}${value}${close}`),
      fc.constant("# comment"),
      anyText,
    ),
    { maxLength: 8 },
  ),
  fc.constantFrom("\n", "\r\n", "\r"),
).map(([lines, eol]) => lines.join(eol));

/** `.env` text around the 1 MiB limit, with a key at its start. */
const hugeDotenv: fc.Arbitrary<string> = fc.tuple(
  secretish,
  fc.constantFrom(MAX_DOTENV_BYTES - 100, MAX_DOTENV_BYTES + 1, 2 * MAX_DOTENV_BYTES),
  fc.constantFrom("#", "\0", "é"),
).map(([key, size, fill]) => {
  const head = `LUA_API_KEY=${key}\n`;
  return head + fill.repeat(Math.max(0, Math.floor((size - bytes(head)) / bytes(fill))));
});

/** What sits at a path: a file with given contents and mode, or something that is not one. */
type Shape =
  | { kind: "file"; text: string; mode: number }
  | { kind: "dir" }
  | { kind: "dangling" }
  | { kind: "loop" }
  | { kind: "link"; text: string }
  | { kind: "missing" };

const shape = (text: fc.Arbitrary<string>): fc.Arbitrary<Shape> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant("file" as const),
        text,
        mode: fc.constantFrom(0o600, 0o644, 0o000, 0o200, 0o666),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "dir" as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: "dangling" as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: "loop" as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("link" as const), text }) },
    { weight: 1, arbitrary: fc.constant({ kind: "missing" as const }) },
  );

function place(ctx: MemoryContext, path: string, what: Shape): void {
  switch (what.kind) {
    case "file":
      ctx.fs.putFile(path, what.text, what.mode);
      break;
    case "dir":
      ctx.fs.putDir(path);
      break;
    case "dangling":
      ctx.fs.putSymlink(path, "/nowhere/at/all");
      break;
    case "loop":
      ctx.fs.putSymlink(path, `${path}.b`);
      ctx.fs.putSymlink(`${path}.b`, path);
      break;
    case "link":
      ctx.fs.putFile("/elsewhere/target", what.text, 0o600);
      ctx.fs.putSymlink(path, "/elsewhere/target");
      break;
    case "missing":
      break;
  }
}

/** The texts held by a shape. */
function textOf(what: Shape): string {
  return what.kind === "file" || what.kind === "link" ? what.text : "";
}

/** What the credentials reader says for any malformed file, whatever it holds. */
const CREDENTIALS_WORDING = ["LUA_API_KEY=x", "a\nb", "a b", "k".repeat(2000)].map((text) => {
  try {
    parseCredentials(text, CREDENTIALS);
    return "";
  } catch (error) {
    return error instanceof LuaError ? shown(error) : "";
  }
}).join("\n");

/**
 * Non-blank trimmed lines of a file long enough that they cannot occur by chance in what is
 * shown, and not part of the fixed wording (a line `LUA_API_KEY=` is named by design).
 */
function secretLines(text: string): string[] {
  return text.split(/\r?\n|\r/).map((l) => l.trim())
    .filter((l) => l.length >= 12 && !CREDENTIALS_WORDING.includes(l));
}

/** Every line an error shows the user: its message and its hints. */
function shown(error: LuaError): string {
  return [error.message, ...error.hints].join("\n");
}

/** Asserts that `error` is one of our typed errors, and returns it. */
function typed(error: unknown): LuaError {
  if (!(error instanceof LuaError)) {
    throw new assert.AssertionError({
      message: `expected a LuaError, got ${
        error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      }`,
    });
  }
  return error;
}

// ---------------------------------------------------------------------------------------------
// The .env reader

Deno.test("property: parseDotenvKey never throws and returns a trimmed, non-empty value or nothing", async () => {
  await assertProperty(
    fc.asyncProperty(fc.oneof(anyText, dotenvText), async (text) => {
      let value: string | undefined;
      try {
        value = await parseDotenvKey(text);
      } catch (error) {
        typed(error);
        return;
      }
      if (value !== undefined) {
        assert.equal(typeof value, "string");
        assert.notEqual(value, "");
        assert.equal(value, value.trim());
      }
    }),
    RUNS,
  );
});

Deno.test("property: readDotenvKey over arbitrary files never throws; a key it returns is valid", async () => {
  await assertProperty(
    fc.asyncProperty(
      shape(fc.oneof({ weight: 10, arbitrary: fc.oneof(anyText, dotenvText) }, {
        weight: 1,
        arbitrary: hugeDotenv,
      })),
      async (what) => {
        const ctx = createMemoryContext();
        place(ctx, DOTENV, what);
        const warnings: string[] = [];
        const found = await readDotenvKey(ctx, { onWarning: (m) => warnings.push(m) });
        if (found !== undefined) {
          assert.equal(found.path, DOTENV);
          assert.equal(validateApiKey(found.key), found.key, "the key returned is a valid key");
          assert.deepEqual(warnings, []);
        }
        assert.ok(warnings.length <= 1, `at most one warning: ${JSON.stringify(warnings)}`);
        // The value that was in the file never shows up in a warning.
        const text = textOf(what);
        if (!text.includes("\0") && bytes(text) <= MAX_DOTENV_BYTES) {
          const value = await parseDotenvKey(text);
          if (value !== undefined && value.length >= 12) {
            for (const warning of warnings) assert.ok(!warning.includes(value), warning);
          }
        }
        for (const warning of warnings) assert.ok(warning.includes(DOTENV), warning);
      },
    ),
    RUNS,
  );
});

Deno.test("property: a .env key with spaces, control characters or over 1 KB is ignored with a warning that does not show it", async () => {
  await assertProperty(
    fc.asyncProperty(
      badKey,
      fc.constantFrom("", '"', "'"),
      fc.array(fc.oneof(dotenvText, fc.constant("OTHER=1")), { maxLength: 2 }),
      async (key, quote, others) => {
        // A key that parseEnv would cut at a quote or a comment is not what this is about.
        fc.pre(!/["'`#\n\r]/.test(key));
        fc.pre(others.every((line) => !line.includes("LUA_API_KEY")));
        const ctx = createMemoryContext();
        ctx.fs.putFile(DOTENV, [...others, `LUA_API_KEY=${quote}${key}${quote}`].join("\n"));
        const warnings: string[] = [];
        const found = await readDotenvKey(ctx, { onWarning: (m) => warnings.push(m) });
        const value = await parseDotenvKey(ctx.fs.peek(DOTENV)!);
        if (value === undefined || !/\S/.test(value)) return;
        let valid = true;
        try {
          validateApiKey(value);
        } catch {
          valid = false;
        }
        if (valid) return;
        assert.equal(found, undefined);
        assert.equal(warnings.length, 1, JSON.stringify(warnings));
        assert.ok(!warnings[0]!.includes(key.trim()), "the key is not in the warning");
        assert.ok(!warnings[0]!.includes(value.trim()), "the key is not in the warning");
      },
    ),
    RUNS,
  );
});

// ---------------------------------------------------------------------------------------------
// The credentials reader

Deno.test("property: parseCredentials returns a valid key or nothing, or throws a FileError that does not show the contents", () => {
  assertProperty(
    fc.property(fc.oneof(anyText, dotenvText, secretish, badKey), (text) => {
      let key: string | undefined;
      try {
        key = parseCredentials(text, CREDENTIALS);
      } catch (error) {
        const e = typed(error);
        assert.ok(e instanceof FileError, `${e.name}: ${e.message}`);
        assert.equal(e.exitCode, ExitCode.Error);
        for (const line of secretLines(text)) {
          assert.ok(!shown(e).includes(line), `the file's contents are not shown: ${shown(e)}`);
        }
        return;
      }
      if (key !== undefined) {
        assert.equal(validateApiKey(key), key);
        assert.equal(key, text.trim());
      } else {
        assert.equal(text.trim(), "");
      }
    }),
    RUNS,
  );
});

Deno.test("property: readCredentials over arbitrary files never throws anything but a FileError, and never shows the contents", async () => {
  await assertProperty(
    fc.asyncProperty(
      shape(fc.oneof(anyText, dotenvText, secretish, badKey, hugeDotenv)),
      fc.constantFrom(0o700, 0o755, 0o777),
      async (what, dirMode) => {
        const ctx = createMemoryContext();
        ctx.fs.putDir(DIR, dirMode);
        place(ctx, CREDENTIALS, what);
        const warnings: string[] = [];
        let stored;
        try {
          stored = await readCredentials(ctx, { onWarning: (m) => warnings.push(m) });
        } catch (error) {
          const e = typed(error);
          assert.ok(e instanceof FileError, `${e.name}: ${e.message}`);
          for (const line of secretLines(textOf(what))) {
            assert.ok(!shown(e).includes(line), `the file's contents are not shown: ${shown(e)}`);
          }
          return;
        }
        if (stored !== undefined) {
          assert.equal(stored.path, CREDENTIALS);
          assert.equal(validateApiKey(stored.key), stored.key);
          if (stored.key.length >= 12) {
            for (const warning of warnings) assert.ok(!warning.includes(stored.key), warning);
          }
        }
      },
    ),
    RUNS,
  );
});

// ---------------------------------------------------------------------------------------------
// The input checks

/**
 * Everything validateApiKey may say, learned from one input that triggers each rejection. A
 * message drawn from this set cannot carry the input it rejected: it is the same whatever the
 * input was.
 */
const KEY_MESSAGES: ReadonlySet<string> = new Set([
  "",
  "LUA_API_KEY=x",
  "export LUA_API_KEY=x",
  "a b",
  "a\u0007b",
  "a\u00e9b",
  "a\u201cb\u201d",
  "k".repeat(MAX_API_KEY_BYTES + 1),
].map((input) => {
  try {
    validateApiKey(input);
    throw new Error(`validateApiKey accepted ${JSON.stringify(input)}`);
  } catch (error) {
    return shown(typed(error));
  }
}));

/** What validateOtp says for any rejected code. */
const OTP_MESSAGE = (() => {
  try {
    validateOtp("x");
  } catch (error) {
    return shown(typed(error));
  }
  throw new Error("validateOtp accepted x");
})();

Deno.test("property: validateApiKey returns the trimmed key or throws a fixed UsageError that cannot hold the input", () => {
  assert.ok(KEY_MESSAGES.size >= 5, JSON.stringify([...KEY_MESSAGES]));
  assertProperty(
    fc.property(fc.oneof(anyText, secretish, badKey), (input) => {
      let value: string;
      try {
        value = validateApiKey(input);
      } catch (error) {
        const e = typed(error);
        assert.ok(e instanceof UsageError);
        assert.equal(e.exitCode, ExitCode.Usage);
        assert.ok(KEY_MESSAGES.has(shown(e)), `a message that depends on the input: ${e.message}`);
        return;
      }
      assert.equal(value, input.trim());
      assert.ok(value !== "" && !/\s/.test(value) && !CONTROL.test(value));
      assert.ok(bytes(value) <= MAX_API_KEY_BYTES);
    }),
    RUNS,
  );
});

Deno.test("property: validateOtp accepts exactly 6 digits and never echoes the input", () => {
  assertProperty(
    fc.property(
      fc.oneof(
        anyText,
        fc.stringMatching(/^\s*[0-9]{4,8}\s*$/),
        fc.stringMatching(/^[0-9a-f]{6}$/),
      ),
      (input) => {
        let value: string;
        try {
          value = validateOtp(input);
        } catch (error) {
          const e = typed(error);
          assert.ok(e instanceof UsageError);
          const trimmed = input.trim();
          assert.equal(shown(e), OTP_MESSAGE, `a message that depends on the input: ${e.message}`);
          assert.ok(!/^[0-9]{6}$/.test(trimmed), `a 6-digit code was refused: ${input}`);
          return;
        }
        assert.match(value, /^[0-9]{6}$/);
        assert.equal(value, input.trim());
      },
    ),
    RUNS,
  );
});

Deno.test("property: validateEmail returns the trimmed address or throws a short UsageError with no control characters", () => {
  const plausible = fc.tuple(
    fc.string({ unit: fc.constantFrom(...TRICKY, "a", "b", ".", "@"), maxLength: 30 }),
    fc.constantFrom("@", "@@", ""),
    fc.string({ unit: fc.constantFrom(...TRICKY, "a", ".", "-"), maxLength: 30 }),
    fc.constantFrom(".co", ".", "", ".c\u0007o"),
  ).map(([local, at, domain, tld]) => `${local}${at}${domain}${tld}`);
  assertProperty(
    fc.property(fc.oneof(anyText, plausible, fc.emailAddress()), (input) => {
      let value: string;
      try {
        value = validateEmail(input);
      } catch (error) {
        const e = typed(error);
        assert.ok(e instanceof UsageError);
        assert.ok(!CONTROL.test(e.message), `no control characters: ${JSON.stringify(e.message)}`);
        assert.ok(e.message.length < 200, `a short message: ${e.message.length}`);
        return;
      }
      assert.equal(value, input.trim());
      assert.ok(value.length <= 254);
      assert.equal(value.split("@").length, 2);
      assert.ok(!/\s/.test(value) && !CONTROL.test(value));
    }),
    RUNS,
  );
});

// ---------------------------------------------------------------------------------------------
// Masking

/** The parts of `key` that `masked` shows: a prefix and a suffix around `…`, if it has that form. */
function shownParts(key: string, masked: string): { prefix: number; suffix: number }[] {
  const chars = [...key];
  const options: { prefix: number; suffix: number }[] = [];
  for (let p = 0; p <= Math.min(8, chars.length); p++) {
    for (let s = 0; s <= Math.min(4, chars.length - p); s++) {
      const form = `${chars.slice(0, p).join("")}…${chars.slice(chars.length - s).join("")}`;
      if (form === masked) options.push({ prefix: p, suffix: s });
    }
  }
  return options;
}

Deno.test("property: maskKey shows at most a prefix ending in _ (≤ 8 chars) and the last 4 characters, and at most half the key", () => {
  assertProperty(
    fc.property(
      fc.oneof(
        anyText,
        secretish,
        fc.stringMatching(/^[a-z]{1,9}_[0-9a-f]{0,40}$/),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
      ),
      (key) => {
        const masked = maskKey(key);
        const length = [...key].length;
        const options = shownParts(key, masked);
        assert.ok(options.length > 0, `${JSON.stringify(masked)} is not prefix…suffix of the key`);
        // Some reading of the output as prefix…suffix respects every rule.
        const ok = options.some(({ prefix, suffix }) => {
          const prefixOk = prefix === 0 || [...key][prefix - 1] === "_";
          return prefixOk && prefix <= 8 && suffix <= 4 && (prefix + suffix) * 2 <= length;
        });
        assert.ok(ok, `${JSON.stringify(masked)} shows too much of a key of ${length} characters`);
        if (length > 0) assert.ok(!masked.includes(key) || key === "…", "never the whole key");
      },
    ),
    { numRuns: 1000 },
  );
});

// ---------------------------------------------------------------------------------------------
// Storing and reading back

/** True when validateApiKey accepts `key` as it is. */
function accepted(key: string): boolean {
  try {
    return validateApiKey(key) === key;
  } catch {
    return false;
  }
}

/** A valid key: printable ASCII without spaces (0x21 to 0x7e), 1 to 4096 bytes. */
const validKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1000,
    maxLength: MAX_API_KEY_BYTES,
  }),
  fc.stringMatching(/^api_[0-9a-f]{32}$/),
  fc.integer({ min: 1, max: MAX_API_KEY_BYTES }).map((n) => "k".repeat(n)),
  fc.constantFrom("\\", '"quoted"', "'", "`", "$HOME", "#", "=", "LUA_API_KEY=x"),
).filter((s) => s !== "" && bytes(s) <= MAX_API_KEY_BYTES);

/** Anything printable without whitespace, Unicode included, that the validator accepts. */
const acceptedKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }),
  fc.integer({ min: 1, max: MAX_API_KEY_BYTES / 2 }).map((n) => "é".repeat(n)),
).map((s) => [...s].filter((c) => !/\s/.test(c) && !CONTROL.test(c)).join(""))
  .filter(accepted);

/** What the credentials reader refuses as a `.env` line. */
const DOTENV_LINE = /^(export\s+)?LUA_API_KEY\s*=/;

Deno.test({
  // Regression: validateApiKey used to accept "LUA_API_KEY=x", which writeCredentials stored and
  // parseCredentials then refused as "the .env format". Such input is now refused up front.
  name: "writeCredentials then readCredentials: a valid key that starts with LUA_API_KEY=",
  async fn() {
    for (const key of ["LUA_API_KEY=x", "LUA_API_KEY=api_0123456789abcdef0123456789abcdef"]) {
      const ctx = createMemoryContext();
      // Either refused up front as input…
      let valid = true;
      try {
        validateApiKey(key);
      } catch (error) {
        assert.ok(error instanceof UsageError);
        valid = false;
      }
      if (!valid) continue;
      // …or stored in a way that reads back.
      const path = await writeCredentials(ctx, key);
      assert.deepEqual(await readCredentials(ctx), { key, path });
    }
  },
});

Deno.test("property: every valid key survives writeCredentials then readCredentials unchanged", async () => {
  await assertProperty(
    fc.asyncProperty(
      fc.oneof({ weight: 4, arbitrary: validKey }, { weight: 1, arbitrary: acceptedKey }),
      fc.option(fc.oneof(validKey, anyText), { nil: undefined }),
      async (key, before) => {
        // Input that starts with LUA_API_KEY= is refused as a key (see the test above).
        fc.pre(!DOTENV_LINE.test(key));
        assert.equal(validateApiKey(key), key, "the generator makes valid keys");
        const ctx = createMemoryContext();
        if (before !== undefined) {
          ctx.fs.putDir(DIR, 0o755);
          ctx.fs.putFile(CREDENTIALS, before, 0o644);
        }
        assert.equal(await writeCredentials(ctx, key), CREDENTIALS);
        const stored = await readCredentials(ctx);
        assert.deepEqual(stored, { key, path: CREDENTIALS });
        assert.equal(ctx.fs.peek(CREDENTIALS), key, "the file holds the key alone");
        assert.equal(ctx.fs.modeOf(CREDENTIALS), 0o600);
        assert.equal(ctx.fs.modeOf(DIR), 0o700);
        assert.deepEqual(ctx.fs.paths().filter((p) => p.includes(TEMP_PREFIX)), []);
      },
    ),
    RUNS,
  );
});

Deno.test("property: valid keys survive a round trip through the real file system too", async () => {
  const home = await Deno.makeTempDir({ prefix: "lua-prop-" });
  try {
    const ctx: Context = {
      env: (name) => (name === "HOME" ? home : undefined),
      os: Deno.build.os,
      arch: Deno.build.arch,
      cwd: () => home,
      fs: denoFileSystem,
      fetch: () => Promise.reject(new Error("no network in this test")),
      now: () => Date.now(),
    };
    await assertProperty(
      fc.asyncProperty(fc.oneof(validKey, acceptedKey), async (key) => {
        fc.pre(!DOTENV_LINE.test(key)); // refused as input: see "a valid key that starts with…"
        const path = await writeCredentials(ctx, key);
        assert.deepEqual(await readCredentials(ctx), { key, path });
        assert.equal(await Deno.readTextFile(path), key);
      }),
      { numRuns: 40 },
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
