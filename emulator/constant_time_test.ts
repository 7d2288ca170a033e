import assert from "node:assert/strict";
import { timingSafeEqual } from "./constant_time.ts";

Deno.test("timingSafeEqual() accepts identical strings", () => {
  assert.equal(timingSafeEqual("012345", "012345"), true);
  assert.equal(timingSafeEqual("", ""), true);
  assert.equal(timingSafeEqual("é✓", "é✓"), true);
});

Deno.test("timingSafeEqual() rejects a difference in any position", () => {
  for (let i = 0; i < 6; i++) {
    const other = "000000".slice(0, i) + "1" + "000000".slice(i + 1);
    assert.equal(timingSafeEqual(other, "000000"), false, other);
  }
});

Deno.test("timingSafeEqual() rejects different lengths, including prefixes", () => {
  assert.equal(timingSafeEqual("01234", "012345"), false);
  assert.equal(timingSafeEqual("0123456", "012345"), false);
  assert.equal(timingSafeEqual("", "012345"), false);
  // Padding with NUL must not make a shorter value equal.
  assert.equal(timingSafeEqual("12345\0", "12345"), false);
});

Deno.test("timingSafeEqual() compares UTF-8 encodings", () => {
  assert.equal(timingSafeEqual("é", "e\u0301"), false);
});
