import assert from "node:assert/strict";
import { ExitCode, UsageError } from "./errors.ts";
import { MAX_API_KEY_BYTES, validateApiKey, validateEmail, validateOtp } from "./validate.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";

function assertUsage(fn: () => unknown, message: RegExp, secret?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected UsageError, got ${error}`);
    assert.equal(error.exitCode, ExitCode.Usage);
    assert.match(error.message, message);
    if (secret !== undefined) assert.ok(!error.message.includes(secret), "message leaks input");
    return true;
  });
}

Deno.test("validateApiKey(): accepted keys, trimmed", () => {
  const cases: [string, string][] = [
    [KEY, KEY],
    [`  ${KEY} \n`, KEY],
    [`\t${KEY}\r\n`, KEY],
    ["x", "x"],
    ["lk_" + "a".repeat(MAX_API_KEY_BYTES - 3), "lk_" + "a".repeat(MAX_API_KEY_BYTES - 3)],
    ["key-with.punctuation_~+/=", "key-with.punctuation_~+/="],
  ];
  for (const [input, expected] of cases) {
    assert.equal(validateApiKey(input), expected, JSON.stringify(input));
  }
});

Deno.test("validateApiKey(): rejected keys never appear in the message", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["   \n\t ", /empty/],
    ["api_secret1 secret2", /spaces/],
    ["api_secret1\tsecret2", /spaces/],
    ["api_secret1\nsecret2", /spaces/],
    ["api_secret1\u00a0secret2", /spaces/],
    ["api_secret1\u0000secret2", /control characters/],
    ["api_secret1\u001bsecret2", /control characters/],
    ["api_secret1\u007fsecret2", /control characters/],
    ["api_secret1\u0085secret2", /spaces|control characters/],
    ["api_secret1\u009fsecret2", /control characters/],
    ["s".repeat(MAX_API_KEY_BYTES + 1), /longer than 4096 bytes/],
    // 513 two-byte characters: 513 characters but 1026 bytes.
    ["é".repeat(2049), /longer than 4096 bytes/],
    ["ключ_secret1", /only ASCII/],
    ["\u201capi_secret1\u201d", /smart quotes/],
  ];
  for (const [input, message] of cases) {
    assertUsage(() => validateApiKey(input), message, input.trim() === "" ? undefined : "secret1");
  }
  assert.equal(MAX_API_KEY_BYTES, 4096);
  assert.equal(validateApiKey("s".repeat(1024)).length, 1024);
});

Deno.test("validateEmail(): table", () => {
  const good: [string, string][] = [
    ["ada@example.com", "ada@example.com"],
    ["  ada@example.com\n", "ada@example.com"],
    ["a.b+tag@sub.example.co.uk", "a.b+tag@sub.example.co.uk"],
    [`${"a".repeat(64)}@${"b".repeat(185)}.com`, `${"a".repeat(64)}@${"b".repeat(185)}.com`],
  ];
  for (const [input, expected] of good) assert.equal(validateEmail(input), expected, input);
  const bad = [
    "",
    "ada",
    "ada@",
    "@example.com",
    "ada@example",
    "ada@example.",
    "ada@@example.com",
    "ada@exa mple.com",
    "a da@example.com",
    "ada..b@example.com",
    "ada@example..com",
    "ada@example.com\u0000",
    `${"a".repeat(64)}@${"b".repeat(186)}.com`,
  ];
  for (const input of bad) assertUsage(() => validateEmail(input), /is not a valid email address/);
});

Deno.test("validateEmail(): the value is echoed only when short and word-like", () => {
  const key = "api_0123456789abcdef0123456789abcdef";
  for (const input of ["ada\u001b[31m@x", "x".repeat(300), key, `-${key}`, "a;id@x", "a@b"]) {
    assert.throws(() => validateEmail(input), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(
        error.message,
        "That is not a valid email address: it needs a name, one @ and a domain with a dot",
      );
      return true;
    });
  }
  assertUsage(() => validateEmail("ada"), /^"ada" is not a valid email address$/);
});

Deno.test("validateOtp(): table", () => {
  const good: [string, string][] = [
    ["123456", "123456"],
    ["012345", "012345"],
    [" 000000\n", "000000"],
  ];
  for (const [input, expected] of good) assert.equal(validateOtp(input), expected, input);
  const bad = ["", "12345", "1234567", "12 3456", "12a456", "١٢٣٤٥٦", "123456\u0000", "-12345"];
  for (const input of bad) assertUsage(() => validateOtp(input), /6 digits/);
});
