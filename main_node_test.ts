import assert from "node:assert/strict";
import { MIN_NODE, nodeTooOld } from "./main_node.ts";

Deno.test("nodeTooOld: 20.12 and newer run, anything older is refused in one sentence", () => {
  assert.deepEqual(MIN_NODE, [20, 12]);
  for (const version of ["20.12.0", "20.20.2", "21.0.0", "22.11.0", "24.1.0"]) {
    assert.equal(nodeTooOld(version), undefined, version);
  }
  for (const version of ["20.11.1", "20.0.0", "19.9.0", "18.20.8", "16.0.0"]) {
    assert.equal(
      nodeTooOld(version),
      `lua needs Node.js 20.12.0 or newer, and this is Node.js ${version}.`,
      version,
    );
  }
});
