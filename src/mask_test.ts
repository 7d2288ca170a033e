import assert from "node:assert/strict";
import fc from "fast-check";
import { assertProperty } from "../testing/property.ts";
import { maskKey } from "./mask.ts";

Deno.test("maskKey(): table", () => {
  const cases: [string, string][] = [
    ["api_0123456789abcdef0123456789abcdef", "api_…cdef"],
    ["lk_0123456789abcdef", "lk_…cdef"],
    ["sk_live_0123456789", "sk_…6789"],
    ["abcdefg_0123456789", "…6789"],
    ["abcdef_0123456789abcdef", "abcdef_…cdef"],
    ["abcdefg_0123456789abcdef", "…cdef"],
    ["abcdefgh_0123456789", "…6789"],
    ["_abcdefghijklmnop", "…mnop"],
    ["0123456789abcdef", "…cdef"],
    ["api_12345678", "…5678"],
    ["api_1234567", "…567"],
    ["0123456789", "…789"],
    ["123456789", "…789"],
    ["12345678", "…"],
    ["secret", "…"],
    ["a", "…"],
    ["", "…"],
  ];
  for (const [key, masked] of cases) assert.equal(maskKey(key), masked, key);
});

Deno.test("maskKey(): counts characters, not UTF-16 units", () => {
  assert.equal(maskKey("🔑🔑🔑🔑🔑🔑🔑🔑"), "…");
  assert.equal(maskKey("k_🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑abcd"), "k_…abcd");
  assert.equal(maskKey("🔑🔑🔑🔑🔑🔑🔑🔑🔑"), "…🔑🔑🔑");
  assert.equal(maskKey("🔑🔑🔑🔑🔑🔑🔑🔑abcd"), "…abcd");
});

Deno.test("maskKey(): reveals at most the prefix and the last 4 characters", () => {
  assertProperty(
    fc.property(fc.string({ unit: "grapheme-ascii", maxLength: 80 }), (key: string) => {
      const chars = [...key];
      const masked = maskKey(key);
      const parts = masked.split("…");
      assert.equal(parts.length, 2, masked);
      const [prefix, suffix] = parts as [string, string];
      const suffixChars = [...suffix];
      const prefixChars = [...prefix];
      assert.ok(suffixChars.length <= 4);
      assert.ok(key.endsWith(suffix));
      if (prefix !== "") {
        assert.ok(key.startsWith(prefix));
        assert.ok(prefixChars.length <= 7, "never 8 characters of the key in a row");
        assert.equal(prefixChars.indexOf("_"), prefixChars.length - 1, "prefix ends at first _");
        assert.ok(2 * (prefixChars.length + suffixChars.length) <= chars.length, "half hidden");
      }
      if (chars.length <= 8) assert.equal(masked, "…");
      if (chars.length <= 12) {
        assert.equal(prefix, "");
        assert.ok(3 * suffixChars.length <= chars.length, "at least two thirds hidden");
      }
      const revealed = prefixChars.length + suffixChars.length;
      assert.ok(revealed < chars.length || chars.length === 0, "something stays hidden");
    }),
    { numRuns: 2000 },
  );
});

Deno.test("maskKey(): shows the prefix when the first _ is within 7 characters", () => {
  assertProperty(
    fc.property(
      fc.string({ unit: fc.constantFrom(..."abcdefxyz0123456789"), minLength: 1, maxLength: 6 }),
      fc.string({ unit: fc.constantFrom(..."abcdef0123456789_"), minLength: 12, maxLength: 60 }),
      (head: string, rest: string) => {
        const key = `${head}_${rest}`;
        const halfHidden = 2 * (head.length + 1 + 4) <= key.length;
        assert.equal(maskKey(key), `${halfHidden ? `${head}_` : ""}…${key.slice(-4)}`);
      },
    ),
  );
});

Deno.test("maskKey: the prefix is shown only while at least half of the key stays hidden", () => {
  assert.equal(maskKey("abcdefg_12345"), "…2345");
  assert.equal(maskKey("api_12345678"), "…5678");
  assert.equal(maskKey("api_123456789ab"), "…89ab");
  assert.equal(maskKey("api_0123456789abcdef"), "api_…cdef");
});
