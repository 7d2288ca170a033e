/**
 * Typed errors of the Lua CLI library. Each carries the process exit code the CLI maps
 * it to and, where there is one, a hint telling the user what to do next.
 *
 * Messages follow `docs/style.md`: plain text, sentence case, no final period, no decoration.
 * The seed's frozen texts (the default messages and hints of {@linkcode NoApiKeyError},
 * {@linkcode AuthenticationError} and {@linkcode InvalidOtpError}) come from `seed_text.ts`.
 *
 * @module
 */

import {
  AUTH_FAILED,
  AUTH_FAILED_HINTS,
  INVALID_OTP,
  INVALID_OTP_HINTS,
  NO_API_KEY,
  NO_KEY_HINTS,
} from "./seed_text.ts";

// Re-exported where the CLI and the library's users have always imported them from; they are
// defined in `seed_text.ts` alone.
export { AUTH_FAILED_HINTS, INVALID_OTP_HINTS, NO_KEY_HINTS };

/** Process exit codes, the one table every command uses. */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** An unexpected error: a bug, or a file system problem we could not explain. */
  Error: 1,
  /** Bad flags or input, or a prompt was needed without a terminal. */
  Usage: 2,
  /** No key, a key the platform rejected, or a wrong one-time code. */
  Auth: 9,
  /** The platform could not be reached, timed out, or answered with a server error. */
  Unavailable: 11,
  /** Interrupted by the user (Ctrl-C at a prompt). */
  Interrupted: 130,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** Options shared by every {@linkcode LuaError}. */
export interface LuaErrorOptions {
  /** Lines that tell the user how to fix the problem. */
  hints?: readonly string[];
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The base of every error this library throws on purpose: a user-facing message, an exit
 * code and hints. Anything else that escapes is a bug.
 *
 * @example Telling user errors from bugs
 * ```ts
 * import { LuaError, UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error: unknown = new UsageError("Missing --email");
 * assert.ok(error instanceof LuaError);
 * assert.equal((error as LuaError).exitCode, 2);
 * ```
 */
export class LuaError extends Error {
  /** The exit code the CLI uses for this error. */
  readonly exitCode: ExitCodeValue;
  /** Lines that tell the user how to fix the problem. */
  readonly hints: readonly string[];

  /**
   * Creates an error.
   *
   * @param message The user-facing message: plain text, no final period (`docs/style.md`).
   * @param exitCode The exit code the CLI uses.
   * @param options Hints and cause.
   */
  constructor(message: string, exitCode: ExitCodeValue, options: LuaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LuaError";
    this.exitCode = exitCode;
    this.hints = options.hints ?? [];
  }
}

/** Bad flags or input, or a prompt that is needed when there is no terminal. Exit 2. */
export class UsageError extends LuaError {
  /**
   * Creates the error.
   *
   * @param message What was wrong with the input.
   * @param options Hints and cause.
   */
  constructor(message: string, options: LuaErrorOptions = {}) {
    super(message, ExitCode.Usage, options);
    this.name = "UsageError";
  }
}

/** No API key was found in any source. Exit 9. */
export class NoApiKeyError extends LuaError {
  /**
   * Creates the error.
   *
   * @param options Hints and cause; the seed's three fixes by default.
   * @param message The message; it starts with the seed's "No API key found." by default.
   */
  constructor(options: LuaErrorOptions = {}, message: string = NO_API_KEY) {
    super(message, ExitCode.Auth, { hints: NO_KEY_HINTS, ...options });
    this.name = "NoApiKeyError";
  }
}

/** The platform rejected a credential (HTTP 401). Exit 9. */
export class AuthenticationError extends LuaError {
  /**
   * Creates the error.
   *
   * @param message What was rejected.
   * @param options Hints and cause.
   */
  constructor(message: string = AUTH_FAILED, options: LuaErrorOptions = {}) {
    super(message, ExitCode.Auth, options);
    this.name = "AuthenticationError";
  }
}

/** A one-time code was wrong, used up or burned. Exit 9. */
export class InvalidOtpError extends AuthenticationError {
  /**
   * Creates the error.
   *
   * @param message What the platform said.
   * @param options Hints and cause.
   */
  constructor(message: string = INVALID_OTP, options: LuaErrorOptions = {}) {
    super(message, { hints: INVALID_OTP_HINTS, ...options });
    this.name = "InvalidOtpError";
  }
}

/** A one-time code was locked after too many wrong tries; a new one is needed. Exit 9. */
export class BurnedOtpError extends InvalidOtpError {
  /**
   * Creates the error.
   *
   * @param message What the platform said.
   * @param options Hints and cause.
   */
  constructor(message: string, options: LuaErrorOptions = {}) {
    super(message, options);
    this.name = "BurnedOtpError";
  }
}

/** A one-time code or sign-in token is too old (HTTP 410): a credential refused. Exit 9. */
export class ExpiredError extends AuthenticationError {
  /**
   * Creates the error.
   *
   * @param message What expired.
   * @param options Hints and cause.
   */
  constructor(message: string, options: LuaErrorOptions = {}) {
    super(message, options);
    this.name = "ExpiredError";
  }
}

/** The platform refused the input (HTTP 400). Exit 2. */
export class InvalidInputError extends LuaError {
  /**
   * Creates the error.
   *
   * @param message What the platform said.
   * @param options Hints and cause.
   */
  constructor(message: string, options: LuaErrorOptions = {}) {
    super(message, ExitCode.Usage, options);
    this.name = "InvalidInputError";
  }
}

/** Too many requests (HTTP 429); {@linkcode RateLimitedError.retryAfterSeconds} says how long to wait. Exit 11. */
export class RateLimitedError extends LuaError {
  /** Whether the platform asked for a wait too long to be worth a number. */
  readonly later: boolean;
  /** Seconds to wait before trying again, when the platform said. */
  readonly retryAfterSeconds: number | undefined;

  /**
   * Creates the error.
   *
   * @param retryAfterSeconds Seconds to wait, if known; `"later"` when the platform asked for
   *   a wait too long to be worth a number.
   * @param options Hints and cause.
   */
  constructor(retryAfterSeconds: number | "later" | undefined, options: LuaErrorOptions = {}) {
    super(
      retryAfterSeconds === undefined
        ? "Too many requests: wait a moment and try again"
        : retryAfterSeconds === "later"
        ? "Too many requests: try again later"
        : `Too many requests: wait ${retryAfterSeconds} s and try again`,
      ExitCode.Unavailable,
      options,
    );
    this.name = "RateLimitedError";
    this.retryAfterSeconds = typeof retryAfterSeconds === "number" ? retryAfterSeconds : undefined;
    this.later = retryAfterSeconds === "later";
  }
}

/** The platform could not be reached, timed out, failed (5xx) or answered nonsense. Exit 11. */
export class UnavailableError extends LuaError {
  /**
   * Creates the error.
   *
   * @param message What went wrong, without secrets.
   * @param options Hints and cause.
   */
  constructor(message: string, options: LuaErrorOptions = {}) {
    super(message, ExitCode.Unavailable, options);
    this.name = "UnavailableError";
  }
}

/** A local file (credentials, `.env`, home directory) cannot be used. Exit 1. */
export class FileError extends LuaError {
  /** The file concerned. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the file.
   * @param path The file concerned.
   * @param options Hints and cause.
   */
  constructor(message: string, path: string, options: LuaErrorOptions = {}) {
    super(message, ExitCode.Error, options);
    this.name = "FileError";
    this.path = path;
  }
}

/** Options of {@linkcode PermissionError}. */
export interface PermissionErrorOptions extends LuaErrorOptions {
  /** What exactly is not granted, when naming it helps: an environment variable. */
  subject?: string;
}

/** A Deno permission the command needs was not granted. Exit 2. */
export class PermissionError extends LuaError {
  /**
   * Creates the error.
   *
   * @example
   * ```ts
   * import { PermissionError } from "./errors.ts";
   * import assert from "node:assert/strict";
   * assert.equal(
   *   new PermissionError("--allow-env", { subject: "LUA_API_KEY" }).message,
   *   "This command needs the --allow-env permission for LUA_API_KEY: run it with --allow-env",
   * );
   * ```
   *
   * @param flag The flag that grants it, such as `--allow-net`.
   * @param options What is not granted, hints and cause.
   */
  constructor(flag: string, options: PermissionErrorOptions = {}) {
    const { subject, ...rest } = options;
    const what = subject === undefined ? "" : ` for ${subject}`;
    super(
      `This command needs the ${flag} permission${what}: run it with ${flag}`,
      ExitCode.Usage,
      rest,
    );
    this.name = "PermissionError";
  }
}

/** The user cancelled a prompt (Ctrl-C). Exit 130. */
export class InterruptedError extends LuaError {
  /**
   * Creates the error.
   *
   * @param options Hints and cause.
   */
  constructor(options: LuaErrorOptions = {}) {
    super("Cancelled", ExitCode.Interrupted, options);
    this.name = "InterruptedError";
  }
}

/**
 * Converts a runtime permission failure (`Deno.errors.NotCapable` or `PermissionDenied` from
 * the permission system) into a {@linkcode PermissionError}; returns other errors unchanged.
 *
 * @param error Anything thrown.
 * @returns A {@linkcode PermissionError} naming the flag, or `error` itself.
 */
export function permissionErrorFrom(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== "NotCapable") return error;
  const match = /--allow-[a-z]+/.exec(error.message);
  const variable = /^Requires env access to "([A-Za-z_][A-Za-z0-9_]*)"/.exec(error.message)?.[1];
  return new PermissionError(match?.[0] ?? "--allow-all", {
    cause: error,
    ...(variable === undefined ? {} : { subject: variable }),
  });
}

/**
 * A failure already reported on stdout (as `status` does): the CLI's reporter prints
 * nothing more and returns its code, like gh's `SilentError`.
 */
export class SilentError extends LuaError {
  /**
   * Creates the failure.
   *
   * @param exitCode The exit code.
   */
  constructor(exitCode: number) {
    super("", exitCode as ExitCodeValue);
    this.name = "SilentError";
  }
}
