import assert from "node:assert/strict";
import { printableArgument } from "./printable_argument.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";

Deno.test("printableArgument: short word-like arguments are echoed; keys in any form are not", () => {
  for (const arg of ["--forse", "-x", "configur", "frob", "--api-key"]) {
    assert.equal(printableArgument(arg), arg);
  }
  for (
    const arg of [
      KEY,
      `-${KEY}`,
      `--api-key${KEY}`,
      `--api-key ${KEY}`,
      "--a\x1b[2J",
      "ÿ",
      "x".repeat(40),
    ]
  ) {
    assert.equal(printableArgument(arg), "…", arg);
  }
  assert.equal(printableArgument(`--apikey=${KEY}`), "--apikey=…");
  assert.equal(printableArgument(`--${KEY}=x`), "…");
});
