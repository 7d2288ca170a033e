import assert from "node:assert/strict";
import { isValidEmail, MAX_EMAIL_LENGTH, normalizeEmail } from "./email.ts";

Deno.test("isValidEmail() accepts ordinary addresses", () => {
  for (const address of ["a@b.co", "ada.lovelace+lua@example.com", "X@sub.domain.example"]) {
    assert.equal(isValidEmail(address), true, address);
  }
});

Deno.test("isValidEmail() rejects malformed addresses", () => {
  const invalid = [
    "",
    "plain",
    "@example.com",
    "a@",
    "a@b",
    "a@@b.co",
    "a@b@c.co",
    "a b@c.co",
    "a@b.co ",
    " a@b.co",
    "a\t@b.co",
    "a@b.co\n",
    "a@.co",
    "a@b.",
    "a@b..co",
  ];
  for (const address of invalid) {
    assert.equal(isValidEmail(address), false, JSON.stringify(address));
  }
});

Deno.test("isValidEmail() allows at most 254 characters", () => {
  const domain = "@example.com";
  const longest = "a".repeat(MAX_EMAIL_LENGTH - domain.length) + domain;
  assert.equal(longest.length, 254);
  assert.equal(isValidEmail(longest), true);
  assert.equal(isValidEmail("a" + longest), false);
});

Deno.test("normalizeEmail() lowercases valid addresses and rejects invalid ones", () => {
  assert.equal(normalizeEmail("Ada@Example.COM"), "ada@example.com");
  assert.equal(normalizeEmail("not an address"), undefined);
});
