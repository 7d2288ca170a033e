import assert from "node:assert/strict";
import {
  AUTH_FAILED_HINTS,
  AuthenticationError,
  ExitCode,
  ExpiredError,
  FileError,
  InterruptedError,
  INVALID_OTP_HINTS,
  InvalidInputError,
  InvalidOtpError,
  LuaError,
  NO_KEY_HINTS,
  NoApiKeyError,
  PermissionError,
  permissionErrorFrom,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "./errors.ts";

Deno.test("ExitCode: the documented values", () => {
  assert.deepEqual({ ...ExitCode }, {
    Ok: 0,
    Error: 1,
    Usage: 2,
    Auth: 9,
    Unavailable: 11,
    Interrupted: 130,
  });
});

Deno.test("LuaError subclasses: exit codes, names and instanceof", () => {
  const cases: [LuaError, number, string][] = [
    [new UsageError("bad flag"), 2, "UsageError"],
    [new NoApiKeyError(), 9, "NoApiKeyError"],
    [new AuthenticationError(), 9, "AuthenticationError"],
    [new InvalidOtpError(), 9, "InvalidOtpError"],
    [new ExpiredError("The code expired."), 9, "ExpiredError"],
    [new InvalidInputError("Bad email."), 2, "InvalidInputError"],
    [new RateLimitedError(3), 11, "RateLimitedError"],
    [new UnavailableError("Cannot reach the platform."), 11, "UnavailableError"],
    [new FileError("Cannot read.", "/f"), 1, "FileError"],
    [new PermissionError("--allow-net"), 2, "PermissionError"],
    [new InterruptedError(), 130, "InterruptedError"],
  ];
  for (const [error, exitCode, name] of cases) {
    assert.ok(error instanceof LuaError, name);
    assert.ok(error instanceof Error, name);
    assert.equal(error.exitCode, exitCode, name);
    assert.equal(error.name, name);
    assert.ok(error.message.length > 0, name);
  }
  assert.ok(new InvalidOtpError() instanceof AuthenticationError);
});

Deno.test("LuaError: hints default to none, cause only when given", () => {
  const plain = new LuaError("Something.", ExitCode.Error);
  assert.deepEqual(plain.hints, []);
  assert.equal("cause" in plain, false);
  const cause = new Error("inner");
  const wrapped = new UsageError("Outer.", { cause, hints: ["Try --help."] });
  assert.equal(wrapped.cause, cause);
  assert.deepEqual(wrapped.hints, ["Try --help."]);
  assert.equal(wrapped.message, "Outer.");
});

Deno.test("NoApiKeyError: the seed's message and its three fixes", () => {
  const error = new NoApiKeyError();
  assert.equal(error.message, "No API key found.");
  assert.equal(error.hints, NO_KEY_HINTS);
  const text = error.hints.join("\n");
  assert.match(text, /lua auth configure/);
  assert.match(text, /export LUA_API_KEY=your-key/);
  assert.match(text, /echo "LUA_API_KEY=key" >> \.env/);
  assert.match(text, /~\/\.lua-cli\/credentials/);
  assert.deepEqual(new NoApiKeyError({ hints: ["custom"] }).hints, ["custom"]);
});

Deno.test("AuthenticationError and InvalidOtpError: default messages and seed hints", () => {
  assert.equal(new AuthenticationError().message, "Authentication failed");
  assert.deepEqual(new AuthenticationError().hints, []);
  assert.deepEqual(
    new AuthenticationError("Authentication failed", { hints: AUTH_FAILED_HINTS }).hints,
    AUTH_FAILED_HINTS,
  );
  assert.ok(AUTH_FAILED_HINTS.includes("Ensure no extra spaces"));
  const otp = new InvalidOtpError();
  assert.equal(otp.message, "Invalid OTP code");
  assert.equal(otp.hints, INVALID_OTP_HINTS);
  assert.ok(otp.hints.includes("OTP expires after 10 minutes"));
});

Deno.test("RateLimitedError: message with and without Retry-After", () => {
  const known = new RateLimitedError(30);
  assert.equal(known.retryAfterSeconds, 30);
  assert.match(known.message, /Wait 30 s/);
  const unknown = new RateLimitedError(undefined);
  assert.equal(unknown.retryAfterSeconds, undefined);
  assert.match(unknown.message, /Wait a moment/);
});

Deno.test("FileError: keeps the path", () => {
  const error = new FileError('Cannot read "/home/u/x".', "/home/u/x");
  assert.equal(error.path, "/home/u/x");
  assert.equal(error.exitCode, ExitCode.Error);
});

Deno.test("PermissionError: names the flag", () => {
  const error = new PermissionError("--allow-write");
  assert.equal(
    error.message,
    "This command needs the --allow-write permission: run it with --allow-write.",
  );
});

Deno.test("permissionErrorFrom()", async (t) => {
  await t.step("maps Deno.errors.NotCapable to the flag it mentions", () => {
    const cause = new Deno.errors.NotCapable(
      'Requires read access to "/home/u/.lua-cli/credentials", run again with the --allow-read flag',
    );
    const converted = permissionErrorFrom(cause);
    assert.ok(converted instanceof PermissionError);
    assert.equal(converted.exitCode, ExitCode.Usage);
    assert.match(converted.message, /--allow-read/);
    assert.doesNotMatch(converted.message, /--allow-all/);
    assert.equal(converted.cause, cause);
  });

  await t.step("maps any Error named NotCapable", () => {
    const cause = new Error('Requires net access to "x:443", run again with the --allow-net flag');
    cause.name = "NotCapable";
    const converted = permissionErrorFrom(cause);
    assert.ok(converted instanceof PermissionError);
    assert.match(converted.message, /--allow-net permission/);
  });

  await t.step("falls back to --allow-all when no flag is named", () => {
    const converted = permissionErrorFrom(new Deno.errors.NotCapable("denied"));
    assert.ok(converted instanceof PermissionError);
    assert.match(converted.message, /--allow-all/);
  });

  await t.step("returns anything else unchanged", () => {
    const denied = new Deno.errors.PermissionDenied("Permission denied (os error 13)");
    assert.equal(permissionErrorFrom(denied), denied);
    const plain = new Error("mentions --allow-read but is not a permission error");
    assert.equal(permissionErrorFrom(plain), plain);
    assert.equal(permissionErrorFrom("NotCapable"), "NotCapable");
    assert.equal(permissionErrorFrom(undefined), undefined);
  });
});
