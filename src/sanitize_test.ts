import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_SHOWN_LENGTH, printableText, stripControls } from "./sanitize.ts";
import { assertProperty } from "../testing/property.ts";

// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

Deno.test("stripControls: title, clear screen, cursor moves, OSC 8 links, C1 and bidi", () => {
  const cases: [string, string][] = [
    ["a\x1b]0;pwned\x07b", "ab"],
    ["a\x1b]2;pwned\x1b\\b", "ab"],
    ["a\x1b[2J\x1b[Hb", "ab"],
    ["a\x1b[31mb\x1b[0m", "ab"],
    ["a\x1b]8;;http://evil\x07link\x1b]8;;\x07b", "alinkb"],
    ["a\x9b2Jb\x9d0;t\x9cc", "abc"],
    ["a\x1bPq...\x1b\\b", "ab"],
    ["a\x1b7\x1b8\x1bcb", "ab"],
    ["a\rb\x08c\x00d\x7fe", "abcde"],
    ["a\u202eb\u2066c", "abc"],
    ["line\n\tnext", "line\n\tnext"],
    ["unterminated \x1b]0;title", "unterminated "],
  ];
  for (const [input, expected] of cases) {
    assert.equal(stripControls(input), expected, JSON.stringify(input));
  }
});

Deno.test("printableText: one line, capped; a 50 MB value costs little", () => {
  assert.equal(printableText("a\nb\u2028c"), "a b c");
  assert.equal(printableText("x".repeat(10), 10), "x".repeat(10));
  assert.equal(printableText("x".repeat(11), 10), `${"x".repeat(9)}…`);
  // Ten characters in twenty UTF-16 code units are not too long; eleven are.
  assert.equal(printableText("😀".repeat(10), 10), "😀".repeat(10));
  assert.equal(printableText("😀".repeat(11), 10), `${"😀".repeat(9)}…`);
  const started = performance.now();
  const huge = printableText("\x1b[2J".repeat(12_000_000) + "x".repeat(2_000_000));
  assert.ok(performance.now() - started < 2_000, "too slow");
  assert.ok([...huge].length <= MAX_SHOWN_LENGTH);
});

Deno.test("printableText: property: never a control character, never longer than the cap", () => {
  assertProperty(
    fc.property(
      fc.string({
        unit: fc.oneof(
          fc.constantFrom("\x1b", "[", "]", "\x07", "\x9b", "\n", "\r"),
          fc.string({ unit: "binary", maxLength: 1 }),
        ),
        maxLength: 200,
      }),
      fc.integer({ min: 1, max: 100 }),
      (value, max) => {
        const out = printableText(value, max);
        assert.ok(!UNSAFE.test(out), JSON.stringify(out));
        assert.ok(!out.includes("\n"));
        assert.ok([...out].length <= max);
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("printableText: every code unit is kept, spaced or removed as the slow path does", () => {
  // The fast path returns a short value untouched when no character needs work: it must not
  // miss one that the line-break and control-character rules change.
  for (let unit = 0; unit <= 0xffff; unit++) {
    const value = `a${String.fromCharCode(unit)}b`;
    const expected = stripControls(value.replace(/[\t\n\u0085\u2028\u2029]/g, " "));
    if (printableText(value) !== expected) {
      assert.fail(`U+${unit.toString(16)}: ${JSON.stringify(printableText(value))}`);
    }
  }
});
