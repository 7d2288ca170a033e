import assert from "node:assert/strict";
import { decodeChunks } from "./bytes.ts";

Deno.test("decodeChunks: joins in order, keeps a character split across chunks, and empty is empty", () => {
  const bytes = new TextEncoder().encode("clé ✓");
  const split = [bytes.slice(0, 3), bytes.slice(3, 5), bytes.slice(5)];
  assert.equal(decodeChunks(split), "clé ✓");
  assert.equal(decodeChunks([]), "");
});
