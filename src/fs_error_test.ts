import assert from "node:assert/strict";
import { FS_ERROR_CODES, FsError, isFsError } from "./fs_error.ts";

Deno.test("FsError carries its code, message and cause; isFsError matches by code", () => {
  const cause = new Error("ENOENT: no such file");
  const error = new FsError("NotFound", "No such file or directory: /x", { cause });
  assert.equal(error.name, "FsError");
  assert.equal(error.code, "NotFound");
  assert.equal(error.message, "No such file or directory: /x");
  assert.equal(error.cause, cause);
  assert.ok(isFsError(error));
  assert.ok(isFsError(error, "NotFound"));
  for (const code of FS_ERROR_CODES.filter((c) => c !== "NotFound")) {
    assert.ok(!isFsError(error, code), code);
  }
  assert.ok(!isFsError(new Error("NotFound")));
  assert.ok(!isFsError(Object.assign(new Error("x"), { code: "NotFound" }), "NotFound"));
  assert.equal(new Set(FS_ERROR_CODES).size, FS_ERROR_CODES.length);
});
