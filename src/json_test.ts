import assert from "node:assert/strict";
import {
  AuthenticationError,
  BurnedOtpError,
  ExpiredError,
  FileError,
  InterruptedError,
  InvalidInputError,
  InvalidOtpError,
  LuaError,
  NoApiKeyError,
  PermissionError,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "./errors.ts";
import { errorCode, JSON_SCHEMA_VERSION } from "./json.ts";

Deno.test("errorCode: one stable word per error class, the most specific first", () => {
  const cases: [unknown, string][] = [
    [new NoApiKeyError(), "no_api_key"],
    [new AuthenticationError(), "authentication_failed"],
    [new InvalidOtpError(), "invalid_otp"],
    [new BurnedOtpError("locked"), "otp_locked"],
    [new ExpiredError("old"), "expired"],
    [new RateLimitedError(5), "rate_limited"],
    [new UnavailableError("down"), "unavailable"],
    [new PermissionError("--allow-net"), "permission"],
    [new InvalidInputError("bad email"), "invalid_input"],
    [new UsageError("bad flag"), "usage"],
    [new FileError("bad file", "/x"), "file"],
    [new InterruptedError(), "interrupted"],
    [new LuaError("other", 11), "unavailable"],
    [new LuaError("other", 1), "error"],
    [new TypeError("bug"), "internal"],
    ["a string", "internal"],
  ];
  for (const [error, code] of cases) assert.equal(errorCode(error), code, String(error));
  assert.equal(JSON_SCHEMA_VERSION, 1);
});
