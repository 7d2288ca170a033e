import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { MAX_KEY_INPUT_BYTES, readFirstLine } from "./read_line.ts";

/** An endless stream of `chunk`, that records whether it was cancelled. */
function endless(chunk: string): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  const bytes = new TextEncoder().encode(chunk);
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(bytes),
    cancel: () => {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

Deno.test("readFirstLine: stops at the first newline, without waiting for the end (yes | …)", async () => {
  const yes = endless("y\n");
  assert.equal(await readFirstLine(yes.stream, MAX_KEY_INPUT_BYTES), "y");
  assert.ok(yes.cancelled(), "the rest of stdin is not read");
});

Deno.test("readFirstLine: the end of the stream ends the line; CR stays for the caller to trim", async () => {
  assert.equal(await readFirstLine(new Blob(["api_1"]).stream(), 10), "api_1");
  assert.equal(await readFirstLine(new Blob(["api_1\r\nx"]).stream(), 10), "api_1\r");
  assert.equal(await readFirstLine(new Blob([""]).stream(), 10), "");
});

Deno.test("readFirstLine: more than the limit before a newline is a usage error, read no further", async () => {
  const flood = endless("x".repeat(4096));
  await assert.rejects(() => readFirstLine(flood.stream, MAX_KEY_INPUT_BYTES), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.exitCode, 2);
    assert.match(
      error.message,
      /^Cannot read the key from stdin: more than 64 KiB came before its first newline$/,
    );
    return true;
  });
  assert.ok(flood.cancelled());
  // Exactly the limit is still accepted.
  const exact = new Blob(["y".repeat(MAX_KEY_INPUT_BYTES) + "\n"]).stream();
  assert.equal((await readFirstLine(exact, MAX_KEY_INPUT_BYTES)).length, MAX_KEY_INPUT_BYTES);
});
