/**
 * The JSON that the CLI's `--json` prints, one object per run on stdout, as types: scripts and
 * agents written in TypeScript import them from the library, and the CLI builds its output from
 * the same definitions. `docs/json.md` describes each shape.
 *
 * Every object has `schemaVersion` first. A new field may appear in a later version with the
 * same `schemaVersion`; a field that is removed or changes its meaning raises it.
 *
 * @example Reading the output of `lua auth status --json`
 * ```ts
 * import type { JsonError, StatusJson } from "./json.ts";
 * import assert from "node:assert/strict";
 * const text = '{"schemaVersion":1,"error":{"code":"no_api_key","message":"No API key found.","hints":[]}}';
 * const output = JSON.parse(text) as StatusJson | JsonError;
 * assert.ok("error" in output && typeof output.error === "object");
 * ```
 *
 * @module
 */

import type { Account } from "./client.ts";
import {
  AuthenticationError,
  BurnedOtpError,
  ExitCode,
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

/** The version of every shape in this module. */
export const JSON_SCHEMA_VERSION = 1;

/** What every object starts with. */
export interface JsonHeader {
  /** The version of the shapes: {@linkcode JSON_SCHEMA_VERSION}. */
  schemaVersion: typeof JSON_SCHEMA_VERSION;
}

/**
 * A stable word for each kind of failure. The exit code says the class (2, 9, 11, …); the code
 * says which failure of it.
 */
export type ErrorCode =
  /** Bad flags or input, or a prompt was needed (`--json` never prompts). Exit 2. */
  | "usage"
  /** The platform refused the input, such as an email address. Exit 2. */
  | "invalid_input"
  /** A Deno permission the command needs was not granted. Exit 2. */
  | "permission"
  /** No source holds an API key. Exit 9. */
  | "no_api_key"
  /** The platform rejected the key or credential. Exit 9. */
  | "authentication_failed"
  /** The emailed code was wrong: try again with the right one. Exit 9. */
  | "invalid_otp"
  /** The code was locked after too many wrong tries: request a new one. Exit 9. */
  | "otp_locked"
  /** The code (or the sign-in token made from it) expired: request a new one. Exit 9. */
  | "expired"
  /** The platform could not be reached, timed out or failed. Exit 11. */
  | "unavailable"
  /** Too many requests: wait, then try again. Exit 11. */
  | "rate_limited"
  /** A local file (credentials, `.env`, the home directory) cannot be used. Exit 1. */
  | "file"
  /** Cancelled (Ctrl-C). Exit 130. */
  | "interrupted"
  /** Another failure the CLI expected. Its exit code says the class. */
  | "error"
  /** A bug in the CLI. Exit 1. */
  | "internal";

/** Any failure, with `--json`: `{"schemaVersion": 1, "error": {…}}`. The exit code is unchanged. */
export interface JsonError extends JsonHeader {
  /** What failed. */
  error: {
    /** The kind of failure. */
    code: ErrorCode;
    /** The message the CLI prints as `Error: …` without `--json`. */
    message: string;
    /** What to do, one line each (may be empty). */
    hints: string[];
  };
}

/**
 * The {@linkcode ErrorCode} of an error.
 *
 * @example
 * ```ts
 * import { errorCode } from "./json.ts";
 * import { InvalidOtpError, NoApiKeyError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(errorCode(new NoApiKeyError()), "no_api_key");
 * assert.equal(errorCode(new InvalidOtpError()), "invalid_otp");
 * assert.equal(errorCode(new TypeError("bug")), "internal");
 * ```
 *
 * @param error Anything thrown.
 * @returns Its code.
 */
export function errorCode(error: unknown): ErrorCode {
  if (!(error instanceof LuaError)) return "internal";
  // Most specific first: a subclass before the class it extends.
  const table: [new (...args: never[]) => LuaError, ErrorCode][] = [
    [NoApiKeyError, "no_api_key"],
    [BurnedOtpError, "otp_locked"],
    [InvalidOtpError, "invalid_otp"],
    [ExpiredError, "expired"],
    [AuthenticationError, "authentication_failed"],
    [RateLimitedError, "rate_limited"],
    [UnavailableError, "unavailable"],
    [PermissionError, "permission"],
    [InvalidInputError, "invalid_input"],
    [UsageError, "usage"],
    [FileError, "file"],
    [InterruptedError, "interrupted"],
  ];
  for (const [type, code] of table) if (error instanceof type) return code;
  switch (error.exitCode) {
    case ExitCode.Usage:
      return "usage";
    case ExitCode.Auth:
      return "authentication_failed";
    case ExitCode.Unavailable:
      return "unavailable";
    case ExitCode.Interrupted:
      return "interrupted";
    default:
      return "error";
  }
}

/** Where a key comes from, in JSON: the kind of source and its variable or file. */
export interface SourceJson {
  /**
   * `env` (`LUA_API_KEY`), `env-file` (the file `LUA_API_KEY_FILE` names), `credentials`
   * (`~/.lua-cli/credentials`) or `dotenv` (`.env`).
   */
  kind: "env" | "env-file" | "credentials" | "dotenv";
  /** The variable's name (`env`) or the file's path. */
  location: string;
}

/** `lua auth configure --email <e> --json`: the code was emailed. */
export interface CodeSentJson extends JsonHeader {
  /** The code is on its way. */
  status: "code_sent";
  /** The address it was sent to. */
  email: string;
  /** The command that finishes the sign-in, with `<code>` to replace, safe to paste. */
  next: string;
}

/** `lua auth configure --api-key … --json` or `--email … --otp … --json`: a key was stored. */
export interface ConfiguredJson extends JsonHeader {
  /** The key is stored. */
  status: "configured";
  /** How it was obtained: given (`api-key`) or created through the emailed code (`email`). */
  method: "api-key" | "email";
  /** Whom the key authenticates, as the platform said when it checked it; `null` for `email`. */
  account: Account | null;
  /** The address the code was sent to, for `email`; `null` for `api-key`. */
  email: string | null;
  /** The stored key, masked. */
  maskedKey: string;
  /** The credentials file it was written to. */
  credentialsPath: string;
  /** A source that takes priority over the stored key (`LUA_API_KEY`), or `null`. */
  shadowedBy: SourceJson | null;
}

/** What `lua auth configure --json` prints on success. */
export type ConfigureJson = CodeSentJson | ConfiguredJson;

/** `lua auth key --force --json` and `lua auth token --json`: the key in use. */
export interface KeyJson extends JsonHeader {
  /** The key itself: the one output that is not masked. */
  key: string;
  /** Where it comes from. */
  source: SourceJson;
}

/** `lua auth logout --json`. */
export interface LogoutJson extends JsonHeader {
  /** `logged_out` when something was deleted, `nothing_to_delete` otherwise. */
  status: "logged_out" | "nothing_to_delete";
  /** What was deleted. */
  deleted: {
    /** The credentials file, or `null` when there was none. */
    credentials: string | null;
    /** Session files of the platform's own CLI. */
    sessions: string[];
  };
  /** Sources that still hold a key (`LUA_API_KEY`, `.env`): commands keep using it. */
  stillSet: SourceJson[];
}

/** One key source in the report of `lua auth status`. */
export interface StatusSource {
  /** `env`, `env-file` (the file `LUA_API_KEY_FILE` names), `credentials` or `dotenv`. */
  kind: string;
  /** The variable or file. */
  location: string;
  /** Whether it holds a key. */
  found: boolean;
  /** Whether it is the one in use. */
  active: boolean;
  /** The key, masked, when found. */
  maskedKey?: string;
  /** Why it could not be read. */
  error?: string;
}

/** The report of `lua auth status`. */
export interface StatusReport {
  /** Every source in priority order. */
  sources: StatusSource[];
  /** The source in use, or `null`. */
  active: StatusSource | null;
  /** Whether the platform accepted the key: `null` when not asked (offline, no key, unreachable). */
  valid: boolean | null;
  /** The account, when the platform was asked and accepted the key. */
  account: Account | null;
  /** Session files of the platform's own CLI: present, never used by this CLI. */
  sessions: string[];
  /** Why there is no usable key or the platform could not be asked, if so. */
  error: string | null;
}

/**
 * `lua auth status --json`: the report, on success and on failure alike (a failure is in
 * `valid`, `error` and the exit code, not in a {@linkcode JsonError}).
 */
export interface StatusJson extends JsonHeader, StatusReport {}

/** Every object `--json` prints. */
export type AnyJson = ConfigureJson | KeyJson | LogoutJson | StatusJson | JsonError;
