import assert from "node:assert/strict";
import { detectRuntime } from "./runtime.ts";

Deno.test("detectRuntime: deno here, and Node's process is not touched to find out", () => {
  assert.equal(detectRuntime(), "deno");
  let touched = false;
  const scope = {
    Deno: { version: { deno: "2.9.6" }, build: { standalone: false } },
    get process(): unknown {
      touched = true;
      return { versions: { node: "22.0.0", deno: "2.9.6" } };
    },
  };
  assert.equal(detectRuntime(scope), "deno");
  assert.equal(touched, false);
});

Deno.test("detectRuntime: a compiled binary, Node, and a runtime that says neither", () => {
  assert.equal(
    detectRuntime({ Deno: { build: { standalone: true }, version: { deno: "2" } } }),
    "compiled",
  );
  assert.equal(detectRuntime({ process: { versions: { node: "20.12.0" } } }), "node");
  // Bun says it is Node too: it runs the npm build.
  assert.equal(detectRuntime({ process: { versions: { node: "22.0.0", bun: "1.1.0" } } }), "node");
  assert.equal(detectRuntime({}), "deno");
});
