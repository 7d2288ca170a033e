/**
 * The one error a `FileSystem` (`src/context.ts`) throws for an operating-system failure, whatever the
 * runtime: {@linkcode FsError}, carrying a {@linkcode FsErrorCode}. The Deno file system
 * (`src/context.ts`) and the Node one (`src/node.ts`) each map their runtime's errors to it once;
 * library code checks `isFsError(error, "NotFound")`, never a runtime's error classes.
 *
 * @module
 */

/** What went wrong, named as Deno names its error classes. */
export type FsErrorCode =
  | "NotFound"
  | "AlreadyExists"
  | "PermissionDenied"
  | "IsADirectory"
  | "NotADirectory"
  | "FilesystemLoop"
  | "Busy"
  | "NotSupported";

/** Every {@linkcode FsErrorCode}. */
export const FS_ERROR_CODES: readonly FsErrorCode[] = [
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "IsADirectory",
  "NotADirectory",
  "FilesystemLoop",
  "Busy",
  "NotSupported",
];

/**
 * A file-system operation failed for an operating-system reason.
 *
 * @example
 * ```ts
 * import { FsError, isFsError } from "./fs_error.ts";
 * import assert from "node:assert/strict";
 * const error = new FsError("NotFound", "No such file or directory: /x");
 * assert.ok(isFsError(error, "NotFound"));
 * assert.ok(!isFsError(error, "AlreadyExists"));
 * ```
 */
export class FsError extends Error {
  /** What went wrong. */
  readonly code: FsErrorCode;

  /**
   * Creates the error.
   *
   * @param code What went wrong.
   * @param message The runtime's message.
   * @param options The runtime's error as `cause`.
   */
  constructor(code: FsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FsError";
    this.code = code;
  }
}

/**
 * Whether `error` is an {@linkcode FsError}, of the given code when one is given.
 *
 * @param error Anything thrown.
 * @param code The code to match.
 * @returns True when it is.
 */
export function isFsError(error: unknown, code?: FsErrorCode): error is FsError {
  return error instanceof FsError && (code === undefined || error.code === code);
}
