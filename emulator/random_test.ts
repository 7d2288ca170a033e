import assert from "node:assert/strict";
import { CODE_SPACE, cryptoRandomBytes, generateCode, randomHex, toHex } from "./random.ts";

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
