/**
 * Reading a key piped into stdin: up to the first newline, and never more than a bound, so
 * that `yes | lua auth configure --api-key -` ends at once.
 *
 * @module
 */

import { decodeChunks } from "../bytes.ts";
import { UsageError } from "../errors.ts";

/** The most bytes of stdin read for a key (64 KiB). */
export const MAX_KEY_INPUT_BYTES = 64 * 1024;

/**
 * Reads a stream up to its first newline (or its end), then stops reading and cancels it.
 *
 * @example
 * ```ts
 * import { readFirstLine } from "./read_line.ts";
 * import assert from "node:assert/strict";
 * const stream = new Blob(["api_123\nrest"]).stream();
 * assert.equal(await readFirstLine(stream, 1024), "api_123");
 * ```
 *
 * @param stream The bytes, e.g. `Deno.stdin.readable`.
 * @param maxBytes The most bytes read before the newline.
 * @returns The first line as UTF-8 text, without its newline.
 * @throws {UsageError} When more than `maxBytes` come before a newline.
 */
export async function readFirstLine(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<string> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const newline = value.indexOf(10);
      const part = newline < 0 ? value : value.subarray(0, newline);
      if (total + part.length > maxBytes) {
        throw new UsageError(
          `Cannot read the key from stdin: more than ${
            maxBytes / 1024
          } KiB came before its first newline`,
          { hints: ['Pipe the key alone: printf %s "$KEY" | lua auth configure --api-key -'] },
        );
      }
      chunks.push(part);
      total += part.length;
      if (newline >= 0) break;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return decodeChunks(chunks);
}
