import assert from "node:assert/strict";
import {
  CODE_SPACE,
  cryptoRandomBytes,
  generateCode,
  randomBase64Url,
  randomHex,
  randomUuid,
  sha256Hex,
  timingSafeEqual,
  toHex,
} from "./crypto.ts";

/** A byte source replaying `chunks` in order. */
function scripted(...chunks: number[][]): (n: number) => Uint8Array {
  const queue = [...chunks];
  return (n) => {
    const next = queue.shift();
    if (next === undefined) throw new Error("script exhausted");
    assert.equal(next.length, n);
    return Uint8Array.from(next);
  };
}

Deno.test("cryptoRandomBytes() returns the requested number of bytes", () => {
  assert.equal(cryptoRandomBytes(0).length, 0);
  assert.equal(cryptoRandomBytes(16).length, 16);
  assert.notDeepEqual(cryptoRandomBytes(16), cryptoRandomBytes(16));
});

Deno.test("toHex() writes two lowercase digits per byte", () => {
  assert.equal(toHex(Uint8Array.from([0, 1, 0xab, 0xff])), "0001abff");
  assert.equal(toHex(new Uint8Array()), "");
});

Deno.test("randomHex() draws byteCount bytes", () => {
  assert.equal(randomHex(scripted([0xde, 0xad, 0xbe, 0xef]), 4), "deadbeef");
  assert.match(randomHex(cryptoRandomBytes, 16), /^[0-9a-f]{32}$/);
});

Deno.test("randomHex() rejects a short byte source", () => {
  assert.throws(() => randomHex(() => new Uint8Array(2), 4), RangeError);
});

Deno.test("generateCode() keeps leading zeros", () => {
  assert.equal(generateCode(scripted([0, 0, 0, 0])), "000000");
  assert.equal(generateCode(scripted([0, 0, 0, 42])), "000042");
});

Deno.test("generateCode() maps the top of the accepted range to 999999", () => {
  // 4_293_999_999 is the largest accepted value: 4_293_999_999 % 1_000_000 = 999_999.
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, 4_293_999_999);
  assert.equal(generateCode(scripted([...bytes])), "999999");
});

Deno.test("generateCode() rejects biased values and draws again", () => {
  const rejected = new Uint8Array(4);
  new DataView(rejected.buffer).setUint32(0, 4_294_000_000); // first value that would bias
  const max = [0xff, 0xff, 0xff, 0xff];
  assert.equal(generateCode(scripted([...rejected], max, [0, 0, 0x30, 0x39])), "012345");
});

Deno.test("generateCode() gives up on a broken source", () => {
  assert.throws(() => generateCode(() => Uint8Array.from([0xff, 0xff, 0xff, 0xff])), RangeError);
});

Deno.test("generateCode() yields six digits spread over the whole range", () => {
  const seen = new Set<string>();
  const firstDigits = new Set<string>();
  for (let i = 0; i < 2_000; i++) {
    const code = generateCode(cryptoRandomBytes);
    assert.match(code, /^\d{6}$/);
    assert.ok(Number(code) < CODE_SPACE);
    seen.add(code);
    firstDigits.add(code[0] ?? "");
  }
  assert.ok(seen.size > 1_900, `expected few collisions, got ${seen.size} distinct codes`);
  assert.equal(firstDigits.size, 10);
});

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

Deno.test("sha256Hex() matches known digests", async () => {
  assert.equal(
    await sha256Hex(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("randomUuid() is a version-4 UUID and randomBase64Url(32) has 43 URL-safe characters", () => {
  for (let i = 0; i < 50; i++) {
    assert.match(
      randomUuid(cryptoRandomBytes),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.match(randomBase64Url(cryptoRandomBytes, 32), /^[A-Za-z0-9_-]{43}$/);
  }
  assert.equal(randomBase64Url(() => new Uint8Array(32).fill(0xff), 32), "_".repeat(42) + "8");
});
