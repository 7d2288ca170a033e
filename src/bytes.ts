/**
 * Bytes read in pieces, joined.
 *
 * @module
 */

/**
 * Joins chunks read from a stream and decodes them as UTF-8.
 *
 * @example
 * ```ts
 * import { decodeChunks } from "./bytes.ts";
 * import assert from "node:assert/strict";
 * const chunks = [new TextEncoder().encode("ap"), new TextEncoder().encode("i_1")];
 * assert.equal(decodeChunks(chunks), "api_1");
 * ```
 *
 * @param chunks The chunks, in order.
 * @returns Their text.
 */
export function decodeChunks(chunks: readonly Uint8Array[]): string {
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
