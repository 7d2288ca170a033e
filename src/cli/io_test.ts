import assert from "node:assert/strict";
import { colorWanted, styles } from "./io.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("colorWanted: only on a terminal, and never with NO_COLOR or TERM=dumb", () => {
  assert.equal(colorWanted(true, env({})), true);
  assert.equal(colorWanted(false, env({})), false, "not a terminal");
  assert.equal(colorWanted(true, env({ NO_COLOR: "1" })), false);
  assert.equal(colorWanted(true, env({ NO_COLOR: "" })), true, "an empty NO_COLOR is unset");
  assert.equal(colorWanted(true, env({ TERM: "dumb" })), false);
});

Deno.test("styles: escape codes only when enabled", () => {
  const off = styles(false);
  for (const f of [off.red, off.yellow, off.green, off.dim, off.bold]) assert.equal(f("x"), "x");
  const on = styles(true);
  assert.equal(on.green("ok"), "\x1b[32mok\x1b[39m");
  assert.equal(on.bold("b"), "\x1b[1mb\x1b[22m");
});
